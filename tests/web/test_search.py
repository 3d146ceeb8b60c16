"""One search box: name prefix (also as pinyin), customer number, exact mobile / ID / card / account via blind index."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenure.customers.selectors import customer_search


def found(bank, who: str, q: str, view: str = "all") -> set[str]:
    return set(customer_search(user=bank.staff[who], q=q, view=view).values_list("customer_no", flat=True))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("王", {"C0000001", "C0000002"}),  # name prefix
        ("王芳", {"C0000001"}),
        ("芳", set()),  # prefix, not substring
        ("C0000003", {"C0000003"}),  # customer number
        ("C000000", set()),  # customer numbers match exactly
        ("13711112222", {"C0000003"}),  # mobile
        ("137 1111 2222", {"C0000003"}),  # spaces are ignored
        ("1371111222", set()),  # one digit short: exact only
        ("310101197805050022", {"C0000003"}),  # resident ID
        ("6222029876543210987", {"C0000003"}),  # card number
        ("6222020200222200002", {"C0000003"}),  # account number
        ("  ", {"C0000001", "C0000002", "C0000003"}),  # empty: everything in scope
        ("wang", {"C0000001", "C0000002"}),  # pinyin prefix: 王芳 wangfang, 王磊 wanglei
        ("WangF", {"C0000001"}),  # case-insensitive
        ("wang lei", {"C0000002"}),  # spaces between syllables ignored
        ("wl", {"C0000002"}),  # initials
        ("ln", {"C0000003"}),  # 李娜
        ("w", set()),  # one letter is too broad to search by
        ("zhao", set()),  # 赵敏 is outside head_a's branch
    ],
)
def test_search_kinds(bank, q, expected):
    assert found(bank, "head_a", q) == expected


def test_search_is_scoped(bank):
    assert found(bank, "rm_a", "13699998888") == set()  # the foreign customer's mobile
    assert found(bank, "analyst", "13699998888") == {"C0000009"}


def test_rm_search_defaults_to_the_book(bank):
    assert found(bank, "rm_a2", "王", view=None) == set()
    assert found(bank, "rm_a", "王", view=None) == {"C0000001", "C0000002"}


def test_search_never_decrypts_the_table(bank, django_assert_max_num_queries):
    """The query uses the blind-index columns: the SQL holds no clear number."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert found(bank, "head_a", "13711112222") == {"C0000003"}
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "mobile_bidx" in sql and "13711112222" not in sql


def test_search_page_is_paginated_sorted_and_masked(bank, login):
    from tests.factories import make_customer

    for n in range(30):
        make_customer(bank, f"C1{n:06d}", f"王{n:02d}", "S0101", mobile=f"1390000{n:04d}")
    client = login(bank.staff["head_a"])
    first = client.get("/customers/", {"q": "王", "view": "all"}).content.decode()
    assert "1–25 of 32" in first or "1–25 / 32" in first or "共 32" in first
    assert "139****0000" in first and "13900000000" not in first
    second = client.get("/customers/", {"q": "王", "view": "all", "page": 2}).content.decode()
    assert "王芳" in second or "王磊" in second  # 王00…王29 sort before 王磊/王芳 on page 1
    desc = client.get("/customers/", {"q": "王", "view": "all", "sort": "-customer_no"}).content.decode()
    assert desc.index("C1000029") < desc.index("C1000028")


def test_htmx_search_returns_the_results_fragment(bank, login):
    client = login(bank.staff["lobby_a"])
    response = client.post("/customers/", {"q": "13812345678"}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 200 and "<html" not in text
    assert "王芳" in text and "138****5678" in text and "13812345678" not in text


def test_an_identifier_in_the_url_is_refused_not_searched(bank, login):
    """The search box posts; a number typed into the address would reach logs and history."""
    client = login(bank.staff["lobby_a"])
    for url in ("/customers/?q=13812345678", "/customers/export.csv?q=110101199003071234"):
        response = client.get(url)
        assert response.status_code == 400 and "王芳" not in response.content.decode()
    assert client.get("/customers/?q=王").status_code == 200  # names and customer numbers still work by GET


def test_pinyin_keys_follow_the_name_and_come_with_the_import():
    from tenure.customers.pinyin import as_pinyin_query, pinyin_keys

    assert pinyin_keys("王芳") == ("wangfang", "wf")
    assert pinyin_keys("") == ("", "")
    assert as_pinyin_query("Wang Fang") == "wangfang"
    assert as_pinyin_query("王f") is None and as_pinyin_query("w") is None


NAME_CHARACTERS = st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), st.sampled_from("Ab ·〇"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=NAME_CHARACTERS, max_size=8))
def test_pinyin_initials_are_what_pypinyin_gives_for_first_letters(name):
    from pypinyin import Style, lazy_pinyin

    from tenure.customers.pinyin import pinyin_keys

    full, initials = pinyin_keys(name)
    assert full == "".join(lazy_pinyin(name, errors="ignore")).lower()[:100]
    assert initials == "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()[:30]


def test_the_customer_list_exports_as_xlsx_with_labels_names_and_masked_identifiers(bank, login):
    """Chinese headers, the type's label, the branch's and RM's names (not codes), identifiers masked."""
    import io

    from openpyxl import load_workbook

    from tenure.core.models import AuditEntry

    response = login(bank.staff["head_a"]).get("/customers/export.xlsx", {"q": "王", "view": "all"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("客户号", "姓名", "类型") and rows[0][8] == "开户日期"
    wang = next(row for row in rows[1:] if row[1] == "王芳")
    assert (
        wang[0] == "C0000001"
        and wang[3] == bank.customers["wang"].branch.name
        and wang[4] == str(bank.staff["rm_a"]) != "E101"
    )
    assert "****" in wang[5] and bank.customers["wang"].mobile not in wang[5]
    assert AuditEntry.objects.filter(action="customer.export", detail__format="xlsx").exists()
