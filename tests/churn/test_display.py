"""An alert's stored figure is read with its unit (issue 29: "AUM 较上月下降 59", "大额取款 61190")."""

from __future__ import annotations

import pytest
from django.utils import translation

from tenure.churn.display import alert_detail


@pytest.mark.parametrize(
    ("cause", "detail", "english", "chinese"),
    [
        ("aum_drop", "59", "AUM 59% below last month-end", "59%"),
        ("large_withdrawal", "61190", "¥61,190 out in one transaction", "¥61,190"),
        ("tier_downgrade", "black_gold", "close to falling out of Black-gold", "黑金"),
        ("dormant_payroll", "5", "no payroll this month after 5 months with it", "5"),
        ("relocation", "上海→北京", "moved 上海→北京", "上海→北京"),
    ],
)
def test_the_figure_comes_with_its_unit_in_the_readers_language(cause, detail, english, chinese):
    with translation.override("en"):
        assert alert_detail(cause, detail) == english
    with translation.override("zh-hans"):
        said = alert_detail(cause, detail)
        assert chinese in said and said != detail and "black_gold" not in said


def test_a_figure_that_is_not_a_number_is_shown_as_stored():
    assert alert_detail("aum_drop", "n/a") == "n/a" and alert_detail("aum_drop", "") == ""
