"""Bilingual completeness under one convention: English msgids in the source, one project catalogue
(tenure/locale/zh_Hans) that translates every one of them, compiled as committed; the switch is per user."""

from __future__ import annotations

import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.BASE_DIR) / "tenure" / "locale"
CATALOGUE = LOCALE / "zh_Hans/LC_MESSAGES/django.po"
CJK = re.compile(r"[\u4e00-\u9fff]")
IGNORE = [".venv/*", "node_modules/*", "tests/*", "bench/*", "var/*"]


def _strings(body: str, key: str) -> list[str]:
    found = re.findall(rf'^{key} ((?:".*"\n?)+)', body + "\n", re.M)
    return ["".join(re.findall(r'"(.*)"', f)) for f in found]


def parse_po(path: Path) -> dict[str, list[str]]:
    """msgid -> msgstr list (one, or one per plural form), skipping the header; fuzzy entries count as
    missing. A msgid with a context (pgettext) is keyed by the context, the EOT character and the msgid,
    as the compiled catalogue keys it."""
    entries: dict[str, list[str]] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        if "#, fuzzy" in block and 'msgid ""\nmsgstr ""' not in block:
            msgid = re.search(r'^msgid "(.*)"', block, re.M)
            entries[msgid.group(1) if msgid else "?"] = [""]
            continue
        body = "\n".join(line for line in block.splitlines() if not line.startswith("#"))

        msgid = _strings(body, "msgid")
        if not msgid or msgid[0] == "":
            continue
        context = _strings(body, "msgctxt")
        entries[(context[0] + "\x04" if context else "") + msgid[0]] = _strings(body, r"msgstr(?:\[\d\])?")
    return entries


def zh_hans_entries() -> dict[str, list[str]]:
    return parse_po(CATALOGUE)


def test_one_catalogue_for_the_project():
    """Django would also read tenure/<app>/locale and let the project's translation silently win."""
    found = sorted(str(p.relative_to(settings.BASE_DIR)) for p in Path(settings.BASE_DIR, "tenure").glob("**/*.po"))
    assert found == [str(CATALOGUE.relative_to(settings.BASE_DIR))]


def test_every_zh_hans_entry_is_translated():
    missing = [k for k, v in zh_hans_entries().items() if not v or not all(v)]
    assert not missing, f"untranslated zh-hans msgids: {missing}"


def test_source_strings_are_english():
    """The source speaks English and the catalogue Chinese: no 'Chinese English' labels."""
    chinese = [k for k in zh_hans_entries() if CJK.search(k)]
    assert not chinese, f"msgids with Chinese text (write the English in the source, the Chinese in the .po): {chinese}"


def test_compiled_catalogue_matches_the_po_file():
    with open(CATALOGUE.with_suffix(".mo"), "rb") as fh:
        mo = gettext.GNUTranslations(fh)._catalog  # noqa: SLF001
    for msgid, msgstrs in zh_hans_entries().items():
        key = msgid.replace('\\"', '"').replace("\\n", "\n")
        if msgstrs and msgstrs[0]:
            assert key in mo or (key, 0) in mo, f"{msgid!r} is not compiled (run compilemessages)"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext (xgettext) is not installed")
def test_no_source_string_is_missing_from_the_catalogue(tmp_path, settings, monkeypatch):
    """Extract msgids afresh from the code and templates: each must be in the committed zh-hans .po."""
    # A copy without the locale directory, so makemessages writes only to the temporary catalogue.
    source = tmp_path / "src"
    skip = shutil.ignore_patterns("locale", "static")  # every level: app catalogues too
    shutil.copytree(Path(settings.BASE_DIR) / "tenure", source / "tenure", ignore=skip)
    settings.LOCALE_PATHS = [tmp_path / "out"]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["zh_Hans"], ignore_patterns=IGNORE, verbosity=0)
    fresh = set(parse_po(tmp_path / "out/zh_Hans/LC_MESSAGES/django.po"))
    committed = {k for k, v in zh_hans_entries().items() if v and all(v)}
    missing = sorted(fresh - committed)
    assert not missing, f"new strings need a zh-hans translation in tenure/locale (then compilemessages): {missing}"


def test_chinese_is_the_default_and_the_switch_is_stored_per_user(bank, client):
    from tests.factories import PASSWORD

    client.post("/accounts/login/", {"username": "rm_a", "password": PASSWORD})
    assert "工作台" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Workbench" in client.get("/").content.decode()
    bank.staff["rm_a"].refresh_from_db()
    assert bank.staff["rm_a"].language == "en"
    other = type(client)()  # another browser: the choice follows the user, not the cookie
    other.post("/accounts/login/", {"username": "rm_a", "password": PASSWORD})
    assert "Workbench" in other.get("/").content.decode()


def test_money_format():
    from django.utils import translation

    from tenure.core.figures import yuan, yuan_short

    with translation.override("zh-hans"):
        assert yuan(1234567.891) == "¥1,234,567.89"
        assert yuan_short(123456789) == "¥1.23亿"
        assert yuan_short(3456789) == "¥345.68万"
        assert yuan_short(9999) == "¥9,999"
    with translation.override("en"):
        assert yuan_short(3456789) == "¥3.46M"
        assert yuan(-5) == "-¥5.00"


def test_percent_changes_never_read_minus_zero():
    from tenure.core.figures import pct

    assert pct(-0.04) == "-0.04%"  # a small fall on a large book: one more place, not "-0.0%"
    assert pct(12.345) == "+12.3%" and pct(-3.0) == "-3.0%" and pct(0) == "0.0%"
    assert pct(-0.00001) == "0.0%"  # nothing to show even at 4 places: plain zero
    assert pct(None) == "—"


def test_branch_names_follow_the_interface_language():
    from django.utils import translation

    from tenure.org.models import Branch

    branch = Branch(code="S0101", name="朝阳支行", name_en="Chaoyang Sub-branch")
    with translation.override("en"):
        assert branch.label == "Chaoyang Sub-branch"
        assert Branch(code="S9", name="无英文名支行").label == "无英文名支行"  # no English name: the Chinese one
    with translation.override("zh-hans"):
        assert branch.label == "朝阳支行"
