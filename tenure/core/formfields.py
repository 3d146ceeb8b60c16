"""Form fields for figures as bankers type and read them: amounts in yuan with thousands separators,
and shares as percentages, whatever the rules store (yuan as Decimal, shares as fractions).

A `MoneyField` shows 10,000,000 rather than 10000000 and takes either; the page's script
(`web/tenure.js`, inputs marked `data-money`) regroups the digits as they are typed and shows the
amount in 万/亿 beside the field. A `PercentField` shows and takes 10 (%) for a stored 0.10.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

_SEPARATORS = re.compile(r"[\s,，¥￥]")


class MoneyInput(forms.TextInput):
    """A text input (a number input cannot show separators) that phones open on the digit pad."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "data-money": "", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if value in (None, ""):
            return None
        try:
            amount = Decimal(_SEPARATORS.sub("", str(value)))
        except InvalidOperation:
            return str(value)  # what was typed, shown back with its error
        text = f"{amount:,.2f}"
        return text[:-3] if text.endswith(".00") else text


class MoneyField(forms.DecimalField):
    """An amount in yuan; "10,000,000", "10 000 000" and "¥10,000,000.00" all read as 10000000."""

    widget = MoneyInput

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # stubs type it as IntegerField's
        if isinstance(value, str):
            value = _SEPARATORS.sub("", value)
        return super().to_python(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)  # a text input; the number attributes mean nothing to it
        attrs.pop("min", None)
        attrs.pop("max", None)
        return attrs


class PercentField(forms.DecimalField):
    """A share typed as a percentage (10 for 10 %), cleaned to the fraction the rules store (0.1).
    `min_value`/`max_value` are fractions, as stored; the form and its messages say them in percent."""

    def __init__(self, *, min_value: Decimal | float = 0, max_value: Decimal | float = 1, **kwargs: Any) -> None:
        self.min_fraction, self.max_fraction = Decimal(str(min_value)), Decimal(str(max_value))
        kwargs.setdefault("decimal_places", 2)
        super().__init__(min_value=self.min_fraction * 100, max_value=self.max_fraction * 100, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
            return format((Decimal(str(value)) * 100).normalize(), "f")  # 20, not 2E+1
        return value

    def clean(self, value: Any) -> Decimal | None:
        percent = super().clean(value)
        return None if percent is None else percent / 100
