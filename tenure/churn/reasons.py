"""Reason codes: the features that pushed a customer's score up most, as Chinese and English sentences.

Staff must see why a score is high (PIPL art. 24), so every score carries its top reasons taken
from LightGBM's per-feature contributions (`pred_contrib`), with the customer's own value.
"""

from __future__ import annotations

import math

import numpy as np

# The complaints app's severity ranks (complaints_for_signals: 0 none … 4 critical), as staff say them.
COMPLAINT_SEVERITIES = [("无", "none"), ("低", "low"), ("中", "medium"), ("高", "high"), ("严重", "critical")]


def _pct_change(ratio: float) -> int:
    return round(abs(1 - ratio) * 100)


def _fall(months: int):
    def sentence(v: float) -> tuple[str, str]:
        word_zh, word_en = ("下降", "down") if v < 1 else ("上升", "up")
        return (
            f"AUM {word_zh} {_pct_change(v)}%（近 {months} 个月）",
            f"AUM {word_en} {_pct_change(v)}% (last {months} months)"
            if months > 1
            else f"AUM {word_en} {_pct_change(v)}% (last month)",
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
    "complaints_open": lambda v: (
        (f"有 {int(v)} 件投诉未解决", f"{int(v)} open complaint{'s' if int(v) != 1 else ''}")
        if v
        else ("无未解决投诉", "No open complaint")
    ),
    "complaint_max_severity": lambda v: (
        f"未解决投诉最高严重程度：{COMPLAINT_SEVERITIES[int(v)][0]}",
        f"Most severe open complaint: {COMPLAINT_SEVERITIES[int(v)][1]}",
    ),
    "complaint_resolved_late": lambda v: (
        ("近 90 天有投诉逾期才解决", "A complaint resolved after its deadline in the last 90 days")
        if v
        else ("近 90 天无逾期解决的投诉", "No complaint resolved late in the last 90 days")
    ),
}


def _duration(zh: str, en: str, days: int) -> tuple[str, str]:
    """A length of time as people say it: days under a year, else whole years ("24 years", not "8791 days")."""
    if days < 365:
        return f"{zh} {days} 天", f"{en} {days} day{'s' if days != 1 else ''}"
    years = days // 365
    return f"{zh} {years} 年", f"{en} {years} year{'s' if years != 1 else ''}"


# Every other model input, named for staff: (kind, Chinese, English); kind sets how the value reads.
LABELS = {
    "customer_type": ("code", "客户类型", "Customer type"),
    "aum": ("money", "当前资产", "AUM now"),
    "aum_1m": ("money", "1 个月前资产", "AUM a month ago"),
    "aum_3m": ("money", "3 个月前资产", "AUM 3 months ago"),
    "aum_6m": ("money", "6 个月前资产", "AUM 6 months ago"),
    "aum_12m": ("money", "12 个月前资产", "AUM 12 months ago"),
    "avg_daily_aum_3m": ("money", "近 3 个月日均资产", "3-month average daily AUM"),
    "avg_daily_aum_3m_prev": ("money", "上一期 3 个月日均资产", "Previous 3-month average daily AUM"),
    "bal_current": ("money", "活期余额", "Current account balance"),
    "bal_savings": ("money", "储蓄余额", "Savings balance"),
    "bal_time_deposit": ("money", "定期余额", "Time deposits"),
    "bal_wealth": ("money", "理财余额", "Wealth management"),
    "bal_fund": ("money", "基金余额", "Funds"),
    "bal_insurance": ("money", "保险余额", "Insurance"),
    "bal_loan": ("money", "贷款余额", "Loans outstanding"),
    "bal_credit_card": ("money", "信用卡欠款", "Credit card balance"),
    "monetary_90d": ("money", "近 90 天交易金额", "Transaction amount, 90 days"),
    "frequency_365d": ("count", "近一年交易笔数", "Transactions in a year"),
    "monetary_365d": ("money", "近一年交易金额", "Transaction amount, a year"),
    "card_spend_365d": ("money", "近一年信用卡消费", "Card spend in a year"),
    "payroll_months_6m": ("count", "近 6 个月代发工资月数", "Payroll months of the last 6"),
    "regular_inflow_6m": ("money", "近 6 个月固定入账", "Regular inflows, 6 months"),
    "tenure_days": ("days", "开户至今", "Customer for"),
    "share_counter": ("share", "柜面交易占比", "Share of counter transactions"),
    "share_atm": ("share", "ATM 交易占比", "Share of ATM transactions"),
    "share_mobile": ("share", "手机银行交易占比", "Share of mobile transactions"),
    "share_online": ("share", "网上银行交易占比", "Share of online transactions"),
    "share_pos": ("share", "POS 交易占比", "Share of POS transactions"),
    "share_agent": ("share", "代理渠道交易占比", "Share of agent transactions"),
    "has_payroll": ("flag", "代发工资客户", "Payroll customer"),
    "contribution": ("money", "年贡献度", "Yearly contribution"),
    "aum_change_1m": ("money", "资产较 1 个月前变化", "AUM change over a month"),
    "aum_change_3m": ("money", "资产较 3 个月前变化", "AUM change over 3 months"),
    "aum_change_6m": ("money", "资产较 6 个月前变化", "AUM change over 6 months"),
    "aum_change_12m": ("money", "资产较 12 个月前变化", "AUM change over 12 months"),
    "outflow_1m": ("money", "本月转出/取现", "Outflows this month"),
    "outflow_prev3": ("money", "前 3 个月月均转出", "Monthly outflows, previous 3 months"),
    "max_outflow_1m": ("money", "本月最大一笔转出", "Largest outflow this month"),
    "card_1m": ("money", "本月信用卡消费", "Card spend this month"),
    "card_prev3": ("money", "前 3 个月月均信用卡消费", "Monthly card spend, previous 3 months"),
}


