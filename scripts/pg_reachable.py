"""Exit 0 when PostgreSQL answers at the URL given; else print one line saying why and exit 1."""

import sys

url = sys.argv[1] if len(sys.argv) > 1 else ""
try:
    import psycopg

    with psycopg.connect(url, connect_timeout=3) as conn:
        conn.execute("SELECT 1")
except Exception as exc:  # noqa: BLE001 - any failure means "skip", with the reason
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    print(f"== PostgreSQL run skipped: {url} did not answer ({reason})")
    sys.exit(1)
