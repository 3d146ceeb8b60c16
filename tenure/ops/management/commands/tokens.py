"""`tenure tokens create|list|revoke`: API tokens, which expire after TENURE_API_TOKEN_DAYS days.

`create` prints the new key once (it is not shown again: `list` names owners and dates only) and
replaces the member's earlier token. docs/security.md, "API tokens".
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from tenure.api.auth import token_create, token_list, token_revoke
from tenure.org.models import Staff


class Command(BaseCommand):
    help = "Make, list and revoke API tokens (they expire after TENURE_API_TOKEN_DAYS days, default 90)."
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="make a token for a member of staff (replaces their earlier one)")
        create.add_argument("username")
        listing = sub.add_parser("list", help="owners, creation and expiry of every token (never the key)")
        listing.add_argument("--json", action="store_true", help="print one JSON line")
        revoke = sub.add_parser("revoke", help="delete a member's token, or every expired token")
        who = revoke.add_mutually_exclusive_group(required=True)
        who.add_argument("username", nargs="?")
        who.add_argument("--expired", action="store_true", help="every token past its expiry")

    def handle(self, *args, action: str, **options) -> None:
        if action == "create":
            try:
                token = token_create(username=options["username"])
            except Staff.DoesNotExist:
                raise CommandError(f"no member of staff with the username {options['username']!r}") from None
            self.stdout.write(token.key)
        elif action == "list":
            rows = token_list()
            if options["json"]:
                data = [
                    {
                        "username": r.username,
                        "created": r.created.isoformat(),
                        "expires": r.expires.isoformat(),
                        "expired": r.expired,
                    }
                    for r in rows
                ]
                self.stdout.write(json.dumps(data, ensure_ascii=False))
            else:
                for r in rows:
                    state = "expired" if r.expired else "valid"
                    dates = f"created {r.created:%Y-%m-%d}\texpires {r.expires:%Y-%m-%d}"
                    self.stdout.write(f"{r.username}\t{r.full_name}\t{dates}\t{state}")
        else:
            if not options["expired"] and not Staff.objects.filter(username=options["username"]).exists():
                raise CommandError(f"no member of staff with the username {options['username']!r}")
            revoked = token_revoke(username=options["username"], expired=options["expired"])
            self.stdout.write(f"revoked {len(revoked)} token(s)" + (f": {', '.join(revoked)}" if revoked else ""))
