"""`tenure demo`'s decisions: demo mode, which demo bank a TENURE_HOME holds, the churn model once."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings

from tenure.ops.demo_staff import DemoError

DEFAULT_PASSWORD = "tenure-demo"


def demo_mode_on() -> None:
    """The demo logins work in this process and in the server it starts (`tenure serve` reads the env)."""
    os.environ["TENURE_DEMO"] = "1"
    settings.DEMO_MODE = True


def demo_password() -> str:
    return os.environ.get("TENURE_DEMO_PASSWORD", DEFAULT_PASSWORD)


def demo_extracts(*, customers: int, months: int, seed: int) -> tuple[Path, bool]:
    """The demo bank's extract folder, and whether it already holds this bank (generated once per
    set of parameters). DemoError when it holds another: a mix of two banks is never wanted."""
    out = Path(settings.TENURE_HOME) / "extracts"
    wanted = {"customers": customers, "months": months, "seed": seed}
    manifest = out / "truth" / "manifest.json"
    if not manifest.exists():
        return out, False
    previous = json.loads(manifest.read_text())
    if all(previous.get(k) == v for k, v in wanted.items()):
        return out, True
    raise DemoError(
        f"{settings.TENURE_HOME} already holds a demo bank generated with "
        f"{ {k: previous.get(k) for k in wanted} }; use another TENURE_HOME or remove it (make clean)"
    )
