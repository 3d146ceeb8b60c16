"""Django's Simplified Chinese formats, with counts grouped by thousands (20,000), as Chinese
banks print amounts and as the yuan filters already do; Django's default groups nothing."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
