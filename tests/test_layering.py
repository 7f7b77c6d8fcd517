"""The architecture rules, read from the import statements.

- nothing outside lib/ui/ (and the pages) imports streamlit;
- lib/core/ imports nothing else of lib: it is the engine learners read on its own;
- lib/plots/ imports no torch: figures receive numbers and draw;
- lib/ never imports lib/ui/; pages never import pages.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_engine_never_imports_streamlit():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "lib").rglob("*.py")
        if "ui" not in path.relative_to(ROOT / "lib").parts[:1]
        and any(m == "streamlit" or m.startswith("streamlit.") for m in imported_modules(path))
    ]
    assert offenders == []


def test_pages_never_import_pages():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "pages").glob("*.py")
        if any(m == "pages" or m.startswith("pages.") for m in imported_modules(path))
    ]
    assert offenders == []


def test_engine_never_imports_lib_ui():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "lib").rglob("*.py")
        if "ui" not in path.relative_to(ROOT / "lib").parts[:1]
        and any(m == "lib.ui" or m.startswith("lib.ui.") for m in imported_modules(path))
    ]
    assert offenders == []


def test_layering_check_detects_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import streamlit as st\nfrom pages import x\n")
    assert {"streamlit", "pages"} <= imported_modules(bad)


def test_pages_folder_holds_only_pages():
    # Streamlit turns every .py in pages/ into a page, so helpers must live in lib/.
    for path in (ROOT / "pages").glob("*.py"):
        assert path.name[0].isdigit() and "_" in path.name, path.name


def _lib_modules(sub: str):
    return [p for p in (ROOT / "lib" / sub).rglob("*.py")]


def test_core_imports_nothing_else_of_lib():
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m
            for m in imported_modules(path)
            if (m == "lib" or m.startswith("lib.")) and not m.startswith("lib.core")
        )
        for path in _lib_modules("core")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_figures_never_import_torch():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _lib_modules("plots")
        if any(m == "torch" or m.startswith("torch.") for m in imported_modules(path))
    ]
    assert offenders == []


def test_lib_is_packages_with_one_idea_each():
    # The layout the README describes: the flat modules are gone.
    flat = sorted(p.name for p in (ROOT / "lib").glob("*.py"))
    assert flat == ["__init__.py", "catalog.py", "cli.py", "runtime.py", "text.py"]
    for package in ("core", "lessons", "tabular", "plots", "ui"):
        assert (ROOT / "lib" / package / "__init__.py").exists(), package


def test_text_rule_stands_alone():
    # lib/text.py is the one rule for outside text: every layer may use it, so it imports
    # nothing of lib and no Streamlit.
    imported = imported_modules(ROOT / "lib" / "text.py")
    assert not {m for m in imported if m == "lib" or m.startswith(("lib.", "streamlit"))}


def test_the_state_schema_imports_no_page_glue():
    # Every lib/ui module may read the schema (lib/ui/state.py) and the link check
    # (lib/ui/query.py) without an import cycle: they import no other lib/ui module at import
    # time (choices from UI modules are resolved lazily, by name).
    for name, allowed in (("state.py", set()), ("query.py", {"lib.ui.state"})):
        imported = imported_modules(ROOT / "lib" / "ui" / name)
        assert {m for m in imported if m.startswith("lib.ui")} <= allowed, name
