"""Reason codes: the features that pushed a customer's score up most, as Chinese and English sentences.

Staff must see why a score is high (PIPL art. 24), so every score carries its top reasons taken
from LightGBM's per-feature contributions (`pred_contrib`), with the customer's own value.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def _pct_change(ratio: float) -> int:
    return round(abs(1 - ratio) * 100)


def _fall(months: int):
    def sentence(v: float) -> tuple[str, str]:
        word_zh, word_en = ("下降", "down") if v < 1 else ("上升", "up")
        return (
            f"AUM {word_zh} {_pct_change(v)}%（近 {months} 个月）",
            f"AUM {word_en} {_pct_change(v)}% (last {months} months)",
        )

    return sentence


SENTENCES = {
    "aum_ratio_1m": _fall(1),
    "aum_ratio_3m": _fall(3),
    "aum_ratio_6m": _fall(6),
    "aum_ratio_12m": _fall(12),
    "adb_ratio": lambda v: (
        f"日均资产较上期变化 {round((v - 1) * 100)}%",
        f"Average daily AUM changed {round((v - 1) * 100)}%",
    ),
    "max_drawdown_12m": lambda v: (
        f"近 12 个月最大回撤 {round(v * 100)}%",
        f"Largest fall in 12 months {round(v * 100)}%",
    ),
    "outflow_share_1m": lambda v: (
        f"本月转出/取现占上月资产 {round(v * 100)}%",
        f"Outflows this month {round(v * 100)}% of last month's AUM",
    ),
    "outflow_vs_prev": lambda v: (
        f"本月转出为前 3 个月均值的 {v:.1f} 倍",
        f"Outflows {v:.1f}× the previous 3-month average",
    ),
    "payroll_1m": lambda v: ("本月无代发工资入账", "No payroll this month")
    if v == 0
    else ("本月有代发工资", "Payroll this month"),
    "payroll_months_prev": lambda v: (
        f"前 6 个月有 {int(v)} 个月代发工资",
        f"Payroll in {int(v)} of the previous months",
    ),
    "card_vs_prev": lambda v: (
        f"信用卡消费为前 3 个月均值的 {round(v * 100)}%",
        f"Card spend {round(v * 100)}% of usual",
    ),
    "days_to_competitor_maturity": lambda v: (
        f"他行产品 {int(v)} 天后到期",
        f"Competitor product matures in {int(v)} days",
    ),
    "competitor_amount": lambda v: (f"他行产品金额 {v:,.0f} 元", f"Competitor products worth ¥{v:,.0f}"),
    "competitor_products": lambda v: (f"持有他行产品 {int(v)} 只", f"Holds {int(v)} competitor products"),
    "recency_days": lambda v: (f"{int(v)} 天未主动交易", f"No own transaction for {int(v)} days"),
    "frequency_90d": lambda v: (f"近 90 天交易 {int(v)} 笔", f"{int(v)} transactions in 90 days"),
    "time_deposit_share": lambda v: (f"定期占资产 {round(v * 100)}%", f"Time deposits {round(v * 100)}% of AUM"),
    "product_count": lambda v: (f"持有产品 {int(v)} 种", f"Holds {int(v)} products"),
    "branch_lost_service_share": lambda v: (
        f"本网点流失客户 {round(v * 100)}% 因服务离开",
        f"{round(v * 100)}% of this branch's lost customers left over service",
    ),
    "branch_lost_price_share": lambda v: (
        f"本网点流失客户 {round(v * 100)}% 因利率/费用离开",
        f"{round(v * 100)}% of this branch's lost customers left over rates or fees",
    ),
}


def sentence(feature: str, value: float) -> dict[str, str]:
    """{"feature", "zh", "en"} for one reason; a generic sentence for features without a template."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        zh, en = f"{feature} 缺失", f"{feature} unknown"
    elif feature in SENTENCES:
        zh, en = SENTENCES[feature](float(value))
    else:
        zh, en = f"{feature} = {value:,.2f}", f"{feature} = {value:,.2f}"
    return {"feature": feature, "zh": zh, "en": en}


def top_reasons(x: pd.DataFrame, contributions: np.ndarray, columns: list[str], k: int = 3) -> list[list[dict]]:
    """The k features with the largest positive contribution per row (fewer if fewer push up)."""
    order = np.argsort(-contributions, axis=1)[:, :k]
    values = x[columns].to_numpy(dtype=float, na_value=np.nan)
    out = []
    for row, top in enumerate(order):  # k sentences per customer: formatting text, not analytics
        out.append([sentence(columns[j], values[row, j]) for j in top if contributions[row, j] > 0])
    return out
