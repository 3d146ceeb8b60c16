"""Benchmark the outbox: queue N e-mails and N SMS, then send them through a local SMTP server
(aiosmtpd) and a local HTTP gateway, against a bare `smtplib` / `urllib` loop to the same servers.

    .venv/bin/python bench/bench_messages.py                 # 100,000 of each
    .venv/bin/python bench/bench_messages.py --messages 2000 # a quick run

A fresh SQLite TENURE_HOME (tenure's own migrations), N customers with an e-mail address, a mobile
(encrypted, as imported) and SMS and e-mail consent. The two servers run in child processes so they
do not share this process's interpreter lock; both accept everything.

Measured, in this process:

* ``queue``: `message_queue` for each message (existence check, insert, audit row), one transaction
  per 1,000 customers as the senders commit per chunk: messages/s;
* ``send``: one `messages_send` run (claim, consent, moderation, send, record): messages/s overall
  and per channel, p50/p95/max of each provider hand-over (the channel sender's `send`), peak RSS;
* ``bare``: the same number of messages per channel sent by a bare loop — one `smtplib` connection
  sending a minimal message, one `urllib` POST per message — the servers' throughput as seen from
  Python without Tenure. Goal (issue 24): the sender reaches ≥ 50 % of the bare loop. The sender
  keeps its gateway connection alive, so ``share_of_bare_keepalive`` also compares it with a bare
  loop of POSTs on one kept-alive connection (the stricter measure).

Prints one JSON document and writes it to bench/results/messages.json (or --out).

Monthly statements (`--statements HOME`, a prepared bank, e.g. `tenure demo --customers 20000
--months 3 --no-serve`): `senders.statements_queue` for the 1st after the bank's last business date,
on a fresh copy of its database per run, alternating the per-message queueing it used before
(`message_queue` per statement: a read, an insert and an audit insert each) with the set-based one
(`messages_queue_many` per chunk), `--repeats` times each, in child processes; writes
bench/results/messages-statements.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zoneinfo
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2027, 1, 5, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))  # outside quiet hours

SMTP_SERVER = """
import sys, time
from aiosmtpd.controller import Controller
class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
c = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
"""
HTTP_GATEWAY = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Gateway(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as production servers do (nginx tcp_nodelay): no 40 ms stalls on keep-alive
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"message_id": "gw"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Gateway)
print("ready", flush=True)
server.serve_forever()
"""


