from hypothesis import given
from hypothesis import strategies as st

from tenure.core.checkdigits import is_valid_luhn, is_valid_resident_id, luhn_check_digit, resident_id_check_char


def test_published_resident_id_example_is_valid():
    # The worked example of GB 11643-1999.
    assert is_valid_resident_id("11010519491231002X")
    assert not is_valid_resident_id("110105194912310021")


def test_known_card_numbers():
    assert is_valid_luhn("4111111111111111")
    assert not is_valid_luhn("4111111111111112")
    assert not is_valid_luhn("41111111111a1111")


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_any_17_digits_get_a_check_char_that_validates(first17):
    value = first17 + resident_id_check_char(first17)
    assert is_valid_resident_id(value)
    wrong = next(c for c in "0123456789X" if c != value[-1])
    assert not is_valid_resident_id(first17 + wrong)


@given(st.text(alphabet="0123456789", min_size=11, max_size=18))
def test_luhn_digit_validates_and_single_digit_errors_are_caught(partial):
    number = partial + luhn_check_digit(partial)
    assert is_valid_luhn(number)
    flipped = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not is_valid_luhn(flipped)
