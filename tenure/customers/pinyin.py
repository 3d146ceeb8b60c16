"""Pinyin keys of a Chinese name, so staff can search 王芳 as "wangfang" or "wf" (pypinyin)."""

from __future__ import annotations

import re
from functools import lru_cache

LETTERS = re.compile(r"[a-z]+")
MIN_QUERY = 2  # one letter would match a tenth of the bank


@lru_cache(maxsize=200_000)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) in lower case without tones or spaces; ("", "") for no name."""
    if not name:
        return "", ""
    # Loaded here: pypinyin's phrase dictionary costs 0.2 s of every process's start-up (issue 27).
    from pypinyin import lazy_pinyin

    # Initials are the syllables' first letters (what Style.FIRST_LETTER gives, without converting
    # the name twice: half of the first import's pinyin time).
    syllables = [s.lower() for s in lazy_pinyin(name, errors="ignore")]
    return "".join(syllables)[:100], "".join(s[:1] for s in syllables)[:30]


def as_pinyin_query(q: str) -> str | None:
    """The entry as a pinyin prefix when it is Latin letters only (spaces ignored), else None."""
    letters = q.replace(" ", "").lower()
    return letters if len(letters) >= MIN_QUERY and LETTERS.fullmatch(letters) else None
