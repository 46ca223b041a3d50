#!/usr/bin/env bash
# Bootstrap the project's environment on a fresh machine (Python 3.11+ and nothing else):
# uv from PyPI when it is missing (into .tools/, no system changes), then the locked deps.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export UV_PYTHON_DOWNLOADS="${UV_PYTHON_DOWNLOADS:-never}"
if command -v uv >/dev/null 2>&1; then
    UV="$(command -v uv)"
elif [ -x "$ROOT/.tools/bin/uv" ]; then
    UV="$ROOT/.tools/bin/uv"
else
    echo "uv not found: installing it from PyPI into .tools/ …" >&2
    python3 -m venv "$ROOT/.tools"
    "$ROOT/.tools/bin/python" -m pip install --quiet --disable-pip-version-check uv
    UV="$ROOT/.tools/bin/uv"
fi
export UV
"$UV" sync --locked --quiet
