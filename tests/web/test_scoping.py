"""The one scoping layer: who sees which customers, and what an RM's default view is."""

import pytest

from tenure.customers.models import Account, Customer
from tenure.customers.selectors import customer_list, default_view
from tenure.org.models import Branch
from tenure.org.scoping import ScopeNotRegistered, customers_for, scoped


def numbers(queryset) -> set[str]:
    return set(queryset.values_list("customer_no", flat=True))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("rm_a", {"C0000001", "C0000002"}),  # sub-branch S0101
        ("lobby_a", {"C0000001", "C0000002"}),
        ("rm_a2", {"C0000003"}),  # sub-branch S0102
        ("head_a", {"C0000001", "C0000002", "C0000003"}),  # branch B01 and its subtree
        ("rm_b", {"C0000009"}),
        ("analyst", {"C0000001", "C0000002", "C0000003", "C0000009"}),
        ("service", {"C0000001", "C0000002", "C0000003", "C0000009"}),
        ("compliance", {"C0000001", "C0000002", "C0000003", "C0000009"}),
        ("admin", {"C0000001", "C0000002", "C0000003", "C0000009"}),
        ("norole", set()),
    ],
)
def test_customers_for_follows_the_branch_subtree(bank, who, expected):
    assert numbers(customers_for(bank.staff[who])) == expected


def test_accounts_are_scoped_through_their_customer(bank):
    accounts = scoped(Account.objects.all(), bank.staff["rm_a2"])
    assert set(accounts.values_list("account_id", flat=True)) == {"A-li-sav"}


def test_inactive_staff_and_anonymous_see_nothing(bank):
    from django.contrib.auth.models import AnonymousUser

    staff = bank.staff["analyst"]
    staff.is_active = False
    assert not customers_for(staff).exists()
    assert not customers_for(AnonymousUser()).exists()


def test_rm_defaults_to_own_book_but_may_widen(bank):
    rm = bank.staff["rm_a"]
    customer = Customer.objects.get(customer_no="C0000002")
    customer.rm = bank.staff["rm_a2"]
    customer.save()
    assert default_view(rm) == "book"
    assert numbers(customer_list(user=rm)) == {"C0000001"}
    assert numbers(customer_list(user=rm, view="all")) == {"C0000001", "C0000002"}
    assert default_view(bank.staff["head_a"]) == "all"


def test_an_unregistered_model_cannot_be_scoped_silently(bank):
    from tenure.core.models import AuditEntry

    with pytest.raises(ScopeNotRegistered):
        scoped(AuditEntry.objects.all(), bank.staff["analyst"])


def test_branch_moves_are_followed(bank):
    """Moving S0102 under B02 moves its customers out of the B01 head's scope."""
    from tenure.org.services import branch_paths_rebuild

    Branch.objects.filter(code="S0102").update(parent_id="B02")
    branch_paths_rebuild()
    head = type(bank.staff["head_a"]).objects.get(pk=bank.staff["head_a"].pk)
    assert numbers(customers_for(head)) == {"C0000001", "C0000002"}
