"""The SPA's GraphQL documents, read from frontend/src/graphql/operations.ts (for benchmarks that
send exactly what the SPA sends)."""

from __future__ import annotations

import re
from pathlib import Path

OPERATIONS_TS = Path(__file__).resolve().parent.parent / "frontend" / "src" / "graphql" / "operations.ts"

_CONSTANT = re.compile(r"(?:export )?const (\w+) = (?:/\* GraphQL \*/ )?`(.*?)`;", re.DOTALL)
_REFERENCE = re.compile(r"\$\{(\w+)\}")
_NAME = re.compile(r"^\s*(?:query|mutation)\s+(\w+)", re.MULTILINE)


def spa_documents(wanted: set[str], path: Path = OPERATIONS_TS) -> dict[str, str]:
    """The GraphQL constants `wanted` of operations.ts, their `${FRAGMENT}` references filled in."""
    text = path.read_text(encoding="utf-8")
    raw = dict(_CONSTANT.findall(text))

    def expand(body: str, depth: int = 0) -> str:
        if depth > 10:
            raise ValueError("fragment references nest too deep")
        return _REFERENCE.sub(lambda m: expand(raw[m.group(1)], depth + 1), body)

    return {name: expand(body) for name, body in raw.items() if name in wanted}


def operation_name(document: str) -> str:
    match = _NAME.search(document)
    if not match:
        raise ValueError("not an operation")
    return match.group(1)
