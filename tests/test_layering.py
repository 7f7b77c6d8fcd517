"""The architecture rule: lib/ (except lib/ui/) never imports streamlit; pages never import pages."""

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
