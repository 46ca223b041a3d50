#!/usr/bin/env bash
# The test suite: lint, then pytest (unit and integration: a real local HTTP portal, real
# DuckDB files, real Dagster materializations). Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
"$UV" run --locked ruff check .
"$UV" run --locked ruff format --check .
exec "$UV" run --locked pytest "$@"
