"""Real servers for the sending tests: an SMTP server (aiosmtpd) and a JSON HTTP gateway (stdlib).

Both record what they accepted by idempotency key (the e-mail's Message-ID, the gateway's `id`), can
be told to refuse, stall or fail for a given recipient, and can SIGKILL the sender at a chosen
message, at a moment of its own choosing: before accepting it (SMTP) or after recording it and
before answering (gateway) — so a kill lands at a known point without any timing.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller

from tests.served import free_port


@dataclass
class Killer:
    """Kill the sender when the `at`-th message arrives (1-based). The sender's pid is read then from
    the run lock file it holds (`tenure.core.runlock` writes it there before sending anything)."""

    at: int = 0
    lock_file: Path | None = None
    seen: int = 0
    fired: bool = False

    def due(self) -> bool:
        self.seen += 1
        return bool(self.at and self.lock_file and not self.fired and self.seen == self.at)

    def fire(self) -> None:
        assert self.lock_file is not None
        self.fired = True
        os.kill(json.loads(self.lock_file.read_text())["pid"], signal.SIGKILL)


@dataclass
class SmtpRecorder:
    """The aiosmtpd handler: keeps every accepted message; refuses recipients in `refuse` (code)."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: dict[str, int] = field(default_factory=dict)
    killer: Killer = field(default_factory=Killer)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        code = self.refuse.get(address)
        if code:
            return f"{code} mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.killer.due():
            self.killer.fire()  # before accepting: the sender dies waiting for our answer
            return "451 try again"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def count_by_id(self) -> Counter[str]:
        return Counter(str(m["Message-ID"]) for m in self.messages)


@contextlib.contextmanager
def smtp_server(recorder: SmtpRecorder | None = None) -> Iterator[tuple[SmtpRecorder, int]]:
    recorder = recorder or SmtpRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


@dataclass
class Gateway:
    """What the HTTP gateway saw and how it answers: `script[to]` is a list of answers for that
    recipient, used in turn ("ok", an HTTP status such as "500" or "429", or "stall": no answer
    until the test ends — the client times out); anything else is "ok"."""

    requests: list[dict] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    script: dict[str, list[str]] = field(default_factory=dict)
    killer: Killer = field(default_factory=Killer)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer_for(self, to: str) -> str:
        with self.lock:
            answers = self.script.get(to)
            return answers.pop(0) if answers else "ok"

    def accepted(self) -> Counter[str]:
        """Accepted requests by idempotency key (a resend after a lost answer counts twice here)."""
        return Counter(r["id"] for r in self.requests if r.get("_accepted"))


def _handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        disable_nagle_algorithm = True  # answers without a delayed-ACK stall, as production servers do

        def log_message(self, format, *args):  # noqa: A002 - quiet test output
            pass

        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            answer = gateway.answer_for(body.get("to", ""))
            if answer == "stall":
                gateway.release.wait(30)  # the client gave up long before; the test's end releases us
                return
            accepted = answer == "ok"
            with gateway.lock:
                gateway.requests.append(body | {"_accepted": accepted, "_path": self.path})
                gateway.headers.append(dict(self.headers))
            if accepted and gateway.killer.due():
                gateway.killer.fire()  # recorded, never answered: the sender cannot know
                return
            status = 200 if accepted else int(answer)
            payload = json.dumps({"message_id": f"gw-{body['id']}"} if accepted else {"error": answer}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@contextlib.contextmanager
def http_gateway(gateway: Gateway | None = None) -> Iterator[tuple[Gateway, str]]:
    gateway = gateway or Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gateway))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        gateway.release.set()
        server.shutdown()
        server.server_close()
