"""docs/optim.md: every ```python block runs, in order, as one script (its asserts are
the checks), in a subprocess so the page cannot disturb the test session."""

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "optim.md"


def test_optim_page_code_blocks_run(tmp_path):
    blocks = re.findall(r"^```python\n(.*?)^```", DOC.read_text(), flags=re.S | re.M)
    assert len(blocks) >= 8
    script = tmp_path / "optim_doc.py"
    script.write_text("\n\n".join(blocks))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "diverges" in result.stdout and "online" in result.stdout
