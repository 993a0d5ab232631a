#!/usr/bin/env bash
# The whole test suite, fail-fast: lint, types, migrations, schema drift, front end, pytest.
#
#   make test                      # services started for you (embedded when URLs are unset)
#   bash scripts/check.sh          # with DATABASE_URL / REDIS_URL pointing at running servers
#
# Each section prints a header; the first failure stops the run with a non-zero exit.
# pytest runs last so its own summary line is the last line printed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Settings refuse to load without a SECRET_KEY when DEBUG is off (mypy's Django plugin and
# the management commands below load them); this value is for checks only.
export SECRET_KEY="${SECRET_KEY:-check-only-insecure-key-never-used-for-serving}"
PYTHON="${PYTHON:-python}"

section() {
    printf '\n===== %s =====\n' "$1"
}

fail() {
    printf '\n***** FAILED: %s *****\n' "$1" >&2
    exit 1
}

# run "title" cmd args...: a section that stops everything when it fails.
run() {
    local title="$1"
    shift
    section "$title"
    local started=$SECONDS
    if ! "$@"; then
        fail "$title"
    fi
    printf -- '----- ok: %s (%ss)\n' "$title" "$((SECONDS - started))"
}

has_npm_script() {
    node -e 'const s = require("./frontend/package.json").scripts || {}; process.exit(s[process.argv[1]] ? 0 : 1)' "$1"
}

mypy_targets() {
    # Use [tool.mypy] files from pyproject.toml when it names them; otherwise check the tree
    # (the config's exclude list still applies).
    if "$PYTHON" - <<'EOF'
import sys, tomllib
with open("pyproject.toml", "rb") as f:
    sys.exit(0 if tomllib.load(f).get("tool", {}).get("mypy", {}).get("files") else 1)
EOF
    then
        mypy
    else
        mypy .
    fi
}

migrations_check() {
    "$PYTHON" manage.py makemigrations --check --dry-run
}

schema_drift() {
    local tmpdir status=0
    tmpdir="$(mktemp -d)"
    "$PYTHON" manage.py graphql_schema --out "$tmpdir/schema.graphql" >/dev/null || status=$?
    if [[ $status -eq 0 && ! -f schema.graphql ]]; then
        echo "schema.graphql is missing: run 'make schema' and commit it." >&2
        status=1
    elif [[ $status -eq 0 ]] && ! diff -u schema.graphql "$tmpdir/schema.graphql"; then
        echo "schema.graphql differs from the GraphQL schema: run 'make schema' and commit it." >&2
        status=1
    fi
    rm -rf "$tmpdir"
    [[ $status -eq 0 ]] && echo "schema.graphql matches the GraphQL schema."
    return "$status"
}

run "ruff check" ruff check .
run "ruff format --check" ruff format --check .
run "mypy" mypy_targets
run "import boundaries (import-linter contracts in pyproject.toml)" lint-imports --no-cache
run "migrations are up to date (makemigrations --check)" migrations_check
run "schema.graphql is up to date" schema_drift

if [[ -f frontend/package.json ]]; then
    if [[ ! -d frontend/node_modules ]]; then
        fail "frontend dependencies are not installed (run: npm --prefix frontend ci)"
    fi
    for script in lint test check-codegen; do
        if has_npm_script "$script"; then
            run "frontend: npm run $script" npm --prefix frontend run --silent "$script"
        else
            section "frontend: npm run $script"
            echo "skipped: frontend/package.json has no '$script' script yet"
        fi
    done
fi

section "pytest"
# exec: pytest's own summary line is the last line of the run; its exit code is ours.
exec "$PYTHON" -m pytest "$@"
