"""Every DuckDB connection is opened by `duckdb_connect`; the pipeline's spills next to the lake,
into a folder it can create."""

from tenure.lake import connect, duckdb_connect, ibis_duckdb


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


def test_duckdb_connect_applies_only_the_settings_named(tmp_path):
    default = duckdb_connect()
    tuned = duckdb_connect(threads=1, memory_limit="1GB", spill=tmp_path / "a" / "spill", keep_order=False)

    def setting(con, name):
        return con.execute(f"SELECT current_setting('{name}')").fetchone()[0]

    assert setting(tuned, "threads") == 1
    assert setting(tuned, "preserve_insertion_order") is False and setting(default, "preserve_insertion_order") is True
    assert setting(tuned, "temp_directory") == str(tmp_path / "a" / "spill") and (tmp_path / "a" / "spill").is_dir()
    assert setting(tuned, "memory_limit") != setting(default, "memory_limit")


def test_the_pipeline_backend_keeps_ibis_own_session_settings(settings, tmp_path):
    """Opened through `duckdb_connect`, the pipeline's backend is what `ibis.duckdb.connect` gave: a
    UTC clock and no Python variables read as tables."""
    settings.LAKE_DIR = tmp_path / "lake"
    con = connect("duckdb")
    assert con.raw_sql("SELECT current_setting('TimeZone')").fetchone()[0] == "UTC"
    assert con.raw_sql("SELECT current_setting('python_enable_replacements')").fetchone()[0] is False
    assert con.raw_sql("SELECT current_setting('preserve_insertion_order')").fetchone()[0] is False
    assert ibis_duckdb().raw_sql("SELECT current_setting('preserve_insertion_order')").fetchone()[0] is True
