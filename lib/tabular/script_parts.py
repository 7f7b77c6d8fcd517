"""The downloadable scripts, in parts: each function returns the code text of one part
(reading the file, label-encoding, splitting, preprocessing, the model, a training loop,
the evaluation). :func:`lib.tabular.export.standalone_script` and
:func:`lib.lessons.lab_script.standalone_script` compose the parts they need; nothing is cut
out of a finished script.

The parts share names: the data parts end with float32 ``X_train`` / ``X_test`` and int64
``y_train`` / ``y_test`` (and ``SETTINGS``, the data settings); the model part builds
``model``, ``K``, ``loss_fn`` and ``targets``; a training part trains ``model``.
"""

from __future__ import annotations

import inspect
import json

import pandas as pd

from lib.tabular.preprocess import MAX_ABS, MISSING, OTHER, stratified_split
from lib.tabular.uncertainty import wilson
from lib.tabular.values import parse_formatted

# --- settings --------------------------------------------------------------------------------


def data_settings(pre, target, csv, n_test: int, seed: int) -> dict:
    """What the data parts need: the columns and how each is treated, the split."""
    return {
        "target": target.name,
        "classes": list(target.classes),
        "numeric": list(pre.numeric),
        "dates": {c: dict(s) for c, s in pre.dates.items()},
        "indicators": list(pre.indicators),
        "booleans": list(pre.booleans),
        "categorical": dict(pre.categorical),
        "other": dict(pre.other),
        "formatted": [c for c in csv.formatted if c in pre.numeric],
        "decimal": csv.decimal,
        "n_test": int(n_test),
        "seed": int(seed),
    }


def settings_line(settings: dict, name: str = "SETTINGS") -> str:
    """``NAME = json.loads('…')``: plain JSON in a string literal (no code from the file)."""
    return f"{name} = json.loads({json.dumps(settings, ensure_ascii=True)!r})\n"


# --- the data parts ----------------------------------------------------------------------------


def reading_code(csv, filename: str) -> str:
    """Read the file with the settings ClassLab detected; formatted numbers parsed."""
    args = [
        "CSV",
        f"sep={csv.delimiter!r}",
        f"encoding={csv.encoding!r}",
        f"decimal={csv.decimal!r}",
        f"header={0 if csv.header else None}",
        f"names={[str(c) for c in csv.frame.columns]!r}",
        "on_bad_lines='skip'",
    ] + ([f"skiprows={csv.preamble}"] if csv.preamble else [])
    args += ["encoding_errors='replace'"] if csv.mixed_encoding else []
    return (
        f'CSV = sys.argv[1] if len(sys.argv) > 1 else "{filename}"\n\n'
        "# 1. Read the file with the settings ClassLab detected.\n"
        "df = pd.read_csv(\n    "
        + ",\n    ".join(args)
        + ",\n)\n\n"
        + inspect.getsource(parse_formatted)
        + '\n\nfor col in SETTINGS["formatted"]:  # "$1,200", "45%", "1.234,5": numbers, as ClassLab read them\n'
        '    df[col] = parse_formatted(df[col].astype(str).str.strip(), SETTINGS["decimal"])[0]\n'
    )


def labels_code(target_dtype) -> str:
    """Label-encode the target as :func:`lib.tabular.profile.check_target` does."""
    case_merge = ""
    if pd.api.types.is_bool_dtype(target_dtype):
        label_expr = 'raw.dropna().map(lambda v: "True" if bool(v) else "False")'
    elif pd.api.types.is_numeric_dtype(target_dtype):
        label_expr = (
            "raw.astype('float64')[np.isfinite(raw.astype('float64'))]"
            ".map(lambda v: str(int(v)) if float(v).is_integer() else repr(float(v)))"
        )
    else:  # spaces stripped, then every spelling mapped to the class with the same letters
        label_expr = "raw.dropna().astype(str).str.strip()"
        case_merge = (
            "# Labels that differ only in upper / lower case are one class, as in ClassLab.\n"
            'spelling = {c.casefold(): c for c in SETTINGS["classes"]}\n'
            "labels = labels.map(lambda s: spelling.get(s.casefold(), s))\n"
        )
    return (
        "# 2. Label-encode the target (rows without a target are dropped).\n"
        'raw = df[SETTINGS["target"]]\n'
        f"labels = {label_expr}\n"
        f"{case_merge}"
        'labels = labels[labels.isin(SETTINGS["classes"]) & (labels != "")]\n'
        'code_of = {c: i for i, c in enumerate(SETTINGS["classes"])}\n'
        "y = labels.map(code_of).to_numpy(dtype=np.int64)\n"
        "rows = df.index.get_indexer(labels.index)\n"
    )


