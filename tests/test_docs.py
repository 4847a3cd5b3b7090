"""Every ```python block in README.md and docs/*.md runs, top to bottom per page.

Blocks of one page share a namespace (a page reads like a session). A block can opt out
with ```python no-run (for code that needs the network or a long training run).
"""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python([^\n]*)\n(.*?)^```", re.S | re.M)


def _blocks(page):
    return [(m.group(1).strip(), m.group(2)) for m in BLOCK.finditer(page.read_text())]


@pytest.mark.parametrize("page", [p for p in PAGES if p.exists()], ids=lambda p: p.name)
def test_code_blocks_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # pages that write files write them here
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = {"__name__": f"docs_{page.stem}"}
    ran = 0
    for options, code in _blocks(page):
        if "no-run" in options:
            continue
        try:
            exec(compile(code, f"{page.name}", "exec"), namespace)  # our own docs, not user text
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"{page.name}: block {ran + 1} failed: {type(exc).__name__}: {exc}\n{code}")
        ran += 1
