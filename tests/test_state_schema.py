"""lib/ui/state.py declares every session, widget and URL key that the code uses, and only those.

The code is read, not run: every ``key=`` keyword of a call (Streamlit widgets and ClassLab
helpers such as ``quiz(key=…)``), every ``st.session_state[...]`` / ``.get`` / ``.pop`` /
``.setdefault`` / ``in st.session_state`` (also through an alias like ``ss =
st.session_state``) and every ``st.query_params`` read, in app.py, pages/ and lib/ui/. A key
expression is resolved to strings: literals, module constants, imported constants
(``state.DATASET_KEY``), loop variables over a literal tuple, and a function's parameter
through the arguments its call sites pass (``logit_inputs("sm")`` → ``sm_typed``). What
cannot be resolved becomes a wildcard ``{}`` (``f"{key}_q{i}"`` → ``{}_q{}``), matched
against the schema's families (``"{quiz}_q{i}"``).

When a test here fails because you added a key: add one line for it to ``KEYS`` in
lib/ui/state.py (name, page, kind, type, default, range or choices, meaning).
"""

from __future__ import annotations

import ast
import importlib
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lib.ui import state

ROOT = Path(__file__).resolve().parent.parent
WILD = "\x00"  # an unknown part of a key while resolving; shown as {} in messages


def scanned_files() -> list[Path]:
    return [
        ROOT / "app.py",
        *sorted((ROOT / "pages").glob("*.py")),
        *sorted((ROOT / "lib" / "ui").rglob("*.py")),
    ]


# --- the scanner ------------------------------------------------------------------------------


@dataclass
class Use:
    name: str  # resolved; WILD marks an unknown part
    where: str  # file:line
    bound: bool = False  # a widget bound to the link (bind="query-params")
    url: bool = False  # read through st.query_params


@dataclass
class Module:
    path: Path
    tree: ast.Module
    parents: dict = field(default_factory=dict)
    constants: dict = field(default_factory=dict)  # name → str | dict | tuple (literals)
    aliases: dict = field(default_factory=dict)  # local name → module path or "module:attr"
    state_aliases: set = field(default_factory=set)  # names bound to st.session_state


def _module(path: Path) -> Module:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    mod = Module(path, tree)
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            mod.parents[child] = node
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = []
                if isinstance(target, ast.Name):
                    pairs = [(target, node.value)]
                elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    pairs = list(zip(target.elts, node.value.elts, strict=False))
                for name, value in pairs:
                    if not isinstance(name, ast.Name):
                        continue
                    try:
                        mod.constants[name.id] = ast.literal_eval(value)
                    except ValueError:
                        pass
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                mod.aliases[alias.asname or alias.name] = f"{node.module}:{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                mod.aliases[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _is_state(node.value, mod):
            mod.state_aliases |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return mod


def _is_state(node, mod: Module) -> bool:
    text = ast.unparse(node)
    return text == "st.session_state" or text in mod.state_aliases


def _is_query(node) -> bool:
    return ast.unparse(node) == "st.query_params"


def _imported(mod: Module, name: str):
    """The value of an imported name (``from lib.ui.state import X`` / ``state.X``)."""
    target = mod.aliases.get(name)
    if target is None:
        return None
    module, _, attr = target.partition(":")
    try:
        if attr:
            try:
                return importlib.import_module(f"{module}.{attr}")
            except ImportError:
                return getattr(importlib.import_module(module), attr)
        return importlib.import_module(module)
    except Exception:  # not ours to import (or a page): unknown
        return None


def _own_module(mod: Module):
    """The imported module of a scanned file under lib/ (pages only run, never import)."""
    if not mod.path.is_relative_to(ROOT / "lib"):
        return None
    name = ".".join(mod.path.relative_to(ROOT).with_suffix("").parts)
    try:
        return importlib.import_module(name)
    except Exception:
        return None