def split_code() -> str:
    return (
        "# 3. Stratified split with a seed.\n"
        + inspect.getsource(stratified_split)
        + '\npos_train, pos_test = stratified_split(y, SETTINGS["n_test"], SETTINGS["seed"])\n'
        "rows_train, rows_test = rows[pos_train], rows[pos_test]\n"
        "y_train, y_test = y[pos_train], y[pos_test]\n"
    )


def preprocessing_code() -> str:
    """Each column's treatment, fitted on the training rows, exactly as ClassLab computes it:
    :func:`numbers_code` then :func:`encoding_code`."""
    return numbers_code() + "\n\n" + encoding_code()


def numbers_code() -> str:
    """The numbers and date parts, and their medians, means and standard deviations."""
    return f'''# 4. Numbers: absurd values -> missing, the training median fills the gaps (a 0/1
#    indicator marks where a value was missing), standardised with the training mean / std.
#    Dates: the parts that vary. True / false: 0 / 1. Categories: one-hot 0 / 1, rare or
#    unseen ones in "{OTHER}". The 0/1 columns are not rescaled.
def numbers(col):
    v = pd.to_numeric(df[col], errors="coerce").astype("float64").to_numpy(copy=True)
    with np.errstate(invalid="ignore"):
        v[~np.isfinite(v) | (np.abs(v) > {MAX_ABS!r})] = np.nan
    return v


def date_parts(col, fmt):
    text = df[col].astype("string").str.strip()
    stamps = pd.to_datetime(text, format=fmt, errors="coerce", utc=True).dt
    parts = {{"year": stamps.year, "month": stamps.month, "weekday": stamps.dayofweek,
             "hour": stamps.hour}}
    return {{p: v.to_numpy(dtype="float64", na_value=np.nan) for p, v in parts.items()}}


values = [numbers(col) for col in SETTINGS["numeric"]]
for col, spec in SETTINGS["dates"].items():
    parts = date_parts(col, spec["format"])
    values += [parts[p] for p in spec["parts"]]
medians, means, stds = [], [], []
for v in values:
    train = v[rows_train]
    known = train[~np.isnan(train)]
    medians.append(float(np.median(known)) if known.size else 0.0)
    column = train.astype(np.float32)
    column[np.isnan(train)] = np.float32(medians[-1])
    means.append(float(column.mean(dtype=np.float64)))
    centred = column.astype(np.float64) - means[-1]
    std = float(np.sqrt((centred * centred).sum() / centred.size))
    stds.append(std if std > 1e-12 else 1.0)
'''


def encoding_code() -> str:
    """True / false as 0/1, the numbers' transform and the one-hot blocks: ``features(rows)``."""
    return f"""def true_false(col):
    s = df[col]
    if s.dtype == bool:
        return s.to_numpy()
    text = s.astype("string").str.strip().str.casefold()
    return text.isin(["true", "1", "1.0"]).to_numpy(dtype=bool, na_value=False)


def features(rows):
    scaled, flags = [], []
    for j, v in enumerate(values):
        x = v[rows].astype(np.float32)
        gaps = np.isnan(x)
        if j in SETTINGS["indicators"]:
            flags.append(gaps.astype(np.float32))
        x[gaps] = np.float32(medians[j])
        scaled.append((x - np.float32(means[j])) / np.float32(stds[j]))
    parts = scaled + flags + [true_false(col)[rows].astype(np.float32) for col in SETTINGS["booleans"]]
    for col, kept in SETTINGS["categorical"].items():
        s = df[col].iloc[rows]
        s = s.astype(object).where(s.notna(), {MISSING!r}).astype(str)
        codes = pd.Categorical(s, categories=kept).codes
        block = np.zeros((len(kept) + SETTINGS["other"][col], len(rows)), dtype=np.float32)
        hit = codes >= 0
        block[codes[hit], np.flatnonzero(hit)] = 1.0
        if SETTINGS["other"][col]:
            block[-1, ~hit] = 1.0  # the {OTHER!r} column: rare or never seen in training
        parts += list(block)
    return np.column_stack(parts).astype(np.float32)


X_train, X_test = features(rows_train), features(rows_test)
"""


def data_code(pre, target, csv, n_test: int, seed: int, filename: str) -> str:
    """Every data part, ending with ``X_train``, ``X_test``, ``y_train``, ``y_test``."""
    target_dtype = csv.frame[target.name].dtype
    return "\n".join(
        [
            settings_line(data_settings(pre, target, csv, n_test, seed)),
            reading_code(csv, filename),
            labels_code(target_dtype),
            split_code(),
            preprocessing_code(),
        ]
    )


# --- the model and its training ------------------------------------------------------------------


