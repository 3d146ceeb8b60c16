"""The DuckDB connection spills next to the lake, into a folder it can create."""

from tenure.analytics.engine import connect


def test_duckdb_spills_under_tenure_home_in_a_folder_that_exists(settings, tmp_path):
    settings.LAKE_DIR = tmp_path / "home" / "lake"  # a fresh home: no tmp/ folder yet
    con = connect("duckdb")
    spill = con.raw_sql("SELECT current_setting('temp_directory')").fetchone()[0]
    assert spill == str(tmp_path / "home" / "tmp" / "duckdb")
    assert (tmp_path / "home" / "tmp" / "duckdb").is_dir()
    # A query bigger than a tiny memory limit has to spill there, and succeeds.
    con.raw_sql("SET memory_limit = '100MB'")
    rows = con.raw_sql("SELECT count(*) FROM (SELECT DISTINCT i % 8000000 AS k FROM range(16000000) t(i))").fetchone()
    assert rows[0] == 8_000_000
