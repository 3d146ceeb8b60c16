"""A sender killed with SIGKILL part-way, then started again: every message arrives, none twice.

Runs `tenure messages send` in child processes on a home of its own, against a real SMTP server and a
real HTTP gateway. The servers themselves kill the sender, at a known moment and without timing: the
SMTP server before accepting the 5th e-mail (the sender waits for its answer), the gateway after
recording the 4th SMS and before answering (the one moment where the sender cannot know the message
went: it is sent again under the same key, which the gateway recognises)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tenure.messaging.channels import message_id_for
from tests.messaging.servers import Gateway, Killer, SmtpRecorder, http_gateway, smtp_server
from tests.served import TENURE

N = 15


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, cwd=settings.BASE_DIR)


@pytest.mark.own_home
def test_a_killed_sender_restarted_sends_every_message_once(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TENURE_FIELD_KEY"}}
    env |= {"TENURE_HOME": str(tmp_path), "TENURE_MESSAGING_QUIET_HOURS": "off", "TENURE_MESSAGING_TIMEOUT": "10"}
    env |= {f"TENURE_MESSAGING_RATE_{c}": "0" for c in ("EMAIL", "SMS", "PUSH")}
    assert run(env, TENURE, "keys", "init").returncode == 0
    seeded = run(env, sys.executable, "-m", "tests.messaging.seed_outbox", str(N))
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    lock = tmp_path / "run.lock"
    smtp_killer, gateway_killer = Killer(at=5, lock_file=lock), Killer(at=4, lock_file=lock)
    with (
        smtp_server(SmtpRecorder(killer=smtp_killer)) as (smtp, port),
        http_gateway(Gateway(killer=gateway_killer)) as (
            gateway,
            base,
        ),
    ):
        env |= {"TENURE_EMAIL_URL": f"smtp://127.0.0.1:{port}", "TENURE_SMS_URL": f"{base}/sms"}
        send = (TENURE, "messages", "send", "--json")
        first = run(env, *send)
        assert first.returncode == -9 and smtp_killer.fired, first.stderr[-3000:]
        second = run(env, *send)
        assert second.returncode == -9 and gateway_killer.fired, second.stderr[-3000:]
        third = run(env, *send)
        assert third.returncode == 0, third.stderr[-3000:]
        last = json.loads(third.stdout.strip().splitlines()[-1])
        assert (last["sent"], last["failed"], last["recovered"]) == (N - 3, 0, N - 3)
        again = json.loads(run(env, *send).stdout.strip().splitlines()[-1])
        assert (again["sent"], again["recovered"]) == (0, 0)

    keys = [f"statement:K{i:04d}:{{}}:2026-12" for i in range(N)]
    # Every e-mail exactly once at the SMTP server.
    assert smtp.count_by_id() == {message_id_for(k.format("email")): 1 for k in keys}
    # Every SMS at the gateway; the one whose answer the kill swallowed came twice under its key.
    accepted = gateway.accepted()
    assert set(accepted) == {k.format("sms") for k in keys}
    assert {k: n for k, n in accepted.items() if n > 1} == {keys[3].format("sms"): 2}
    with sqlite3.connect(tmp_path / "tenure.sqlite3") as db:
        statuses = db.execute("SELECT status, count(*) FROM messaging_message GROUP BY status").fetchall()
    assert statuses == [("sent", 2 * N)]