def training_settings(result) -> dict:
    """What the training parts need, from a finished :class:`~lib.tabular.pipeline.PipelineResult`
    (its trainer's restarts and the epochs it actually trained, so the script stops where the
    app stopped)."""
    from lib.tabular.pipeline import lr_schedule, plan

    cfg = result.config
    how = plan(len(result.prepared.y_train), result.n_classes, cfg)
    validated = result.best_epoch is not None
    return {
        "hidden": [int(h) for h in cfg.hidden],
        "method": result.method,
        "epochs": int(result.best_epoch if validated else result.epochs),
        "batch_size": int(how.batch),
        "learning_rate": float(cfg.learning_rate),
        "schedule": {str(k): v for k, v in lr_schedule(how.epochs).items()}
        if result.method == "adam" else {},
        "restarts": list(getattr(result, "restarts", [])),
        "n_validation": int(result.n_validation),
    }  # fmt: skip


def model_code() -> str:
    return """# 5. The model returns logits: 1 for two classes (BCEWithLogitsLoss), K otherwise
#    (CrossEntropyLoss). Initialised like nn.Linear, from a seeded generator.
torch.set_num_threads(1)  # one thread: the same arithmetic in the same order as ClassLab
K = len(SETTINGS["classes"])
sizes = [X_train.shape[1], *TRAINING["hidden"]]
layers = []
for a, b in zip(sizes[:-1], sizes[1:]):
    layers += [nn.Linear(a, b), nn.ReLU()]
layers.append(nn.Linear(sizes[-1], 1 if K == 2 else K))
model = nn.Sequential(*layers)
init = torch.Generator().manual_seed(SETTINGS["seed"])
with torch.no_grad():
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=init)
            bound = 1 / math.sqrt(layer.in_features)
            nn.init.uniform_(layer.bias, -bound, bound, generator=init)
weights = [m.weight for m in model.modules() if isinstance(m, nn.Linear)]
biases = [m.bias for m in model.modules() if isinstance(m, nn.Linear)]
loss_fn = nn.BCEWithLogitsLoss() if K == 2 else nn.CrossEntropyLoss()
"""


def lbfgs_code() -> str:
    return """# 6. Full-batch L-BFGS on the mean loss plus scikit-learn's C=1 penalty on the weights
#    (||W||² / 2n, no penalty on the biases): the baseline's objective, minimised in PyTorch.
Xt, yt = torch.from_numpy(X_train), torch.from_numpy(y_train)
targets = yt.float().unsqueeze(1) if K == 2 else yt
l2 = 1.0 / len(yt)
optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=1, history_size=10,
                              line_search_fn="strong_wolfe")


def closure():
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(Xt), targets)
    loss = loss + (l2 / 2) * sum(w.pow(2).sum() for w in weights)
    loss.backward()
    return loss


model.train()
for epoch in range(1, TRAINING["epochs"] + 1):  # one step over all training rows per epoch
    optimizer.step(closure)
    if epoch in TRAINING["restarts"]:  # where ClassLab's line search stalled: a fresh start
        optimizer.state.clear()
"""


def adam_code() -> str:
    return """# 6. Adam on mini-batches, the L2 penalty (weight decay 1/n) on the weights only, the
#    learning rate lowered late. With early stopping, ClassLab held out a validation split
#    of the training rows and kept the weights of the epoch with the lowest validation
#    loss: TRAINING["epochs"] is that epoch.
if TRAINING["n_validation"]:
    pos_fit, pos_val = stratified_split(y_train, TRAINING["n_validation"], SETTINGS["seed"])
    X_fit, y_fit = X_train[pos_fit], y_train[pos_fit]
else:
    X_fit, y_fit = X_train, y_train
Xt, yt = torch.from_numpy(X_fit), torch.from_numpy(y_fit)
targets = yt.float().unsqueeze(1) if K == 2 else yt
lr = TRAINING["learning_rate"]
optimizer = torch.optim.Adam(
    [{"params": weights, "weight_decay": 1.0 / len(yt)}, {"params": biases, "weight_decay": 0.0}],
    lr=lr,
)
shuffle = torch.Generator().manual_seed(SETTINGS["seed"])
batch = min(TRAINING["batch_size"], len(yt))
model.train()
for epoch in range(TRAINING["epochs"]):
    order = torch.randperm(len(yt), generator=shuffle)
    for start in range(0, len(yt), batch):
        index = order[start : start + batch]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(Xt[index]), targets[index])
        loss.backward()
        optimizer.step()
    factor = TRAINING["schedule"].get(str(epoch + 1))
    if factor is not None:
        for group in optimizer.param_groups:
            group["lr"] = lr * factor
"""