def _labelled(feature: str, value: float) -> tuple[str, str]:
    kind, zh, en = LABELS.get(feature, ("number", feature, feature))
    if kind == "money":
        return f"{zh} {value:,.0f} 元", f"{en} ¥{value:,.0f}"
    if kind == "share":
        return f"{zh} {round(value * 100)}%", f"{en} {round(value * 100)}%"
    if kind == "days":
        return _duration(zh, en, int(value))
    if kind == "flag":
        return (zh, en) if value else (f"非{zh}", f"Not a {en.lower()}")
    if kind in ("count", "code"):
        return f"{zh} {int(value)}", f"{en} {int(value)}"
    return f"{zh} = {value:,.2f}", f"{en} = {value:,.2f}"


# The names of the features that read as sentences, for when their value is missing.
SENTENCE_NAMES = {
    **{
        f"aum_ratio_{k}m": (f"近 {k} 个月 AUM 变化", f"AUM change over {k} month{'s' if k > 1 else ''}")
        for k in (1, 3, 6, 12)
    },
    "adb_ratio": ("日均资产较上期变化", "Change in average daily AUM"),
    "max_drawdown_12m": ("近 12 个月最大回撤", "Largest fall in 12 months"),
    "outflow_share_1m": ("本月转出/取现占上月资产", "Outflows this month against last month's AUM"),
    "outflow_vs_prev": ("本月转出较前 3 个月均值", "Outflows against the previous 3-month average"),
    "payroll_1m": ("本月代发工资", "Payroll this month"),
    "payroll_months_prev": ("前 6 个月代发工资月数", "Payroll months before this one"),
    "card_vs_prev": ("信用卡消费较前 3 个月均值", "Card spend against usual"),
    "days_to_competitor_maturity": ("他行产品到期天数", "Days to a competitor product's maturity"),
    "competitor_amount": ("他行产品金额", "Competitor products' amount"),
    "competitor_products": ("持有他行产品数", "Competitor products held"),
    "recency_days": ("距上次主动交易天数", "Days since the last own transaction"),
    "frequency_90d": ("近 90 天交易笔数", "Transactions in 90 days"),
    "time_deposit_share": ("定期占资产比例", "Time deposits' share of AUM"),
    "product_count": ("持有产品种数", "Products held"),
    "branch_lost_service_share": ("本网点因服务流失占比", "Branch's losses over service"),
    "branch_lost_price_share": ("本网点因利率/费用流失占比", "Branch's losses over rates or fees"),
    "complaints_open": ("未解决投诉数", "Open complaints"),
    "complaint_max_severity": ("未解决投诉最高严重程度", "Most severe open complaint"),
    "complaint_resolved_late": ("近 90 天逾期解决的投诉", "Complaints resolved late, 90 days"),
}


def feature_name(feature: str, lang: str) -> str:
    """A model input's name as staff read it (the model report's importance list), "zh" or "en"."""
    zh, en = SENTENCE_NAMES.get(feature) or LABELS.get(feature, ("", feature, feature))[1:]
    return zh if lang == "zh" else en


def sentence(feature: str, value: float) -> dict[str, str]:
    """{"feature", "zh", "en"} for one reason, from its template or its label."""
    if value is None or math.isnan(value):
        label = LABELS.get(feature) or ("", *SENTENCE_NAMES.get(feature, (feature, feature)))
        zh, en = f"{label[1]} 缺失", f"{label[2]} unknown"
    elif feature in SENTENCES:
        zh, en = SENTENCES[feature](float(value))
    else:
        zh, en = _labelled(feature, float(value))
    return {"feature": feature, "zh": zh, "en": en}


def top_reasons(
    values: np.ndarray, contributions: np.ndarray, columns: list[str], k: int = 3, minimum: float = 0.0
) -> list[list[dict]]:
    """The k features that raise the risk most per row: contribution above `minimum` (and above 0),
    so a protective fact (negative) never reads as a reason and a row where nothing raises the risk
    gets none; `values` are the model inputs, one column per name in `columns`."""
    order = np.argsort(-contributions, axis=1)[:, :k]
    out = []
    for row, top in enumerate(order):  # k sentences per customer: formatting text, not analytics
        out.append([sentence(columns[j], values[row, j]) for j in top if contributions[row, j] > max(minimum, 0.0)])
    return out
