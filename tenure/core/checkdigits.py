"""Check digits of Chinese resident IDs (GB 11643-1999) and payment cards (Luhn)."""

import re

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")


def resident_id_check_char(first17: str) -> str:
    """The 18th character of a resident ID given its first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_valid_resident_id(value: str) -> bool:
    """True when `value` is 18 characters with a correct GB 11643 check character."""
    return bool(_ID_PATTERN.match(value)) and resident_id_check_char(value[:17]) == value[17]


def luhn_check_digit(partial: str) -> str:
    """The Luhn digit to append to `partial` (digits only)."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def is_valid_luhn(value: str) -> bool:
    """True when `value` is 12–19 digits whose last digit is a correct Luhn check digit."""
    return value.isdigit() and 12 <= len(value) <= 19 and luhn_check_digit(value[:-1]) == value[-1]