def evaluation_code() -> str:
    return (
        "# 7. Evaluate on the test rows, beside scikit-learn's LogisticRegression on the same\n"
        "#    split, with 95 % Wilson intervals.\n"
        "Z95 = 1.959963984540054\n\n\n"
        + inspect.getsource(wilson)
        + """

model.eval()
with torch.no_grad():
    logits = model(torch.from_numpy(X_test))
pred = (logits[:, 0] >= 0).long().numpy() if K == 2 else logits.argmax(dim=1).numpy()
print(classification_report(y_test, pred, labels=list(range(K)), target_names=SETTINGS["classes"], zero_division=0))
baseline = LogisticRegression(max_iter=1000, random_state=SETTINGS["seed"]).fit(X_train, y_train)
base_pred = baseline.predict(X_test)
print(f"test accuracy {(pred == y_test).mean():.4f}  baseline {(base_pred == y_test).mean():.4f}")
for name, right in (("network", pred == y_test), ("baseline", base_pred == y_test)):
    low, high = wilson(int(right.sum()), len(right))
    print(f"{name} 95% interval {low:.4f}-{high:.4f}")
"""
    )


# --- the code panel of the page's training step ------------------------------------------------


def panel_training_code(run) -> str:
    """The loop a run performs, short enough to read; it runs with the page's ``X_train``
    (float32) and ``y_train`` (class codes)."""
    loop = _panel_lbfgs(run) if run.plan.method == "lbfgs" else _panel_adam(run)
    return _panel_head(run) + loop


def _panel_head(run) -> str:
    trainer, cfg = run.trainer, run.config
    n_features, k = trainer.X_train.shape[1], trainer.n_classes
    sizes = [n_features, *cfg.hidden]
    layers = []
    for a, b in zip(sizes, sizes[1:], strict=False):
        layers += [f"nn.Linear({a}, {b})", "nn.ReLU()"]
    layers.append(f"nn.Linear({sizes[-1]}, {1 if k == 2 else k})")
    if k == 2:
        loss = "nn.BCEWithLogitsLoss()  # 1 logit; P(class 1) = sigmoid(logit), inside the loss"
        targets = "y_train.float().unsqueeze(1)  # shaped (N, 1) like the logits"
    else:
        loss = f"nn.CrossEntropyLoss()  # {k} logits; softmax + log inside the loss"
        targets = "y_train  # class codes, shape (N,)"
    return f"""import torch
from torch import nn

torch.manual_seed({cfg.seed})
X_train, y_train = torch.as_tensor(X_train), torch.as_tensor(y_train)
model = nn.Sequential({", ".join(layers)})  # returns logits
loss_fn = {loss}
targets = {targets}
weights = [m.weight for m in model.modules() if isinstance(m, nn.Linear)]
biases = [m.bias for m in model.modules() if isinstance(m, nn.Linear)]
l2 = 1 / len(X_train)  # scikit-learn's LogisticRegression(C=1): ||W||² / 2n, biases free
"""


def _panel_lbfgs(run) -> str:
    return f"""optimizer = torch.optim.LBFGS(model.parameters(), max_iter=1, line_search_fn="strong_wolfe")


def closure():  # L-BFGS evaluates the objective several times per step
    optimizer.zero_grad()
    loss = loss_fn(model(X_train), targets) + l2 / 2 * sum((w**2).sum() for w in weights)
    loss.backward()
    return loss


previous = float("inf")
for epoch in range({run.epochs}):  # each step uses all training rows
    objective = optimizer.step(closure).item()  # before this step
    if previous - objective < 1e-7:  # no more progress: the minimum
        break
    previous = objective
"""


def _panel_adam(run) -> str:
    trainer, cfg = run.trainer, run.config
    schedule = {at: round(cfg.learning_rate * f, 6) for at, f in run.schedule.items()}
    batch = trainer.batch_size
    stopping = (
        f"# Early stopping: ClassLab trains on {len(trainer.y_train):,} of the training rows, "
        f"evaluates the other {len(trainer.y_test):,} (validation) after every epoch, stops "
        f"{run.plan.patience} epochs after their loss last fell and restores the best epoch.\n"
        if run.plan.patience
        else ""
    )
    return f"""optimizer = torch.optim.Adam([{{"params": weights, "weight_decay": l2}},
                              {{"params": biases, "weight_decay": 0.0}}], lr={cfg.learning_rate:g})
lower_lr_at = {schedule!r}  # epoch -> learning rate
{stopping}for epoch in range({run.epochs}):
    if epoch in lower_lr_at:
        for group in optimizer.param_groups:
            group["lr"] = lower_lr_at[epoch]
    order = torch.randperm(len(X_train))
    for start in range(0, len(X_train), {batch}):
        idx = order[start : start + {batch}]
        optimizer.zero_grad()
        loss = loss_fn(model(X_train[idx]), targets[idx])
        loss.backward()
        optimizer.step()
"""
