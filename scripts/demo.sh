#!/usr/bin/env bash
# Main job end to end on the embedded default: a local portal with generated data over
# real HTTP on 127.0.0.1, a local DuckDB file and a local Dagster instance.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
exec "$UV" run --locked dvc766 demo "$@"
