"""The data dictionary is generated from the database's own comments and kept current."""

from __future__ import annotations

from pathlib import Path

from warehouse.dictionary import DOC_PATH, generate, main, reference_database, undocumented


def test_committed_dictionary_equals_the_generated_one() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == generate(), (
        "docs/data-dictionary.md is stale: run `uv run python -m warehouse.dictionary`"
    )


def test_every_mart_object_and_column_has_a_comment() -> None:
    con = reference_database()
    try:
        assert undocumented(con) == []
    finally:
        con.close()


def test_dictionary_documents_the_contract_and_core(tmp_path: Path) -> None:
    text = generate()
    for heading in (
        "### `mart.unit_period_scores` (table)",
        "### `mart.score_changes` (table)",
        "### `mart.band_counts` (table)",
        "### `mart.revisions` (table)",
        "### `mart.band_count_table` (view)",
        "### `core.group_scores` (table)",
        "### `raw.captures` (table)",
        "`mart.unit_period_scores_as_of(cutoff)`",
    ):
        assert heading in text
    assert "| `total_mismatch` | BOOLEAN | yes |" in text
    out = tmp_path / "dd.md"
    assert main(["--output", str(out)]) == 0 and out.read_text(encoding="utf-8") == text
    assert main(["--check", "--output", str(out)]) == 0
    out.write_text(text + "stale\n", encoding="utf-8")
    assert main(["--check", "--output", str(out)]) == 1
