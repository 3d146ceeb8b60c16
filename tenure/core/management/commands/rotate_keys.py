"""`tenure rotate-keys`: re-encrypt every protected field with a new data key."""

from django.core.management.base import BaseCommand

from tenure.core.keys import rotate_field_keys
from tenure.core.progress import print_json_summary


class Command(BaseCommand):
    help = "Re-encrypt resident IDs, mobiles, account and card numbers with a new key (resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON summary line")

    def handle(self, *args, json: bool, **options):
        summary = rotate_field_keys(show_progress=not json)
        if json:
            print_json_summary(summary, self.stdout)
        else:
            self.stdout.write(
                f"Re-encrypted {summary['reencrypted']} values; active key {summary['active_key_id']}; "
                f"retired keys: {', '.join(summary['retired_key_ids']) or 'none'}"
            )
