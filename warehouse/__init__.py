"""DuckDB access for dvc766: schema, raw store, manifest and core loading."""
