"""Can this process use TENURE_HOME? Checked by `tenure/cli.py` before Django is set up.

Settings create the home's folders and Django opens `logs/tenure.log` while it sets up, so a home
that is read-only, owned by another user or under a file ended every command with a 38-line
traceback. This check runs first, imports nothing of Django, and says in one line which path is
wrong and how. It cannot see everything (a database on a full disk fails later, in its own words),
only what every command needs: the home and its folders writable, and the files Tenure writes or
reads there (database, log, secret, key file) usable.
"""

from __future__ import annotations

import os
from pathlib import Path

# Folders settings create at start-up, and the key folder `keys init` writes.
FOLDERS = ("lake", "logs", "import-reports", "keys")
# Files Tenure writes in the home (the SQLite database only when DATABASE_URL is unset) and reads.
WRITTEN = ("logs/tenure.log", "tenure.sqlite3", "run.lock")
READ = ("secret.key", "keys/field.key")


def default_home() -> Path:
    """TENURE_HOME as `tenure.settings` resolves it (the checkout's `var/` when unset)."""
    return Path(os.environ.get("TENURE_HOME", Path(__file__).resolve().parents[2] / "var")).resolve()


def _why_not_writable(path: Path) -> str:
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return "is on a read-only file system"
    except OSError:
        pass
    return "is not writable by this user"


def _first_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def home_problem(home: Path | None = None, *, sqlite: bool | None = None) -> str | None:
    """What keeps commands from using `home`, in one line naming the path; None when it is usable.

    `sqlite`: whether the database is the home's SQLite file (default: DATABASE_URL unset).
    """
    home = default_home() if home is None else home
    if sqlite is None:
        sqlite = not os.environ.get("DATABASE_URL")
    fix = "make it writable by this user, or point TENURE_HOME at a folder that is"
    if not home.exists():
        parent = _first_existing(home.parent)
        if not parent.is_dir():
            return f"TENURE_HOME {home} cannot be created: {parent} is a file, not a folder"
        if not os.access(parent, os.W_OK | os.X_OK):
            return f"TENURE_HOME {home} cannot be created: {parent} {_why_not_writable(parent)}; {fix}"
        return None  # settings create it
    if not home.is_dir():
        return f"TENURE_HOME {home} is a file, not a folder"
    if not os.access(home, os.W_OK | os.X_OK):
        return f"TENURE_HOME {home} {_why_not_writable(home)}; {fix}"
    for name in FOLDERS:
        path = home / name
        if path.exists() and not path.is_dir():
            return f"{path} is a file, not a folder (TENURE_HOME {home})"
        if path.is_dir() and not os.access(path, os.W_OK | os.X_OK):
            return f"{path} {_why_not_writable(path)} (TENURE_HOME {home}); {fix}"
    for name in WRITTEN:
        path = home / name
        if name == "tenure.sqlite3" and not sqlite:
            continue
        if path.exists() and not os.access(path, os.R_OK | os.W_OK):
            return f"{path} {_why_not_writable(path)} (TENURE_HOME {home}); {fix}"
    for name in READ:
        path = home / name
        if path.exists() and not os.access(path, os.R_OK):
            return f"{path} is not readable by this user (TENURE_HOME {home})"
    return None
