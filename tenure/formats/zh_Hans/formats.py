"""Django's Simplified Chinese formats, with counts grouped by thousands (20,000), as Chinese
banks print amounts and as the yuan filters already do; Django's default groups nothing."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

# Date fields show and read yyyy-mm-dd first (Django's first is 2026/12/07, which a date field
# cannot show, so a Chinese page's date inputs came up empty); the other forms are still read.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
