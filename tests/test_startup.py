"""Issue 27, a lighter start-up: Django's set-up (paid by every `tenure` command and web worker) and
the look for pending migrations before a command load none of the heavy libraries; each loads when
a command or page first uses it. The checks run in a child process, where nothing has imported
them yet."""

import importlib
import json
import os
import pkgutil
import subprocess
import sys

import pytest

from tenure import lake

# Loaded by set-up before issue 27 (pypinyin by the customer model, ibis through the receivers'
# modules, pandas, pyarrow and DuckDB through them and the lake package; numpy with pyarrow and pandas).
LAZY = ("pypinyin", "ibis", "pandas", "pyarrow", "duckdb", "numpy")


def _loaded(code: str, home) -> list[str]:
    """The libraries of LAZY loaded once Django is set up and `code` has run, in a new process."""
    script = "\n".join(
        [
            "import json, os, sys",
            "os.environ['DJANGO_SETTINGS_MODULE'] = 'tenure.settings'",
            "import django",
            "django.setup()",
            code,
            f"print(json.dumps([name for name in {LAZY!r} if name in sys.modules]))",
        ]
    )
    env = {**os.environ, "TENURE_HOME": str(home)}
    env.pop("DATABASE_URL", None)  # a SQLite database of the child's own home
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_django_set_up_loads_no_heavy_library(tmp_path):
    assert _loaded("", tmp_path) == []


@pytest.mark.own_home
def test_looking_for_pending_migrations_loads_none_either(tmp_path):
    code = "from tenure.core.database import pending_migrations\nassert pending_migrations() > 0"
    assert _loaded(code, tmp_path) == []


def test_the_lake_loads_its_engine_when_a_name_is_first_used(tmp_path):
    assert _loaded("from tenure import lake", tmp_path) == []
    assert "duckdb" in _loaded("from tenure import lake\nlake.duckdb_connect", tmp_path)


def test_every_public_lake_name_is_the_object_its_module_defines():
    modules = [importlib.import_module(f"tenure.lake.{m.name}") for m in pkgutil.iter_modules(lake.__path__)]
    for name in lake.__all__:
        value = getattr(lake, name)
        assert any(vars(m).get(name) is value for m in modules), name
    assert set(lake.__all__) <= set(dir(lake))
    with pytest.raises(AttributeError):
        lake.no_such_name  # noqa: B018
