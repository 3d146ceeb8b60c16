"""Counts are grouped by thousands in both languages (Django's zh-hans formats group nothing)."""

import datetime as dt

from django.template import Context, Template
from django.utils import translation


def render(language: str, value: int) -> str:
    with translation.override(language):
        return Template("{% load humanize %}{{ n|intcomma }}").render(Context({"n": value}))


def test_counts_grouped_in_chinese_as_in_english():
    assert render("zh-hans", 20000) == "20,000"
    assert render("zh-hans", 1234567) == "1,234,567"
    assert render("en", 1234567) == "1,234,567"


def test_dates_keep_the_chinese_format():
    with translation.override("zh-hans"):
        text = Template('{{ d|date:"SHORT_DATE_FORMAT" }}').render(Context({"d": dt.date(2026, 10, 31)}))
    assert text == "2026年10月31日"
