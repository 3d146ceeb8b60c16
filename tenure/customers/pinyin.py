"""Pinyin keys of a Chinese name, so staff can search 王芳 as "wangfang" or "wf" (pypinyin)."""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

LETTERS = re.compile(r"[a-z]+")
MIN_QUERY = 2  # one letter would match a tenth of the bank


@lru_cache(maxsize=200_000)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) in lower case without tones or spaces; ("", "") for no name."""
    if not name:
        return "", ""
    full = "".join(lazy_pinyin(name, errors="ignore")).lower()
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()
    return full[:100], initials[:30]


def as_pinyin_query(q: str) -> str | None:
    """The entry as a pinyin prefix when it is Latin letters only (spaces ignored), else None."""
    letters = q.replace(" ", "").lower()
    return letters if len(letters) >= MIN_QUERY and LETTERS.fullmatch(letters) else None
