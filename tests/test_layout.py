"""The suite is a package tree: `tests` is this folder, and no test module edits the import path."""

from __future__ import annotations

import re
from pathlib import Path

import tests

HERE = Path(__file__).resolve().parent
# Appending, inserting or assigning to the interpreter's import path, in any spelling.
PATH_EDIT = re.compile(r"sys\.path\s*(\.\s*(insert|append|extend|remove)\b|\+?=)")


def test_tests_package_is_this_folder() -> None:
    """prance's wheel installs a top-level `tests` too: ours must win (pytest `pythonpath`)."""
    assert Path(tests.__file__).resolve().parent == HERE


def test_every_test_folder_is_a_package() -> None:
    """A folder of test modules without __init__.py would be imported under a bare name."""
    folders = {p.parent for p in HERE.rglob("*.py") if "__pycache__" not in p.parts}
    assert sorted(str(f) for f in folders if not (f / "__init__.py").is_file()) == []


def test_no_module_edits_the_import_path() -> None:
    """Helpers are imported as `tests.<area>.<module>`, never by putting a folder on the path."""
    offenders = [f"{p.relative_to(HERE)}:{n}" for p in sorted(HERE.rglob("*.py"))
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if PATH_EDIT.search(line) and p != Path(__file__).resolve()]
    assert offenders == []
