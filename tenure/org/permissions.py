"""THE role layer: which capabilities each role holds, as data, and the one check every caller makes.

`PERMISSIONS` is the permission matrix of docs/security.md (and the retention steps' table of
docs/churn.md) written as data: one `Perm` per role-based row, with its roles and the row's text as
the documents print it. `tests/org/test_permission_matrix.py` renders both tables from here and fails
when a document differs, so the documents cannot drift from the code.

Every page, API permission class, menu tag and service asks `has_perm(user, Perm.X)`; a view that
only needs the role gate says `@requires(Perm.X)`. Refusals raise `PermissionDenied`, which Django's
`handler403` and DRF's exception handler answer with 403 and write to the audit log as
`access.denied` (`tenure/web/denied.py`). Which *records* a permitted user may touch is the other
layer, `tenure/org/scoping.py` (`scoped`, `get_scoped_or_404`); it builds on this one.

The rules of `has_perm`:

* only an active, logged-in member of staff holds anything (anonymous and deactivated: nothing);
* a member of staff holds a permission when one of their roles is in its row (roles add up);
* **an active superuser holds what the administrator role holds**, no more. Superusers are the
  break-glass accounts of `tenure createsuperuser`, not a role given to staff: they run the system
  like an administrator, and like one they neither reveal identifiers nor read the audit log that
  records what they do (compliance does). Before this module some checks let superusers through
  everything (points, surveys, analytics, retention, record scope) and others not at all.

Two rows are held by every role (`CUSTOMER_EXPORT`, `CHURN_QUEUE`): their pages need a log-in only,
and record scope gives a member of staff without a role nothing to see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Any, TypeGuard, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from tenure.org.models import Role, Staff


class Perm(StrEnum):
    """A capability of the permission matrix (docs/security.md) or of a retention step (docs/churn.md)."""

    CUSTOMERS_OWN_SUBTREE = "customers_own_subtree"
    CUSTOMERS_BANK_WIDE = "customers_bank_wide"
    CUSTOMER_360_FULL = "customer_360_full"
    UNMASK = "unmask"
    CUSTOMER_EXPORT = "customer_export"
    INTERACTION_RECORD = "interaction_record"
    COMPLAINTS_VIEW = "complaints_view"
    COMPLAINTS_HANDLE = "complaints_handle"
    COMPLAINTS_UNMATCHED = "complaints_unmatched"
    COMPLAINTS_RECOVERY = "complaints_recovery"
    COMPLAINT_CAUSES_EDIT = "complaint_causes_edit"
    SURVEYS_BUILD = "surveys_build"
    SURVEYS_RESULTS = "surveys_results"
    SURVEY_CALLBACKS = "survey_callbacks"
    CHURN_QUEUE = "churn_queue"
    CHURN_HANDOFF = "churn_handoff"
    CHURN_POLICY_EDIT = "churn_policy_edit"
    ANALYTICS_VIEW = "analytics_view"
    POTENTIAL_VIEW = "potential_view"
    TIER_RULES_EDIT = "tier_rules_edit"
    POINTS_VIEW = "points_view"
    POINTS_REDEEM = "points_redeem"
    AUDIT_READ = "audit_read"
    # Retention steps (docs/churn.md, "Who does which retention step")
    RETENTION_HANDOFF = "retention_handoff"
    INTERCEPT_RECORD = "intercept_record"
    INTERCEPT_RM_STEP = "intercept_rm_step"
    INTERCEPT_LOBBY_STEP = "intercept_lobby_step"
    INTERCEPT_COUNTER_STEP = "intercept_counter_step"
    PROPOSAL_CREATE = "proposal_create"
    PROPOSAL_DECIDE = "proposal_decide"
    COMPETITOR_PRODUCTS_EDIT = "competitor_products_edit"
    CAMPAIGNS_RUN = "campaigns_run"
    LOTTERY_DRAW = "lottery_draw"
    BOOK_MANAGE = "book_manage"
    STAFF_DEACTIVATE = "staff_deactivate"
    TASKS_WORK = "tasks_work"
    TASKS_REASSIGN = "tasks_reassign"
    CONTACT_PLAN_EDIT = "contact_plan_edit"
    CUSTOMER_TEAM_EDIT = "customer_team_edit"
    SCORECARDS_VIEW = "scorecards_view"
    STAR_RULES_EDIT = "star_rules_edit"
    RISK_ASSESSMENT_RECORD = "risk_assessment_record"
    OFFER_CATALOGUE_EDIT = "offer_catalogue_edit"
    OFFER_RESPONSE_RECORD = "offer_response_record"
    OFFER_SEND = "offer_send"
    MESSAGE_TEMPLATES_EDIT = "message_templates_edit"
    MESSAGE_TEMPLATES_APPROVE = "message_templates_approve"
    ADMIN_CONSOLE = "admin_console"
    QUEUES_VIEW = "queues_view"
    QUEUE_TARGET_EDIT = "queue_target_edit"
    COMPETITORS_VIEW = "competitors_view"
    EVALUATION_VIEW = "evaluation_view"

    @property
    def roles(self) -> frozenset[Role]:
        return PERMISSIONS[self].roles

    @property
    def text(self) -> str:
        return PERMISSIONS[self].text


@dataclass(frozen=True)
class Grant:
    """One row: the roles holding the permission and the capability as the document words it.

    `read_only_without`: a role holding this permission but not that one is shown "✓ read" (compliance
    reads complaints but does not handle them)."""

    roles: frozenset[Role]
    text: str
    read_only_without: Perm | None = None


def _roles(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


RM, LOBBY, HEAD = Role.RM, Role.LOBBY, Role.BRANCH_HEAD
ANALYST, SERVICE, COMPLIANCE, ADMIN = Role.ANALYST, Role.SERVICE, Role.COMPLIANCE, Role.ADMIN
EVERY_ROLE = frozenset(Role)

PERMISSIONS: dict[Perm, Grant] = {
    Perm.CUSTOMERS_OWN_SUBTREE: Grant(
        _roles(RM, LOBBY, HEAD), "Customers of own subtree: search, list, 360° page, API"
    ),
    Perm.CUSTOMERS_BANK_WIDE: Grant(_roles(ANALYST, SERVICE, COMPLIANCE, ADMIN), "Customers of the whole bank"),
    # Without it (the lobby role) the 360° page is the counter's: tier, alerts, complaints, handoff.
    Perm.CUSTOMER_360_FULL: Grant(
        _roles(RM, HEAD, ANALYST, SERVICE, COMPLIANCE, ADMIN),
        "Full 360° page: AUM, balances, accounts, transactions, channels, lifetime value (the lobby role sees"
        " tier, alerts, complaints and handoff)",
    ),
    Perm.UNMASK: Grant(
        _roles(RM, LOBBY, HEAD, SERVICE, COMPLIANCE), "Reveal an identifier (with reason, 60 s, audited)"
    ),
    Perm.CUSTOMER_EXPORT: Grant(EVERY_ROLE, "Customer CSV export (masked, audited)"),
    Perm.INTERACTION_RECORD: Grant(
        _roles(RM, LOBBY, HEAD, SERVICE, ADMIN),
        "Record an interaction note on the 360° page (read: everyone who sees the customer; numbers in notes"
        " shown masked)",
    ),
    Perm.COMPLAINTS_VIEW: Grant(
        _roles(RM, LOBBY, HEAD, SERVICE, COMPLIANCE),
        "Complaints of own scope: queue, detail, API (docs/complaints.md)",
        read_only_without=Perm.COMPLAINTS_HANDLE,
    ),
    Perm.COMPLAINTS_HANDLE: Grant(
        _roles(RM, LOBBY, HEAD, SERVICE), "Record and handle complaints (intake, status, checklist, facts)"
    ),
    # Seeing them follows record scope (they hang off no branch: head office sees them); matching one
    # to a customer takes this and COMPLAINTS_HANDLE.
    Perm.COMPLAINTS_UNMATCHED: Grant(
        _roles(SERVICE, COMPLIANCE),
        "Unmatched public complaints: see and match to a customer",
        read_only_without=Perm.COMPLAINTS_HANDLE,
    ),
    Perm.COMPLAINTS_RECOVERY: Grant(
        _roles(HEAD, ANALYST, SERVICE), "Complaint recovery analytics and XLSX (aggregates, scoped, audited)"
    ),
    Perm.COMPLAINT_CAUSES_EDIT: Grant(_roles(SERVICE, ADMIN), "Edit complaint root causes"),
    Perm.SURVEYS_BUILD: Grant(
        _roles(SERVICE, ADMIN),
        "Survey builder, issuing waves and the one-time link file (masked), decline check (docs/surveys.md)",
    ),
    Perm.SURVEYS_RESULTS: Grant(
        _roles(HEAD, ANALYST, SERVICE, ADMIN),
        "Survey results, XLSX and API `/api/v1/surveys/`, `/api/v1/survey-responses/` (aggregates and responses"
        " of own scope)",
    ),
    Perm.SURVEY_CALLBACKS: Grant(
        _roles(HEAD, SERVICE, ADMIN), "Callback tasks after a satisfaction decline: see and close (own subtree)"
    ),
    Perm.CHURN_QUEUE: Grant(
        EVERY_ROLE,
        "Churn work queue, record an outcome, alert and at-risk XLSX, churn API (own alerts by default for RMs;"
        " scope otherwise)",
    ),
    Perm.CHURN_HANDOFF: Grant(_roles(HEAD, ADMIN), "Hand ticked alerts to an RM of the subtree (bulk, audited)"),
    Perm.CHURN_POLICY_EDIT: Grant(_roles(ADMIN), "Churn policy editor `/churn/policy/` (new version, audited)"),
    Perm.BOOK_MANAGE: Grant(
        _roles(HEAD, ADMIN),
        "Books and unassigned pool `/customers/book/`: move customers to an active RM of the subtree (reason"
        " required, confirmed, audited `customer.rm.move`; docs/book.md)",
    ),
    Perm.STAFF_DEACTIVATE: Grant(
        _roles(HEAD, ADMIN),
        "Deactivate a member of staff of the subtree and hand their book and open tasks to a named successor"
        " (one audited step `staff.deactivate`; branch heads: RMs and lobby managers only)",
    ),
    Perm.ANALYTICS_VIEW: Grant(
        _roles(HEAD, ANALYST, SERVICE, COMPLIANCE, ADMIN),
        "Tiers & value page `/analytics/` (aggregates; a branch head's subtree only, no bank-wide migration or Pareto)",
    ),
    Perm.POTENTIAL_VIEW: Grant(
        _roles(RM, HEAD, ANALYST, SERVICE, COMPLIANCE, ADMIN),
        "Upgrade-potential list `/analytics/potential/` and its XLSX (own book by default for RMs, scope"
        " otherwise; export audited `analytics.potential.export`)",
    ),
    Perm.TIER_RULES_EDIT: Grant(_roles(ADMIN), "Tier rules editor `/analytics/rules/` (preview, save audited)"),
    Perm.POINTS_VIEW: Grant(
        _roles(RM, HEAD, ANALYST, ADMIN),
        "Merchant points `/points/`: balances, monthly chart, a merchant's statement and its XLSX (own subtree;"
        " export audited `points.statement.export`; other roles 403, audited `access.denied`)",
    ),
    Perm.POINTS_REDEEM: Grant(
        _roles(HEAD, ADMIN),
        "Redeem a merchant's points (review, then confirm; one posting per form key; audited `points.redeem`)",
    ),
    Perm.AUDIT_READ: Grant(_roles(COMPLIANCE), "Audit log page, CSV and API"),
    # Retention (docs/churn.md). Counter staff hold the lobby role: there is no counter role.
    Perm.RETENTION_HANDOFF: Grant(_roles(LOBBY, HEAD), "Hand a customer over to their RM (lobby → RM handoff)"),
    Perm.INTERCEPT_RECORD: Grant(
        _roles(RM, LOBBY, HEAD), "Record a large-withdrawal appointment (starts the intercept)"
    ),
    Perm.INTERCEPT_RM_STEP: Grant(_roles(RM, HEAD), "Intercept step 1: the RM prepares the offer"),
    Perm.INTERCEPT_LOBBY_STEP: Grant(_roles(LOBBY, HEAD), "Intercept step 2: the lobby manager briefs the counter"),
    Perm.INTERCEPT_COUNTER_STEP: Grant(_roles(LOBBY, HEAD), "Intercept step 3: the counter records the amount kept"),
    Perm.PROPOSAL_CREATE: Grant(_roles(RM, HEAD), "Propose preferential terms for a preferential alert"),
    Perm.PROPOSAL_DECIDE: Grant(_roles(HEAD), "Approve or reject a proposal (never one's own)"),
    Perm.COMPETITOR_PRODUCTS_EDIT: Grant(_roles(ANALYST, ADMIN), "Add and edit competitor products"),
    Perm.CAMPAIGNS_RUN: Grant(
        _roles(HEAD, ANALYST, SERVICE, COMPLIANCE, ADMIN), "Start a campaign (treated and control) and measure it"
    ),
    # Compliance checks a draw (its audit row, the order anyone can recompute) rather than making it.
    Perm.LOTTERY_DRAW: Grant(
        _roles(HEAD, ANALYST, SERVICE, ADMIN),
        "Draw the retention lottery's winners of a month among the ticket holders of own scope (confirmed,"
        " reproducible, audited; branch heads: their subtree)",
    ),
    Perm.TASKS_WORK: Grant(
        _roles(RM, LOBBY, HEAD),
        "Workbench and tasks: finish own tasks by logging the contact (lobby managers: key customers' long waits;"
        " branch heads: the subtree's)",
    ),
    Perm.TASKS_REASSIGN: Grant(_roles(HEAD), "Reassign a task to another RM of the subtree (audited)"),
    Perm.CONTACT_PLAN_EDIT: Grant(_roles(ADMIN), "Contact plan editor `/work/plan/` (workload preview, save audited)"),
    Perm.CUSTOMER_TEAM_EDIT: Grant(_roles(HEAD), "Name colleagues in a key customer's dedicated team (audited)"),
    Perm.SCORECARDS_VIEW: Grant(
        _roles(RM, HEAD, ANALYST, SERVICE, ADMIN),
        "Scorecards and service stars `/performance/`, their XLSX and API `/api/v1/scorecards/` (RMs: their own;"
        " branch heads: the subtree's RMs and pools; head office: every branch)",
    ),
    Perm.STAR_RULES_EDIT: Grant(_roles(ADMIN), "Service-star weighting and eligibility (new version, audited)"),
    Perm.RISK_ASSESSMENT_RECORD: Grant(
        _roles(RM, HEAD), "Record a customer's risk assessment (C1–C5, professional investor; audited)"
    ),
    Perm.OFFER_CATALOGUE_EDIT: Grant(
        _roles(ANALYST, ADMIN),
        "Sales terms of our products `/offers/catalogue/` (minimum, target tiers, sale window, fees; audited)",
    ),
    Perm.OFFER_RESPONSE_RECORD: Grant(
        _roles(RM, HEAD), "Record a customer's answer to an offer (accepted, declined, with a reason; audited)"
    ),
    Perm.OFFER_SEND: Grant(
        _roles(RM, HEAD),
        "Send the customer an offer of one of our products by SMS or e-mail from the 360° page (suitability and"
        " consent checked; confirmed; audited)",
    ),
    Perm.MESSAGE_TEMPLATES_EDIT: Grant(
        _roles(SERVICE, ADMIN), "Draft a new version of a message template (maker; sent only once approved)"
    ),
    Perm.MESSAGE_TEMPLATES_APPROVE: Grant(
        _roles(COMPLIANCE), "Approve or reject a message template version (checker; never one's own draft; audited)"
    ),
    Perm.ADMIN_CONSOLE: Grant(
        _roles(ADMIN),
        "Administration console `/console/`: staff, branches, import and daily runs, configuration versions"
        " (changes audited; no customer identifiers)",
    ),
    Perm.QUEUES_VIEW: Grant(
        _roles(LOBBY, HEAD, ANALYST, SERVICE, ADMIN),
        "Queues and waiting times per branch `/queues/` and their XLSX (branch heads and lobby"
        " managers: their subtree)",
    ),
    Perm.QUEUE_TARGET_EDIT: Grant(_roles(ADMIN), "Target waiting time (new version, audited)"),
    Perm.COMPETITORS_VIEW: Grant(
        _roles(RM, HEAD, ANALYST, ADMIN),
        "Competitor comparison `/performance/competitors/`: their offerings beside ours, mystery-shopping notes,"
        " lost-customer reasons",
    ),
    Perm.EVALUATION_VIEW: Grant(
        _roles(HEAD, ANALYST, SERVICE, COMPLIANCE, ADMIN),
        "Evaluation dashboard `/performance/evaluation/` and its XLSX (branch heads: their subtree)",
    ),
}


def is_active_staff(user: object) -> TypeGuard[Staff]:
    """A logged-in, active member of staff (anonymous users, None and deactivated accounts are not)."""
    return isinstance(user, Staff) and user.is_active


def has_perm(user: object, perm: Perm) -> bool:
    """Whether `user` holds `perm`: an active member of staff with one of its roles (an active
    superuser counts as an administrator)."""
    if not is_active_staff(user):
        return False
    roles = PERMISSIONS[perm].roles
    return (user.is_superuser and Role.ADMIN in roles) or user.has_role(*roles)


_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def requires(perm: Perm) -> Callable[[_View], _View]:
    """View decorator: log-in required (else the log-in page), then `perm` or 403 (audited by `handler403`).

    Put it first, above the HTTP-method decorators. The view keeps `required_perm`, so a test can walk
    every route that needs one."""

    def decorator(view: _View) -> _View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not has_perm(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_perm = perm  # type: ignore[attr-defined]
        return cast(_View, login_required(wrapper))

    return decorator


# --- The documents' tables, rendered from the data above (tests/org/test_permission_matrix.py) ---


@dataclass(frozen=True)
class Special:
    """A row that is not a role's permission (anyone, nobody, a default view, the home page): its cells
    are written out. The code behind each is named in the comment where it is listed."""

    text: str
    cells: tuple[str, ...]


YES, READ, NO = "✓", "✓ read", "—"
_ANYONE = ("anyone", "", "", "", "", "", "")

# docs/security.md, "Permission matrix", in the document's order.
SECURITY_MATRIX: tuple[Perm | Special, ...] = (
    Perm.CUSTOMERS_OWN_SUBTREE,
    Perm.CUSTOMERS_BANK_WIDE,
    Perm.CUSTOMER_360_FULL,
    # scoping.is_book_owner_default: a default view, not a security boundary
    Special('Default list view "My book"', (YES, NO, NO, NO, NO, NO, NO)),
    Perm.UNMASK,
    Perm.CUSTOMER_EXPORT,
    Perm.INTERACTION_RECORD,
    Perm.COMPLAINTS_VIEW,
    Perm.COMPLAINTS_HANDLE,
    Perm.COMPLAINTS_UNMATCHED,
    Perm.COMPLAINTS_RECOVERY,
    Perm.COMPLAINT_CAUSES_EDIT,
    # complaints/public_views.py: no log-in
    Special("Public complaint form `/p/complaint/` (no login, per-IP limit, reveals nothing)", _ANYONE),
    Perm.SURVEYS_BUILD,
    Perm.SURVEYS_RESULTS,
    Perm.SURVEY_CALLBACKS,
    # surveys/public_views.py: the token is the key
    Special(
        "Public survey page `/p/s/<token>/` (hashed single-use token, per-IP limit, reveals nothing)",
        ("anyone with the link", "", "", "", "", "", ""),
    ),
    Perm.CHURN_QUEUE,
    Perm.CHURN_HANDOFF,
    Perm.CHURN_POLICY_EDIT,
    Perm.BOOK_MANAGE,
    Perm.STAFF_DEACTIVATE,
    # the RETENTION_MATRIX below, printed in docs/churn.md
    Special(
        "Retention playbooks, handoffs, intercept chain, proposals and approvals, interviews, campaigns",
        ("roles per step, see docs/churn.md", "", "", "", "", "", ""),
    ),
    Perm.ANALYTICS_VIEW,
    Perm.POTENTIAL_VIEW,
    Perm.TIER_RULES_EDIT,
    Perm.POINTS_VIEW,
    Perm.POINTS_REDEEM,
    Perm.TASKS_WORK,
    Perm.TASKS_REASSIGN,
    Perm.CONTACT_PLAN_EDIT,
    Perm.CUSTOMER_TEAM_EDIT,
    Perm.SCORECARDS_VIEW,
    Perm.STAR_RULES_EDIT,
    Perm.RISK_ASSESSMENT_RECORD,
    Perm.OFFER_CATALOGUE_EDIT,
    Perm.OFFER_RESPONSE_RECORD,
    Perm.OFFER_SEND,
    Perm.MESSAGE_TEMPLATES_EDIT,
    Perm.MESSAGE_TEMPLATES_APPROVE,
    Perm.ADMIN_CONSOLE,
    Perm.QUEUES_VIEW,
    Perm.QUEUE_TARGET_EDIT,
    Perm.COMPETITORS_VIEW,
    Perm.EVALUATION_VIEW,
    # web/home.py HOME_KINDS: which page, not whether
    Special(
        "Home page",
        (
            "workbench: tasks, week, plan coverage",
            "counter search, coming large withdrawals, handoffs today",
            "branch totals + team work",
            "bank totals",
            "bank totals",
            "recent reveals",
            "bank totals",
        ),
    ),
    Perm.AUDIT_READ,
    # core/models.py AuditEntry refuses save of an existing row, delete and queryset update/delete
    Special("Edit or delete an audit entry", ("nobody, through any interface", "", "", "", "", "", "")),
)

# docs/churn.md, "Who does which retention step".
RETENTION_MATRIX: tuple[Perm | Special, ...] = (
    Perm.RETENTION_HANDOFF,
    Perm.INTERCEPT_RECORD,
    Perm.INTERCEPT_RM_STEP,
    Perm.INTERCEPT_LOBBY_STEP,
    Perm.INTERCEPT_COUNTER_STEP,
    Perm.PROPOSAL_CREATE,
    Perm.PROPOSAL_DECIDE,
    Perm.COMPETITOR_PRODUCTS_EDIT,
    Perm.CAMPAIGNS_RUN,
    Perm.LOTTERY_DRAW,
    # retention views: log-in and record scope only
    Special(
        "See the retention lists (records of own scope) and the competitor products, mark a handoff done, record"
        " a lost-customer interview",
        (YES,) * len(Role),
    ),
)


def _cell(perm: Perm, role: Role) -> str:
    grant = PERMISSIONS[perm]
    if role not in grant.roles:
        return NO
    if grant.read_only_without is not None and role not in PERMISSIONS[grant.read_only_without].roles:
        return READ
    return YES


def _line(cells: Iterable[str]) -> str:
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"


def markdown_table(first_column: str, rows: Iterable[Perm | Special]) -> list[str]:
    """The table's lines, header first, one column per role in `Role` order."""
    lines = [_line([first_column, *Role.values]), "|" + "---|" * (len(Role) + 1)]
    for row in rows:
        if isinstance(row, Special):
            lines.append(_line([row.text, *row.cells]))
        else:
            lines.append(_line([row.text, *(_cell(row, role) for role in Role)]))
    return lines
