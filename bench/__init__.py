"""Benchmarks of dvc766 at national scale (run with ``uv run python -m bench.run``)."""
