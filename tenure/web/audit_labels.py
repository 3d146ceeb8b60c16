"""What each audit action means, in words: one mapping used by the compliance home, the audit-log
page, its CSV/XLSX export and the API's display field.

Entries keep the stable code (`customer.view`); people read the label ("Viewed a customer"). A code
with no label here (an action added later) is shown as the code rather than hidden; a test checks
that every action written by the code has a label.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from tenure.core.masking import mask_text
from tenure.customers.display import ACCOUNT_FIELDS
from tenure.customers.models import Account, Customer, RevealReason

ACTION_LABELS = {
    # Sign-in and access
    "auth.login": _("Logged in"),
    "auth.login_failed": _("Failed login"),
    "auth.logout": _("Logged out"),
    "auth.logout_everywhere": _("Logged out on every device"),
    "auth.password_change": _("Changed password"),
    "auth.token_create": _("Created an API token"),
    "auth.token_expired": _("API token expired"),
    "auth.token_revoke": _("Revoked an API token"),
    "access.denied": _("Access refused"),
    "audit.export": _("Exported the audit log"),
    # Customers
    "customer.view": _("Viewed a customer"),
    "customer.unmask": _("Revealed personal data"),
    "customer.export": _("Exported the customer list"),
    "customer.rm.move": _("Moved customers to another RM"),
    "customer.rm.core_disagrees": _("Core banking changed a customer's RM"),
    "consent.change": _("Changed a customer's consent"),
    "interaction.record": _("Recorded a contact"),
    "team.add": _("Added a customer team member"),
    "team.remove": _("Removed a customer team member"),
    # Work
    "task.create": _("Created a task"),
    "task.complete": _("Completed a task"),
    "task.escalate": _("Escalated a task"),
    "task.reassign": _("Reassigned a task"),
    "contact_plan.save": _("Saved the contact plan"),
    # Complaints
    "complaint.create": _("Recorded a complaint"),
    "complaint.public.submit": _("Complaint submitted online"),
    "complaint.view": _("Viewed a complaint"),
    "complaint.update": _("Updated a complaint"),
    "complaint.transition": _("Changed a complaint's status"),
    "complaint.step": _("Completed a complaint step"),
    "complaint.match": _("Matched a complaint to a customer"),
    "complaint.escalate": _("Escalated a complaint"),
    "complaint.cause.save": _("Saved a complaint root cause"),
    "complaint.analytics.export": _("Exported complaint analytics"),
    "complaint.generate": _("Generated sample complaints"),
    # Surveys
    "survey.create": _("Created a survey"),
    "survey.question.add": _("Added a survey question"),
    "survey.question.edit": _("Edited a survey question"),
    "survey.question.move": _("Moved a survey question"),
    "survey.question.remove": _("Removed a survey question"),
    "survey.wave.issue": _("Sent a survey wave"),
    "survey.wave.reissue": _("Re-sent survey links"),
    "survey.wave.export": _("Exported survey links"),
    "survey.results.export": _("Exported survey results"),
    "survey.callbacks.raise": _("Raised satisfaction callbacks"),
    "survey.callback.done": _("Completed a satisfaction callback"),
    # Churn and retention
    "churn.alerts.raise": _("Raised churn alerts"),
    "churn.alert.act": _("Recorded a churn alert outcome"),
    "churn.alert.assign": _("Assigned churn alerts"),
    "churn.alerts.export": _("Exported churn alerts"),
    "churn.at_risk.export": _("Exported at-risk customers"),
    "churn.model.train": _("Trained the churn model"),
    "retention.handoff.create": _("Handed a customer over"),
    "retention.handoff.done": _("Completed a handover"),
    "retention.intercept.record": _("Recorded a withdrawal intercept"),
    "retention.intercept.step": _("Completed an intercept step"),
    "retention.interview.record": _("Recorded an exit interview"),
    "retention.proposal.create": _("Proposed retention terms"),
    "retention.proposal.decide": _("Decided on retention terms"),
    "retention.campaign.create": _("Started a retention campaign"),
    "retention.campaign.measure": _("Measured a retention campaign"),
    "retention.competitor_product.save": _("Saved a competitor product"),
    "retention.lottery.evaluate": _("Evaluated a lottery"),
    "retention.lottery.draw": _("Drew the lottery's winners"),
    # Offers and messages
    "offers.assessment.record": _("Recorded a risk assessment"),
    "offers.terms.save": _("Saved offer terms"),
    "offers.response.record": _("Recorded a customer's answer to an offer"),
    "offers.response.refused": _("Offer refused as unsuitable"),
    "offers.recommender.train": _("Trained the offer recommender"),
    "offers.book.export": _("Exported the best open offers"),
    "offers.campaign.create": _("Started an offer campaign"),
    "offers.campaign.measure": _("Measured an offer campaign"),
    "message.queue": _("Queued a message"),
    "message.delivered": _("Message delivered"),
    "message.failed": _("Message failed"),
    "message.bounced": _("Message bounced"),
    "message.address_bouncing": _("Address marked as bouncing"),
    "message.library_send": _("Sent a library article to a segment"),
    "message_template.create": _("Created a message template"),
    "message_template.draft": _("Drafted a message template"),
    "message_template.approve": _("Approved a message template version"),
    "message_template.reject": _("Rejected a message template version"),
    # Points, analytics, performance
    "points.redeem": _("Redeemed points"),
    "points.rules_save": _("Saved the points rules"),
    "points.statement.export": _("Exported a points statement"),
    "analytics.config_save": _("Saved the tier rules"),
    "churn.policy_save": _("Saved the churn policy"),
    "analytics.potential.export": _("Exported upgrade potential"),
    "scorecards.compute": _("Computed scorecards"),
    "scorecards.export": _("Exported scorecards"),
    "competitors.offering_save": _("Saved a competitor offering"),
    "competitors.offering_retire": _("Retired or put back a competitor offering"),
    "competitors.mystery_shop_save": _("Saved a mystery-shopping note"),
    "competitors.mystery_shop_retire": _("Withdrew a mystery-shopping note"),
    "evaluation.export": _("Exported the evaluation dashboard"),
    "stars.export": _("Exported service stars"),
    "stars.rules_save": _("Saved the service-star rules"),
    "queues.export": _("Exported queues and waiting times"),
    "queues.target_save": _("Saved the target waiting time"),
    # Staff and system
    "staff.create": _("Created a staff member"),
    "staff.deactivate": _("Deactivated a staff member"),
    "staff.roles": _("Changed a staff member's roles"),
    "staff.branch": _("Moved a staff member to another branch"),
    "console.import_report.download": _("Downloaded an import error report"),
    "demo_staff_ensure": _("Set up demo logins"),
    "import": _("Imported a data file"),
    "import_replace": _("Re-imported a data file"),
    "keys.init": _("Created the encryption key"),
    "rotate_keys": _("Rotated the encryption keys"),
}


# What an entry is about (`AuditEntry.object_type`), as the audit log and its exports name it.
OBJECT_LABELS = {
    "account": _("Account"),
    "api_token": _("API token"),
    "business_date": _("Business date"),
    "campaign": _("Campaign"),
    "churn_alert": _("Churn alert"),
    "churn_model": _("Churn model"),
    "churn_score": _("Churn score"),
    "complaint": _("Complaint"),
    "consent_change": _("Consent change"),
    "customer": _("Customer"),
    "customer_value": _("Customer value"),
    "field_key": _("Encryption key"),
    "handoff": _("Handoff"),
    "import_report": _("Import error report"),
    "interaction": _("Interaction"),
    "intercept": _("Large-withdrawal intercept"),
    "lost_interview": _("Lost-customer interview"),
    "lottery": _("Retention lottery"),
    "lottery_draw": _("Lottery draw"),
    "merchant": _("Merchant"),
    "message": _("Message"),
    "message_template": _("Message template"),
    "offer_response": _("Offer answer"),
    "offer": _("Next-best offers"),
    "offer_campaign": _("Offer campaign"),
    "page": _("Page"),
    "product": _("Product"),
    "proposal": _("Preferential proposal"),
    "recommender": _("Offer model"),
    "risk_assessment": _("Risk assessment"),
    "root_cause": _("Root cause"),
    "staff": _("Staff"),
    "survey": _("Survey"),
    "survey_callback": _("Satisfaction callback"),
    "survey_wave": _("Survey wave"),
    "task": _("Task"),
    "template_version": _("Message template version"),
    "AnalyticsConfig": _("Tier rules"),
    "ChurnPolicy": _("Churn policy"),
    "ContactPlanRules": _("Contact plan"),
    "PointsRules": _("Points rules"),
    "StarRules": _("Service-star rules"),
    "StarAward": _("Service-star award"),
    "QueueTargetRules": _("Target waiting time"),
    "QueueTickets": _("Queue tickets"),
    "Scorecard": _("Scorecard"),
    "Evaluation": _("Evaluation dashboard"),
    "mystery_shop": _("Mystery-shopping note"),
}


def object_label(code: str) -> str:
    """What an entry is about, in words; the raw type when it has no label."""
    label = OBJECT_LABELS.get(code)
    return str(label) if label is not None else code


def action_label(code: str) -> str:
    """The action in words, in the active language; the raw code when it has no label yet."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def action_choices(codes: list[str]) -> list[tuple[str, str]]:
    """(code, label) pairs for a filter menu, ordered by label."""
    return sorted(((code, action_label(code)) for code in codes), key=lambda pair: pair[1])


def entry_reason(entry) -> str:
    """Why an entry was written: a reveal's reason code in words, then the free text, masked like a
    log line. Entries from before reason codes existed hold free text only and read as before."""
    code = (entry.detail or {}).get("reason_code", "")
    label = str(RevealReason(code).label) if code in RevealReason.values else ""
    return " · ".join(part for part in (label, mask_text(entry.reason)) if part)


def identifier_label(field: str) -> str:
    """A revealed identifier by its name ("mobile" → the model's label); unknown names as they are."""
    model = Account if field in ACCOUNT_FIELDS else Customer
    try:
        found = model._meta.get_field(field)
    except FieldDoesNotExist:
        return field
    return str(getattr(found, "verbose_name", field))
