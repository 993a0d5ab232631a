"""The engine package: importable without Django or a database driver, and its public names
are the ones docs/sla.md lists."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import services.sla.engine as engine

ROOT = Path(__file__).resolve().parents[3]


def test_engine_imports_without_django_or_a_database_driver() -> None:
    # A fresh interpreter in which importing Django or a PostgreSQL driver fails outright.
    script = (
        "import sys\n"
        "for name in ('django', 'psycopg', 'psycopg2', 'django_tenants'):\n"
        "    sys.modules[name] = None\n"
        "import services.sla.engine as engine\n"
        "print(len(engine.__all__))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(engine.__all__)


def documented_names() -> set[str]:
    """Backticked names in the module table at the top of docs/sla.md (rows of public modules)."""
    text = (ROOT / "docs" / "sla.md").read_text(encoding="utf-8")
    names: set[str] = set()
    for line in text.splitlines():
        row = re.match(r"^\| `(\w+)\.py` \| (.*) \|$", line)
        if row and "(internal)" not in row.group(2):
            names.update(re.findall(r"`(\w+)`", row.group(2)))
    return names


def test_public_names_are_re_exported_and_documented() -> None:
    documented = documented_names()
    assert documented, "the module table of docs/sla.md was not found"
    assert documented == set(engine.__all__)
    for name in engine.__all__:
        assert getattr(engine, name) is not None
