"""`tenure messages send [--now ISO-8601] [--json] [--wait]`: send what is due in the outbox.
`tenure messages plan [--date YYYY-MM-DD] [--json]`: queue the messages of a day (greetings, maturity
notices, repayment reminders, statement notices, campaign messages).

The rules (consent at sending time, quiet hours, caps, retries) live in `tenure.messaging.dispatch`;
this command holds the run lock around them and prints the counts (docs/messaging.md).
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tenure.core.progress import print_json_summary
from tenure.core.runlock import EXIT_BUSY, add_wait_argument, command_lock
from tenure.messaging.channels import ChannelConfigError
from tenure.messaging.dispatch import messages_send
from tenure.messaging.senders import messages_plan


def _moment(text: str) -> dt.datetime:
    """An ISO-8601 time; without an offset it is read in the bank's time zone."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--now: not an ISO-8601 time: {text!r} (e.g. 2027-01-01T09:30+08:00)") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = (
        "Customer messages: `plan` queues the messages of a day (greetings, reminders, statements, campaigns); "
        "`send` sends every message "
        "due in the outbox (consent, quiet hours and caps checked at that moment). "
        f"One run at a time: exits {EXIT_BUSY} while another batch run holds the lock."
    )
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="send what is due; print the counts")
        send.add_argument("--now", help="the time to send as of (ISO-8601; default: the clock)")
        send.add_argument("--json", action="store_true", dest="as_json", help="print one JSON line")
        add_wait_argument(send)
        plan = sub.add_parser("plan", help="queue the messages of a day: greetings, reminders, statements, campaigns")
        plan.add_argument("--date", type=dt.date.fromisoformat, help="the business date (default: today)")
        plan.add_argument("--json", action="store_true", dest="as_json", help="print one JSON line")

    def handle(self, *args, action: str, as_json: bool, **options) -> None:
        if action == "plan":
            with command_lock("messages plan", wait=False, stderr=self.stderr):
                planned = messages_plan(options["date"] or timezone.localdate())
            if as_json:
                print_json_summary(planned, self.stdout)
            else:
                counts = (
                    f"{planned['greetings']:,} greetings, {planned['maturities']:,} maturity notices, "
                    f"{planned['repayments']:,} repayment reminders, {planned['statements']:,} statement notices, "
                    f"{planned['campaigns']:,} campaign messages"
                )
                self.stdout.write(f"{planned['date']}: {counts} queued")
            return
        self._send(options["now"], as_json=as_json, wait=options["wait"])

    def _send(self, now: str | None, *, as_json: bool, wait: bool) -> None:
        moment = _moment(now) if now else None
        try:
            with command_lock("messages send", wait=wait, stderr=self.stderr):
                summary = messages_send(now=moment)
        except ChannelConfigError as exc:
            raise CommandError(str(exc)) from exc
        if as_json:
            print_json_summary(summary, self.stdout)
            return
        suppressed = ", ".join(f"{reason} {n:,}" for reason, n in summary["suppressed"].items() if n)
        self.stdout.write(
            f"sent {summary['sent']:,}, deferred {summary['deferred']:,}, failed {summary['failed']:,}; "
            f"suppressed: {suppressed or 'none'}"
        )
