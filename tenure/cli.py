"""The `tenure` console command: Tenure's own subcommands plus every Django management command."""

from __future__ import annotations

import os
import sys

# Subcommand names that are not valid Python module names map to their management command.
ALIASES = {"import": "import_extracts", "rotate-keys": "rotate_keys"}
OWN_COMMANDS = (
    ("generate", "write a synthetic bank in the extract format"),
    ("import", "validate and import extract folders (all-or-nothing per business date)"),
    ("nightly", "run the nightly analytics steps for a business date"),
    ("daily", "after each import: nightly, serving copy, churn scores and alerts, complaint escalation, tasks, …"),
    ("serve", "serve the web app with gunicorn on 127.0.0.1"),
    ("demo", "generate, import, run nightly, create demo staff and serve"),
    ("keys", "create the field-encryption key (first set-up: `keys init`); `keys status` shows the key ids"),
    ("rotate-keys", "re-encrypt every protected field with a new key"),
    ("clv", "fit BG/NBD, Pareto/NBD or Gamma-Gamma lifetime-value models (no database needed)"),
    ("complaints", "escalate complaints past their SLA (run it daily); generate demo complaints"),
    ("churn", "train and score the churn model, raise churn alerts, evaluate on a CSV"),
    ("retention", "retention lottery check and campaign outcome measurement"),
    ("points", "merchant loyalty points: earn for imported dates, monthly statements, rules"),
    ("greetings", "plan customer greetings: birthdays (lunar too), bank anniversaries, festivals of any year"),
    ("tasks", "make the RM tasks of a business date (contact plan, follow-ups, alerts, maturities, …)"),
    ("scorecards", "compute a month's RM and branch scorecards and service stars"),
    ("offers", "train the next-best-offer recommender on the lake; evaluate it against a popularity baseline"),
    ("messages", "send the customer messages due from the outbox (e-mail, SMS, app push)"),
    ("surveys", "survey templates, issue a wave (link file), decline callbacks, demo answers"),
    ("tokens", "API tokens: create one for a member of staff, list them (with expiry), revoke"),
)
# Commands that use the database: pending migrations are applied before them (tenure.core.database),
# so each works on a fresh TENURE_HOME and after an upgrade. Not here: `generate` and `clv` (files
# only), `bench` (each phase migrates its own home), `rotate-keys` (says what to run instead: see
# its module), Django's migration commands, and `--help` of any command (it creates no database).
MIGRATE_FIRST = frozenset(
    "import_extracts nightly daily serve demo complaints churn retention points surveys build_serving"
    " greetings tasks scorecards offers messages tokens createsuperuser changepassword keys".split()
)
# After migrating, each of these refuses to run, in one line naming the key id, when the database
# holds values encrypted under a field key this process cannot load (tenure.core.keys); `keys`
# reports the same itself. A key is made only by a first set-up on a bank without encrypted values:
# `keys init`, `demo`, or the first `import` (tenure.core.keys.field_key_ensure).
KEY_CHECKED = MIGRATE_FIRST - {"keys"}


def _usage() -> str:
    lines = [
        "usage: tenure <subcommand> [options]   (tenure <subcommand> --help for details)",
        "",
        "Tenure subcommands:",
    ]
    lines += [f"  {name:<12} {text}" for name, text in OWN_COMMANDS]
    lines += [
        "",
        "Every Django management command is available too (e.g. migrate, createsuperuser);",
        "`tenure help` lists them.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenure.settings")
    if len(argv) < 2 or argv[1] in {"-h", "--help"}:
        print(_usage())
        return
    if argv[1] == "clv":  # plain numpy/scipy, not a management command: no Django set-up
        from tenure.clv.cli import main as clv_main

        sys.exit(clv_main(argv[2:]))
    _check_home()
    argv[1] = ALIASES.get(argv[1], argv[1])
    if argv[1] in MIGRATE_FIRST and not {"-h", "--help"} & set(argv[2:]):
        _migrate_first()
        if argv[1] in KEY_CHECKED:
            _check_field_keys()
    from django.core.management import execute_from_command_line

    from tenure.core.crypto import KeyError_

    try:
        execute_from_command_line(argv)
    except KeyError_ as exc:  # no key yet, or a malformed one, met by a command that needs it
        sys.exit(f"tenure: {exc}")


def _check_home() -> None:
    """A home this user cannot write (read-only, another owner, under a file) is one line, not the
    traceback of settings or logging set-up: checked before Django is touched."""
    from tenure.core.home import home_problem

    problem = home_problem()
    if problem:
        sys.exit(f"tenure: {problem}")


def _migrate_first() -> None:
    """Apply pending migrations; a database that cannot be opened is one line, not a traceback."""
    import django
    from django.db import OperationalError

    django.setup()
    from tenure.core.database import migrate_pending

    try:
        migrate_pending()
    except OperationalError as exc:
        sys.exit(f"tenure: cannot open the database: {' '.join(str(exc).split())}")


def _check_field_keys() -> None:
    """Refuse, before the command writes anything, when stored values use a key that cannot be loaded."""
    from tenure.core.keys import field_key_problem

    problem = field_key_problem()
    if problem:
        sys.exit(f"tenure: {problem}")


if __name__ == "__main__":
    main()
