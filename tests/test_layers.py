"""The direction of the layers: ``geo`` is the domain, ``render`` draws, the pages glue.

``geo`` (readers, rules, store, analysis) never imports the presentation side
(``render``), the pages (``dashboard``, ``views``, ``app``) or a drawing or UI
library. ``render`` never imports the pages or Streamlit, so the command line
can draw a PDF brief without a web server. The command shell (``geo/cli.py``,
``geo/__main__.py``) is an application like the pages: it may use both sides.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHELL = {"geo/cli.py", "geo/__main__.py"}
DRAWING = {"folium", "branca", "altair", "matplotlib", "xyzservices", "typst", "weasyprint"}
PAGES = {"streamlit", "streamlit_folium", "dashboard", "views", "app"}


def imported_packages(path: Path) -> set[str]:
    """Top-level names of every module a file imports (at any depth, lazily or not)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def modules(package: str, *, skip: set[str] = frozenset()) -> list[Path]:
    return [
        path for path in sorted((ROOT / package).rglob("*.py"))
        if path.relative_to(ROOT).as_posix() not in skip
    ]


@pytest.mark.parametrize(
    "path", modules("geo", skip=SHELL), ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_the_domain_imports_nothing_that_draws_or_serves_pages(path):
    forbidden = imported_packages(path) & (DRAWING | PAGES | {"render"})
    assert not forbidden, f"{path.relative_to(ROOT)} imports {sorted(forbidden)}"


@pytest.mark.parametrize("path", modules("render"), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_presentation_side_imports_no_page_code(path):
    forbidden = imported_packages(path) & PAGES
    assert not forbidden, f"{path.relative_to(ROOT)} imports {sorted(forbidden)}"


@pytest.mark.parametrize("path", sorted(ROOT / p for p in SHELL), ids=lambda p: p.name)
def test_the_command_shell_runs_without_streamlit(path):
    forbidden = imported_packages(path) & PAGES
    assert not forbidden, f"{path.relative_to(ROOT)} imports {sorted(forbidden)}"


def test_the_check_is_imported_pulling_in_no_drawing_library():
    """At run time too: importing every domain module loads none of them indirectly."""
    domain = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in modules("geo", skip=SHELL)
    ]
    script = (
        "import importlib, sys\n"
        f"for name in {domain!r}: importlib.import_module(name)\n"
        f"banned = {sorted(DRAWING | PAGES | {'render'})!r}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in banned))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def test_the_contract_notices_a_forbidden_import(tmp_path):
    """The scanner itself: a lazy import inside a function is still found."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def draw():\n    import matplotlib.pyplot as plt\n    from render import brief\n"
    )
    assert {"matplotlib", "render"} <= imported_packages(sample)
