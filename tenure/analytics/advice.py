"""The cultivation advice of one upgrade-potential row, in words drawn from the customer's own
figures (issue 29: every row of the list read the same sentence).

The nightly stores the kind of advice (`CustomerValue.suggestion`) and the riser flags; the
sentence is worked out when a page or export shows it, in the reader's language, after
`selectors.next_tier_targets` has set the next tier, its threshold and the gap.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from tenure.analytics.charts import LEVEL_LABELS, tier_label
from tenure.analytics.config import LEVEL_ORDER
from tenure.analytics.models import CustomerValue, Suggestion
from tenure.core.figures import yuan

# The level above each value level (key has none).
HIGHER_LEVEL = dict(zip(LEVEL_ORDER[1:], LEVEL_ORDER, strict=False))


def score_driver(value: CustomerValue) -> str:
    """Which progress the potential score measures (the higher of the two): "tier" or "level"."""
    return "tier" if value.likely_tier_riser or not value.likely_level_riser else "level"


def cultivation_advice(value: CustomerValue) -> str:
    contribution = yuan(value.contribution, 0)
    if value.suggestion == Suggestion.REVIEW_LOSS:
        return _("Loses %(amount)s a year: review fees and pricing before adding service.") % {
            "amount": yuan(abs(value.contribution), 0)
        }
    next_tier = getattr(value, "next_tier", None)
    if value.likely_tier_riser and next_tier:
        if value.gap:
            return _(
                "%(gap)s more on the tier basis reaches %(tier)s (from %(threshold)s): propose a deposit or"
                " wealth product of that size."
            ) % {"gap": yuan(value.gap, 0), "tier": tier_label(next_tier), "threshold": yuan(value.next_tier_min, 0)}
        return _("At the %(tier)s threshold already: keep the balance there and the tier follows.") % {
            "tier": tier_label(next_tier)
        }
    if value.likely_level_riser and value.value_level in HIGHER_LEVEL:
        return _(
            "Contribution %(amount)s a year, close to the %(level)s level: cross-sell card spending, payroll or a loan."
        ) % {"amount": contribution, "level": LEVEL_LABELS[HIGHER_LEVEL[value.value_level]]}
    advice: dict[str, str] = {
        Suggestion.KEY_ACCOUNT: _("Key customer: the dedicated team keeps the contact plan."),
        Suggestion.CULTIVATE: _("Cultivate: more visits and calls."),
        Suggestion.MAINTAIN: _("Maintain: the contact plan as it stands."),
        Suggestion.REDUCE_COST: _("Serve through mobile banking and the lobby; keep RM time for growth."),
        Suggestion.CHEAPER_CHANNEL: _("Digital channels only: messages rather than RM calls."),
    }
    return advice.get(value.suggestion, value.get_suggestion_display())
