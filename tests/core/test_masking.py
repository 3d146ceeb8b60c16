import logging

from tenure.core.masking import MaskingLogFilter, mask_card, mask_email, mask_mobile, mask_resident_id, mask_text


def test_field_masks():
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_resident_id("11010519491231002X") == "110***********002X"
    assert mask_card("6222021234567890123") == "622202*********0123"
    assert mask_email("zhangsan@example.com") == "z***@example.com"
    assert mask_mobile("") == ""


def test_free_text_masks_every_identifier():
    text = "客户 11010519491231002X 手机 13812345678 卡 6222021234567890123 金额 1234.56"
    masked = mask_text(text)
    for clear in ("11010519491231002X", "13812345678", "6222021234567890123"):
        assert clear not in masked
    assert "1234.56" in masked
    assert "138****5678" in masked


def test_log_filter_masks_arguments():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "mobile %s", ("13812345678",), None)
    MaskingLogFilter().filter(record)
    assert record.getMessage() == "mobile 138****5678"
