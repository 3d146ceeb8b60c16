"""gunicorn's access log with identifiers masked: a number typed into a URL by hand (or carried in a
referring page's address) reaches `logs/access.log` as `138****5678`, never in clear."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from tenure.core.masking import mask_text


class MaskingAccessLogger(Logger):
    """`tenure serve` passes it as gunicorn's `--logger-class`."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask_text(value) if isinstance(value, str) else value for key, value in atoms.items()}
