"""docs/data-formats.md is generated from the schema and must be regenerated when the schema changes."""

from pathlib import Path

from tenure.ingest.docs import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-formats.md"


def test_committed_data_formats_doc_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/data-formats.md is stale: run `python -m tenure.ingest.docs > docs/data-formats.md`"
    )