def _rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server(code: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process, port


def _percentiles(times: list[float]) -> dict[str, float]:
    if not times:
        return {}
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


def bare_smtp(port: int, n: int) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(n):
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = "noreply@bank.example", f"c{i}@example.com", "bench"
            message.set_content("您的定期存款将于1月12日到期。")
            smtp.send_message(message)
    return n / (time.perf_counter() - started)


def bare_http(port: int, n: int) -> float:
    started = time.perf_counter()
    for i in range(n):
        data = json.dumps({"id": f"bare:{i}", "to": "13800000000", "text": "bench"}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/sms", data=data, headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    return n / (time.perf_counter() - started)


def bare_http_keepalive(port: int, n: int) -> float:
    """The same POSTs on one kept-alive connection (as the sender's gateway client does)."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    started = time.perf_counter()
    for i in range(n):
        data = json.dumps({"id": f"bare-ka:{i}", "to": "13800000000", "text": "bench"}).encode()
        connection.request("POST", "/sms", body=data, headers={"Content-Type": "application/json"})
        connection.getresponse().read()
    connection.close()
    return n / (time.perf_counter() - started)


class Timed:
    """A channel sender that records how long each hand-over to the provider took."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.times: list[float] = []

    def send(self, message, address):
        started = time.perf_counter()
        outcome = self.inner.send(message, address)
        self.times.append(time.perf_counter() - started)
        return outcome

    def close(self) -> None:
        self.inner.close()


def statements_run(mode: str) -> None:
    """Child: queue the statements once in this TENURE_HOME, per message or set-based; print JSON."""
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tenure.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from tenure.ingest.selectors import latest_business_date
    from tenure.messaging import senders
    from tenure.messaging.services import _arguments, message_queue
    from tenure.messaging.texts import approved_versions

    if mode == "per_message":  # what statements_queue did before: one message_queue per statement

        def one_by_one(drafts, by=None) -> int:
            return sum(message_queue(**_arguments(d), by=by, masked=True)[1] for d in drafts)

        senders.messages_queue_many = one_by_one  # type: ignore[assignment]
    day = latest_business_date()
    on = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    cpu, started = time.process_time(), time.perf_counter()
    with approved_versions():  # as messages_plan runs it
        queued = senders.statements_queue(on)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        json.dumps(
            {
                "mode": mode,
                "on": on.isoformat(),
                "queued": queued,
                "seconds": round(seconds, 1),
                "cpu_s": round(cpu, 1),
                "load": round(os.getloadavg()[0], 1),
            }
        )
    )


def statements_bench(home: Path, repeats: int, out: Path | None) -> None:
    """Alternate the two modes on fresh copies of `home`'s database (the lake is shared, read only)."""
    runs = []
    for _ in range(repeats):
        for mode in ("per_message", "set_based"):
            copy = Path(tempfile.mkdtemp(prefix="bench-statements-"))
            for entry in home.iterdir():
                if entry.name.startswith("tenure.sqlite3"):
                    (copy / entry.name).write_bytes(entry.read_bytes())
                elif entry.name not in ("run.lock", "tmp"):
                    (copy / entry.name).symlink_to(entry)
            env = {**os.environ, "TENURE_HOME": str(copy)}
            done = subprocess.run(
                [sys.executable, __file__, "--statements-run", mode],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(json.dumps(runs[-1]), flush=True)
            subprocess.run(["rm", "-rf", str(copy)], check=True)
    queued = runs[0]["queued"]
    by_mode = {m: [r["seconds"] for r in runs if r["mode"] == m] for m in ("per_message", "set_based")}
    result = {
        "benchmark": "statements_queue",
        "home": str(home),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "statements": queued,
        "runs": runs,
        "median_s": {m: statistics.median(v) for m, v in by_mode.items()},
        "per_s": {m: round(queued / statistics.median(v), 1) for m, v in by_mode.items()},
    }
    text = json.dumps(result, indent=1, ensure_ascii=False)
    print(text)
    (out or ROOT / "bench" / "results" / "messages-statements.json").write_text(text + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000, help="messages per channel")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--statements", type=Path, help="a prepared bank's TENURE_HOME: bench the monthly statements")
    parser.add_argument("--repeats", type=int, default=2, help="statements: runs of each mode, alternated")
    parser.add_argument("--statements-run", choices=("per_message", "set_based"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.statements_run:
        return statements_run(args.statements_run)
    if args.statements:
        return statements_bench(args.statements, args.repeats, args.out)
    n = args.messages

    home = Path(tempfile.mkdtemp(prefix="bench-messages-"))
    os.environ["TENURE_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tenure.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    from tenure.core.crypto import blind_index, create_key_file
    from tenure.core.database import migrate_pending
    from tenure.customers.models import Customer
    from tenure.messaging.channels import EmailSender, GatewaySender
    from tenure.messaging.dispatch import messages_send
    from tenure.messaging.models import Message, Status
    from tenure.messaging.services import message_queue
    from tenure.org.models import Branch

    smtp_process, smtp_port = _server(SMTP_SERVER)
    http_process, http_port = _server(HTTP_GATEWAY)
    try:
        migrate_pending()
        create_key_file()
        Branch.objects.create(code="HO", name="总行", level="head_office", path="/HO/")
        started = time.perf_counter()
        with transaction.atomic():
            for start in range(0, n, 2000):
                Customer.objects.bulk_create(
                    [
                        Customer(
                            customer_no=f"C{i:08d}",
                            customer_type="personal",
                            name=f"客户{i}",
                            mobile=f"138{i:08d}",
                            mobile_bidx=blind_index("mobile", f"138{i:08d}"),
                            email=f"c{i}@example.com",
                            consent_sms=True,
                            consent_email=True,
                            onboarded_on=dt.date(2020, 1, 1),
                            branch_id="HO",
                            updated_on=dt.date(2027, 1, 4),
                        )
                        for i in range(start, min(n, start + 2000))
                    ]
                )
        build_s = time.perf_counter() - started

        body = "尊敬的客户，您的定期存款（账户6222020200998877665）将于2027-01-12到期，当前金额¥200,000.00。"

        def _queue(customer, channel: str) -> None:
            message_queue(
                customer=customer,
                channel=channel,
                kind="reminder",
                template=f"bench-{channel}",
                subject="到期提醒" if channel == "email" else "",
                body=body,
                idempotency_key=f"bench:{customer.customer_no}:{channel}",
                scheduled_at=NOW,
            )

        started = time.perf_counter()
        customers = list(Customer.objects.order_by("id"))
        for start in range(0, n, 1000):
            with transaction.atomic():  # one commit per chunk, as the senders queue
                for customer in customers[start : start + 1000]:
                    for channel in ("email", "sms"):
                        _queue(customer, channel)
        queue_s = time.perf_counter() - started

        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.MESSAGING_SMS_URL = f"http://127.0.0.1:{http_port}/sms"
        settings.MESSAGING_RATE = {"email": 0, "sms": 0, "push": 0}
        email, sms = Timed(EmailSender()), Timed(GatewaySender("sms", settings.MESSAGING_SMS_URL, timeout=10))
        cpu = time.process_time()
        started = time.perf_counter()
        summary = messages_send(now=NOW, channel_senders={"email": email, "sms": sms})
        send_s = time.perf_counter() - started
        send_cpu = time.process_time() - cpu
        sent = Message.objects.filter(status=Status.SENT).count()
        rss = _rss_mb()

        bare_n = min(n, 20_000)
        bare = {"messages_per_channel": bare_n, "smtp_per_s": round(bare_smtp(smtp_port, bare_n), 1)}
        bare["http_per_s"] = round(bare_http(http_port, bare_n), 1)
        bare["http_keepalive_per_s"] = round(bare_http_keepalive(http_port, bare_n), 1)
        email_rate = len(email.times) / sum(email.times) if email.times else 0
        sms_rate = len(sms.times) / sum(sms.times) if sms.times else 0
        overall = sent / send_s
        # The bare loops' combined rate for the same mix: one e-mail and one SMS per customer.
        bare_mix = 2 / (1 / bare["smtp_per_s"] + 1 / bare["http_per_s"])
        # Stricter: the bare HTTP loop on one kept-alive connection, as the sender's client does.
        bare_mix_keepalive = 2 / (1 / bare["smtp_per_s"] + 1 / bare["http_keepalive_per_s"])
        result = {
            "benchmark": "messages",
            "messages_per_channel": n,
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()[0]},
            "build_customers_s": round(build_s, 1),
            "queue": {"messages": 2 * n, "seconds": round(queue_s, 1), "per_s": round(2 * n / queue_s, 1)},
            "send": {
                "summary": summary,
                "sent": sent,
                "seconds": round(send_s, 1),
                "cpu_s": round(send_cpu, 1),
                "per_s": round(overall, 1),
                "email_handover": _percentiles(email.times) | {"per_s_in_handover": round(email_rate, 1)},
                "sms_handover": _percentiles(sms.times) | {"per_s_in_handover": round(sms_rate, 1)},
                "peak_rss_mb": rss,
            },
            "bare": bare | {"mix_per_s": round(bare_mix, 1), "mix_keepalive_per_s": round(bare_mix_keepalive, 1)},
            "share_of_bare": round(overall / bare_mix, 3),
            "share_of_bare_keepalive": round(overall / bare_mix_keepalive, 3),
            "goal_share_of_bare": 0.5,
        }
    finally:
        assert smtp_process.stdin is not None
        smtp_process.stdin.close()
        smtp_process.wait(timeout=10)
        http_process.terminate()
        http_process.wait(timeout=10)
    text = json.dumps(result, indent=1, ensure_ascii=False)
    print(text)
    out = args.out or ROOT / "bench" / "results" / "messages.json"
    out.write_text(text + "\n")


if __name__ == "__main__":
    main()