class Scanner:
    def __init__(self, paths: list[Path]):
        self.modules = [_module(p) for p in paths]
        # Function name → [(module, FunctionDef)], and every call in the scanned code.
        self.functions: dict[str, list] = {}
        self.calls: list[tuple[Module, ast.Call]] = []
        for mod in self.modules:
            for node in ast.walk(mod.tree):
                if isinstance(node, ast.FunctionDef):
                    self.functions.setdefault(node.name, []).append((mod, node))
                elif isinstance(node, ast.Call):
                    self.calls.append((mod, node))
        self.unresolved: list[str] = []

    # -- resolving an expression to the strings it can be -------------------------------------

    def values(self, node, mod: Module, depth: int = 0) -> list:
        """Possible values of ``node``: strings (WILD for unknown parts) or other literals."""
        if depth > 4:
            return [WILD]
        if isinstance(node, ast.Constant):
            return [node.value]
        if isinstance(node, ast.JoinedStr):
            parts = []
            for part in node.values:
                if isinstance(part, ast.Constant):
                    parts.append([str(part.value)])
                else:
                    found = [v for v in self.values(part.value, mod, depth + 1)]
                    parts.append([v if isinstance(v, str) else str(v) for v in found])
            return ["".join(combo) for combo in itertools.product(*parts)]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self.values(node.left, mod, depth + 1)
            right = self.values(node.right, mod, depth + 1)
            return [a + b for a in left for b in right if isinstance(a, str) and isinstance(b, str)]
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            base = _imported(mod, node.value.id)
            if base is not None and hasattr(base, node.attr):
                return [getattr(base, node.attr)]
            return [WILD]
        if isinstance(node, ast.Name):
            return self._name(node, mod, depth)
        if isinstance(node, ast.Dict):
            try:
                return [ast.literal_eval(node)]
            except ValueError:
                return [WILD]
        return [WILD]

    def _name(self, node: ast.Name, mod: Module, depth: int) -> list:
        function = self._enclosing(node, mod)
        if function is not None:
            # A loop variable over a literal tuple / list in the same function.
            for loop in ast.walk(function):
                if (
                    isinstance(loop, ast.For)
                    and isinstance(loop.target, ast.Name)
                    and loop.target.id == node.id
                ):
                    if isinstance(loop.iter, ast.Tuple | ast.List):
                        return [v for e in loop.iter.elts for v in self.values(e, mod, depth + 1)]
                    return [WILD]
            params = [a.arg for a in function.args.args + function.args.kwonlyargs]
            if node.id in params:
                return self._parameter(function, node.id, depth)
        if node.id in mod.constants:
            return [mod.constants[node.id]]
        value = _imported(mod, node.id)
        if value is not None:
            return [value]
        own = _own_module(mod)  # a constant computed in a lib module (``SCHEMA["x"].name``)
        if own is not None and isinstance(getattr(own, node.id, None), str):
            return [getattr(own, node.id)]
        return [WILD]

    def _enclosing(self, node, mod: Module):
        while node in mod.parents:
            node = mod.parents[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None

    def _parameter(self, function: ast.FunctionDef, name: str, depth: int) -> list:
        """What the call sites of ``function`` pass for its parameter ``name``."""
        positional = [a.arg for a in function.args.args]
        found = []
        for mod, call in self.calls:
            callee = call.func
            called = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", None)
            if called != function.name:
                continue
            arg = None
            for kw in call.keywords:
                if kw.arg == name:
                    arg = kw.value
            if arg is None and name in positional:
                index = positional.index(name) - (1 if positional[:1] == ["self"] else 0)
                if index < len(call.args) and not any(
                    isinstance(a, ast.Starred) for a in call.args[: index + 1]
                ):
                    arg = call.args[index]
            if arg is not None:
                found += self.values(arg, mod, depth + 1)
        return found or [WILD]

    # -- the uses ------------------------------------------------------------------------------

    def _bound(self, call: ast.Call, mod: Module) -> bool:
        for kw in call.keywords:
            if kw.arg == "bind":
                return self.values(kw.value, mod) == ["query-params"]
            if kw.arg is None:  # **options
                for value in self.values(kw.value, mod):
                    if isinstance(value, dict) and value.get("bind") == "query-params":
                        return True
        return False

    def uses(self) -> list[Use]:
        uses = []
        for mod in self.modules:
            rel = mod.path.relative_to(ROOT) if mod.path.is_relative_to(ROOT) else mod.path.name
            for node in ast.walk(mod.tree):
                where = f"{rel}:{getattr(node, 'lineno', '?')}"
                found: list[tuple[ast.AST, dict]] = []
                if isinstance(node, ast.Call):
                    for kw in node.keywords:
                        if kw.arg == "key" and not isinstance(kw.value, ast.Lambda):
                            found.append((kw.value, {"bound": self._bound(node, mod)}))
                    func = node.func
                    if (
                        isinstance(func, ast.Attribute)
                        and func.attr in ("get", "pop", "setdefault", "get_all")
                        and node.args
                    ):
                        if _is_state(func.value, mod):
                            found.append((node.args[0], {}))
                        elif _is_query(func.value):
                            found.append((node.args[0], {"url": True}))
                elif isinstance(node, ast.Subscript):
                    if _is_state(node.value, mod):
                        found.append((node.slice, {}))
                    elif _is_query(node.value):
                        found.append((node.slice, {"url": True}))
                elif isinstance(node, ast.Compare) and len(node.comparators) == 1:
                    if isinstance(node.ops[0], ast.In | ast.NotIn):
                        if _is_state(node.comparators[0], mod):
                            found.append((node.left, {}))
                        elif _is_query(node.comparators[0]):
                            found.append((node.left, {"url": True}))
                for expr, flags in found:
                    for value in self.values(expr, mod):
                        if isinstance(value, str) and value.strip(WILD):
                            uses.append(Use(value, where, **flags))
                        elif not isinstance(value, int):  # ss[...][3] reads a tuple item
                            self.unresolved.append(f"{where}: {ast.unparse(expr)}")
        return uses


# --- matching uses against the schema ---------------------------------------------------------


def template(name: str) -> str:
    """A declared family ("{quiz}_q{i}") or a resolved use ("\\0_q\\0") in one spelling."""
    return re.sub(r"\{[^}]*\}", WILD, name)


def pattern(name: str) -> re.Pattern:
    return re.compile(".+".join(map(re.escape, template(name).split(WILD))) + r"\Z")


def shown(name: str) -> str:
    return name.replace(WILD, "{}")


def match(uses: list[Use], declared: list[str]):
    """(undeclared uses, declared names used nowhere)."""
    concrete = {d for d in declared if WILD not in template(d)}
    families = {template(d): d for d in declared if WILD in template(d)}
    used = set()
    undeclared = []
    for use in uses:
        if WILD not in use.name:
            if use.name in concrete:
                used.add(use.name)
                continue
            hits = [d for t, d in families.items() if pattern(t).match(use.name)]
        elif use.name in families:  # the family itself ("{}_q{}")
            hits = [families[use.name]]
        else:
            hits = [d for d in concrete if pattern(use.name).match(d)]
        used.update(hits)
        if not hits:
            undeclared.append(use)
    unused = [d for d in declared if d not in used]
    return undeclared, unused


@pytest.fixture(scope="module")
def scan():
    scanner = Scanner(scanned_files())
    return scanner, scanner.uses()


def test_every_key_used_is_declared(scan):
    scanner, uses = scan
    undeclared, _ = match(uses, list(state.SCHEMA))
    assert not scanner.unresolved, scanner.unresolved
    assert not undeclared, "add these to KEYS in lib/ui/state.py:\n" + "\n".join(
        f"  {shown(u.name)}  ({u.where})" for u in undeclared
    )


def test_every_declared_key_is_used(scan):
    _, uses = scan
    _, unused = match(uses, list(state.SCHEMA))
    assert not unused, f"declared in lib/ui/state.py but used nowhere: {unused}"


def test_link_keys_are_the_bound_ones(scan):
    """kind="url" exactly for the keys a widget binds to the link or the code reads from it."""
    _, uses = scan
    linked = [u for u in uses if u.bound or u.url]
    url_names = [k.name for k in state.KEYS if k.kind == "url"]
    not_url, _ = match(linked, url_names)
    assert not not_url, "bound to the link but not kind='url': " + ", ".join(
        f"{shown(u.name)} ({u.where})" for u in not_url
    )
    _, never_linked = match(linked, url_names)
    assert not never_linked, f"kind='url' but no widget binds it: {never_linked}"


def test_the_scanner_finds_what_it_must(tmp_path):
    """The checks above can fail: a file using keys every way the scanner knows."""
    (tmp_path / "page.py").write_text(
        "import streamlit as st\n"
        "from lib.ui.state import DATASET_KEY\n"
        "URL = {'bind': 'query-params'}\n"
        "NAME = 'brand_new'\n"
        "ss = st.session_state\n"
        "st.slider('x', key='thr', **URL)\n"
        "st.button('go', key=NAME)\n"
        "ss['undeclared_object'] = 1\n"
        "st.session_state.get(DATASET_KEY)\n"
        "'flag' in st.session_state\n"
        "st.query_params.get('present')\n"
        "def draw(prefix):\n"
        "    st.text_input('t', key=f'{prefix}_typed')\n"
        "    for k in ('one', 'two'):\n"
        "        st.session_state.pop(k)\n"
        "draw('zz')\n"
        "st.radio('q', [], key=f'{NAME}_q{3}')\n"
        "st.session_state[make()] = 1\n"
    )
    scanner = Scanner([tmp_path / "page.py"])
    uses = scanner.uses()
    names = {shown(u.name) for u in uses}
    assert len(scanner.unresolved) == 1 and "make()" in scanner.unresolved[0]
    assert names == {"thr", "brand_new", "undeclared_object", "dataset", "flag", "present",
                     "zz_typed", "one", "two", "brand_new_q3"}  # fmt: skip
    assert {u.name for u in uses if u.bound} == {"thr"}
    assert {u.name for u in uses if u.url} == {"present"}
    undeclared, unused = match(uses, ["thr", "dataset", "present", "{p}_typed", "old"])
    assert {shown(u.name) for u in undeclared} == {
        "brand_new", "undeclared_object", "flag", "one", "two", "brand_new_q3"
    }  # fmt: skip
    assert unused == ["old"]
    # A family matches its instances, and an unresolved use matches a family or instances.
    assert match([Use("sm_name3", "x")], ["sm_name{i}"]) == ([], [])
    assert match([Use(f"{WILD}_q{WILD}", "x")], ["{quiz}_q{i}", "a_quiz"]) == ([], ["a_quiz"])
    assert match([Use(f"sm_z{WILD}", "x")], ["sm_z0", "sm_z1"]) == ([], [])


# --- the schema itself ------------------------------------------------------------------------


def test_schema_is_well_formed():
    assert len(state.SCHEMA) == len(state.KEYS), "a name is declared twice"
    pages = set(state.ALL_PAGES)
    for key in state.KEYS:
        assert key.kind in ("url", "widget", "object"), key
        assert key.pages and set(key.pages) <= pages, key
        assert key.meaning, f"{key.name}: say what it means"
        if key.kind != "url":
            continue
        choices = key.allowed()
        if choices is not None:
            assert len(set(choices)) == len(choices), key
            if key.default is not None:
                spelt = f"{key.default:g}" if isinstance(key.default, float) else key.default
                assert str(key.default) in choices or spelt in choices, key
        elif key.type in (int, float):
            assert key.min is not None and key.max is not None and key.min <= key.max, key
            if key.default is not None:
                assert key.min <= key.default <= key.max, key
        elif key.type is str:
            assert key.max, f"{key.name}: text from a link needs a length limit"


def test_sidebar_names_come_from_the_schema():
    assert state.SIDEBAR_DEFAULTS == {
        "dataset": "Breast cancer", "points": 300, "noise": 0.2, "classes": 3, "data_seed": 0
    }  # fmt: skip
    assert "lab_signature" not in state.OBJECT_KEYS  # the old table's key nothing used
    assert {"lab_notice", "lab_figure", "yd_run", "yd_running", "yd_notice"} <= set(
        state.OBJECT_KEYS
    )


# --- the contract with shared links -----------------------------------------------------------


def LOGITS(p: str) -> list[str]:
    return [f"{p}_typed", f"{p}_k", *(f"{p}_name{i}" for i in range(6)),
            *(f"{p}_z{i}" for i in range(6))]  # fmt: skip


SIDEBAR = ["dataset", "points", "noise", "classes", "data_seed", "present"]

# Every URL query key per page, as links already handed out spell them. A rename breaks those
# links: change this list only together with a note in the README's changelog.
FROZEN_URL_KEYS = {
    "app.py": SIDEBAR,
    "pages/1_Encoding.py": [*SIDEBAR, "enc_order", "enc_drop", "enc_students", "enc_col",
                            "enc_nom", "enc_km", "enc_new", "enc_hu"],
    "pages/2_Sigmoid.py": ["present", "sig_x", "sig_w", "sig_b"],
    "pages/3_Decision_Threshold.py": [*SIDEBAR, "thr", "thr_seed", "thr_recall", "thr_cost"],
    "pages/4_Binary_Cross_Entropy.py": ["present", "bce_p", "bce_y", "bce_red", "bce_z", "bce_lr",
                                        "bce_bs", "bce_seed", "bce_step"],
    "pages/5_Softmax_and_Argmax.py": ["present", *LOGITS("sm"), "sm_temp", "sm_shift", "sm_dom",
                                      "sm_sz"],
    "pages/6_Multiclass_Cross_Entropy.py": ["present", *LOGITS("ce"), "ce_y", "ce_ls",
                                            "ce_batch", "ce_seed"],
    "pages/7_Metrics_and_Report.py": [*SIDEBAR, "met_model", "met_seed", "met_norm",
                                      "met_class", "met_true", "met_pred", "met_minority"],
    "pages/8_Training_Lab.py": ["present", "lab_data", "lab_points", "lab_noise", "lab_classes",
                                "lab_split", "lab_dseed", "lab_std", "lab_layers", "lab_units",
                                "lab_act", "lab_opt", "lab_lr", "lab_bs", "lab_wd", "lab_seed",
                                "lab_norms"],
    "pages/9_Your_Own_Data.py": ["present", "yd_enc", "yd_sep", "yd_dec", "yd_head",
                                 "yd_target", "yd_test", "yd_seed", "yd_hidden", "yd_epochs",
                                 "yd_thr"],
    "pages/10_Lesson_Plan.py": ["present"],
}  # fmt: skip


def test_url_keys_per_page_are_frozen():
    assert list(FROZEN_URL_KEYS) == list(state.ALL_PAGES)
    for page, expected in FROZEN_URL_KEYS.items():
        assert sorted(k.name for k in state.url_keys(page)) == sorted(expected), page


def test_picker_pages_are_the_pages_that_draw_the_picker():
    """The dataset keys are declared for exactly the pages that call dataset_picker()."""
    drawing = {
        path.relative_to(ROOT).as_posix()
        for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
        if "dataset_picker(" in path.read_text()
    }
    assert drawing == set(state.PICKER_PAGES)
