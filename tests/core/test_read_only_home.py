"""A TENURE_HOME this user cannot write: every `tenure` command says so in one line, exit 1.

The tests run as root here, which writes anything whatever the mode bits; the commands then run
without the capability that lets root ignore them (`setpriv --bounding-set=-dac_override`), so the
home's `chmod a-w` is seen as an operator's account would see it.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

TENURE = str(Path(sys.executable).with_name("tenure"))
COMMANDS = (["keys", "status"], ["import", "extracts"], ["daily"], ["serve"], ["changepassword", "someone"], ["help"])


def _without_root_override() -> list[str]:
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: root ignores the mode bits")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


def _run(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TENURE_FIELD_KEY"}}
    env["TENURE_HOME"] = str(home)
    return subprocess.run(
        [*_without_root_override(), TENURE, *args], env=env, cwd="/", capture_output=True, text=True, timeout=120
    )


def _chmod_tree(root: Path, writable: bool) -> None:
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IWUSR if writable else mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


@pytest.fixture(scope="module")
def initialised_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("ro-home")
    made = _run(home, "keys", "init")
    assert made.returncode == 0, made.stderr
    return home


def _assert_one_line(result: subprocess.CompletedProcess, path: Path, what: str) -> None:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and what in lines[0] and "Traceback" not in result.stderr


@pytest.mark.own_home
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_read_only_home_is_one_line(initialised_home, command):
    _chmod_tree(initialised_home, writable=False)
    try:
        result = _run(initialised_home, *command)
    finally:
        _chmod_tree(initialised_home, writable=True)
    _assert_one_line(result, initialised_home, "is not writable")


@pytest.mark.own_home
def test_read_only_log_folder_is_named(initialised_home):
    logs = initialised_home / "logs"
    logs.chmod(0o555)
    try:
        result = _run(initialised_home, "keys", "status")
    finally:
        logs.chmod(0o755)
    _assert_one_line(result, logs, "is not writable")


@pytest.mark.own_home
def test_home_under_a_file_is_one_line(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = _run(blocker / "home", "keys", "status")
    _assert_one_line(result, blocker, "is a file, not a folder")


def test_a_writable_home_has_no_problem(tmp_path):
    from tenure.core.home import home_problem

    assert home_problem(tmp_path / "new") is None
    assert home_problem(tmp_path) is None
