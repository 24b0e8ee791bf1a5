"""The layers are checked by import-linter (`make lint`); here, that its contracts hold on the
tree and would fail on each kind of finding that made them necessary: a core module importing
the API layer, one domain importing another, strawberry outside graphql/, an import cycle."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.paths import ROOT

LINT = [sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()",
        "--config", str(ROOT / "pyproject.toml")]


def lint(source: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"}
    return subprocess.run(LINT, capture_output=True, text=True, env=env, cwd=source.parent,
                          timeout=120, check=False)


def test_the_tree_keeps_its_contracts() -> None:
    done = lint(ROOT / "src")
    assert done.returncode == 0, done.stdout[-2000:]


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("core/health.py", "from ai_service.graphql.context import Context", "Layers"),
    ("finance/metrics.py", "from ai_service.trading.metrics import Metrics", "Layers"),
    ("finance/money.py", "import strawberry", "strawberry only"),
    ("trading/bars.py", "from ai_service.trading import backtest", "No import cycles"),
])
def test_a_finding_of_the_layers_issue_breaks_a_contract(
    tmp_path: Path, module: str, line: str, broken: str,
) -> None:
    source = tmp_path / "src"
    shutil.copytree(ROOT / "src", source, ignore=shutil.ignore_patterns("__pycache__"))
    target = source / "ai_service" / module
    target.write_text(target.read_text().replace("from __future__ import annotations\n",
                                                 f"from __future__ import annotations\n\n{line}\n",
                                                 1))
    done = lint(source)
    assert done.returncode != 0
    assert f"{broken}" in done.stdout
    assert "BROKEN" in done.stdout
