"""Surveys, their questions, distribution waves, invitations, responses and callback tasks.

An invitation's token is never stored: only its SHA-256 (`token_hash`), so a copy of the database
cannot be used to answer on a customer's behalf. One response per invitation (a one-to-one key)
makes a double submit impossible to store twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tenure.customers.models import Customer


def _bilingual(zh: str, en: str) -> str:
    """The English text when the active language is English (and it exists), else the Chinese."""
    return en if (get_language() or "").startswith("en") and en else zh


class SurveyKind(models.TextChoices):
    RELATIONSHIP = "relationship", _("Relationship satisfaction")
    NPS = "nps", _("NPS and loyalty")
    TOUCHPOINT = "touchpoint", _("Touchpoints (CEM)")
    COMPLAINT = "complaint_followup", _("Post-complaint follow-up")
    LOST = "lost_customer", _("Lost-customer interview")
    STAFF = "staff", _("Staff satisfaction")
    CUSTOM = "custom", _("Custom")


class Audience(models.TextChoices):
    """Who a survey's waves invite: customers (sampled), or staff, the bank's internal customers (seed 000)."""

    CUSTOMERS = "customers", _("Customers")
    STAFF = "staff", _("Staff")


class Survey(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=SurveyKind.choices, default=SurveyKind.CUSTOM)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.CUSTOMERS)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    is_template = models.BooleanField(_("shipped template"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _bilingual(self.title_zh, self.title_en)

    @property
    def intro(self) -> str:
        return _bilingual(self.intro_zh, self.intro_en)

    @property
    def for_staff(self) -> bool:
        return self.audience == Audience.STAFF


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating scale")
    NPS = "nps", _("Likelihood to recommend (0–10)")
    SINGLE = "single", _("Single choice")
    MULTI = "multi", _("Multiple choice")
    TEXT = "text", _("Free text")


class Aspect(models.TextChoices):
    """What a rating of an attribute measures: importance (docs/surveys.md), or performance (perceived)."""

    NONE = "", _("—")
    IMPORTANCE = "importance", _("Importance")
    PERFORMANCE = "performance", _("Performance")
    COMPETITOR = "competitor", _("Compared with competitors")


class Question(models.Model):
    """One question. `choices` is a list of {"code", "zh", "en"[, "value"]} for single/multiple choice;
    `value` is a number a choice stands for (e.g. the midpoint of an asset band, in yuan)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(_("position"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    kind = models.CharField(_("type"), max_length=8, choices=QuestionKind.choices)
    text_zh = models.CharField(_("text (Chinese)"), max_length=300)
    text_en = models.CharField(_("text (English)"), max_length=300, blank=True)
    scale = models.PositiveSmallIntegerField(_("scale points"), default=5, help_text=_("5 or 7 for ratings"))
    attribute = models.CharField(_("attribute"), max_length=40, blank=True)
    aspect = models.CharField(_("measures"), max_length=12, choices=Aspect.choices, blank=True)
    tag = models.CharField(_("tag"), max_length=40, blank=True, help_text=_("e.g. total_financial_assets, trust"))
    required = models.BooleanField(_("required"), default=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    attribute_label: str  # not stored: set for display by `selectors.question_list`
    tag_label: str  # likewise

    class Meta:
        ordering = ["survey", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="survey_question_code_once")]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"{self.survey.code}/{self.code}"

    @property
    def text(self) -> str:
        return _bilingual(self.text_zh, self.text_en)

    @property
    def points(self) -> list[int]:
        """The values a respondent can pick: 1..scale for ratings, 0..10 for NPS."""
        if self.kind == QuestionKind.NPS:
            return list(range(11))
        return list(range(1, self.scale + 1)) if self.kind == QuestionKind.RATING else []

    def choice_labels(self) -> list[tuple[str, str]]:
        return [(c["code"], _bilingual(c.get("zh", c["code"]), c.get("en", ""))) for c in self.choices]


class Channel(models.TextChoices):
    """How invitations are delivered; each needs the matching consent flag on the customer."""

    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    PUSH = "push", _("App push")


CONSENT_FIELD = {Channel.SMS: "consent_sms", Channel.EMAIL: "consent_email", Channel.PUSH: "consent_push"}


class Wave(models.Model):
    """One distribution of a survey to a sample drawn by `rule` (see `sampling.py`)."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="waves")
    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.SMS)
    rule = models.JSONField(_("sample rule"), default=dict)
    frequency_cap_days = models.PositiveIntegerField(_("not surveyed within (days)"), default=90)
    opened_on = models.DateField(_("opened on"))
    expires_at = models.DateTimeField(_("links expire at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("survey wave")
        verbose_name_plural = _("survey waves")

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """One customer invited in one wave. Branch, tier and channel are kept as they were at sampling,
    so breakdowns of old waves do not move when a customer changes branch or tier."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="survey_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    branch_code = models.CharField(_("branch"), max_length=16)
    asset_tier = models.CharField(_("asset tier"), max_length=16, blank=True)
    touchpoint = models.CharField(_("recent channel"), max_length=16, blank=True)
    created_at = models.DateTimeField(_("invited at"))
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["wave", "id"]
        constraints = [models.UniqueConstraint(fields=["wave", "customer"], name="survey_invite_once_per_wave")]
        indexes = [models.Index(fields=["customer", "created_at"])]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")

    def __str__(self) -> str:
        return f"{self.wave_id}/{self.customer_id}"


class Response(models.Model):
    """A submitted questionnaire. `score` is the respondent's satisfaction on 0–10 (see `scoring.py`)."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="survey_responses")
    submitted_at = models.DateTimeField(_("submitted at"))
    language = models.CharField(_("language"), max_length=10, blank=True)
    score = models.FloatField(_("satisfaction (0–10)"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("likelihood to recommend"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"{self.wave_id}/{self.customer_id}"


class AnswerValue(models.Model):
    """One answer's value, by question type: a rating or NPS as `number`, a single choice's code, the
    codes of a multiple choice, or free text (`answering.answer_row` fills the one that applies)."""

    number = models.FloatField(null=True, blank=True)
    choice = models.CharField(max_length=40, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        abstract = True


class Answer(AnswerValue):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


class CallbackTask(models.Model):
    """A call the branch head owes a key customer after the branch's satisfaction fell (docs/surveys.md)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="survey_callbacks")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="callbacks")
    branch_code = models.CharField(_("branch"), max_length=16)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_callbacks"
    )
    score = models.FloatField(_("satisfaction (0–10)"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "score", "id"]
        constraints = [models.UniqueConstraint(fields=["customer", "wave"], name="survey_callback_once_per_wave")]
        verbose_name = _("callback task")
        verbose_name_plural = _("callback tasks")

    def __str__(self) -> str:
        return f"{self.branch_code}/{self.customer_id}"


class StaffInvitation(models.Model):
    """One member of staff invited in a wave of a staff survey. `answered` says whether the link was
    used and never when; no row of the answers points back here (`StaffResponse` keeps the branch and
    the day only), so an answer cannot be traced to the person who gave it."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="staff_invitations")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    branch_code = models.CharField(_("branch"), max_length=16)
    created_at = models.DateTimeField(_("invited at"))
    expires_at = models.DateTimeField(_("expires at"))
    answered = models.BooleanField(_("answered"), default=False)

    class Meta:
        ordering = ["wave", "branch_code", "id"]
        constraints = [models.UniqueConstraint(fields=["wave", "staff"], name="survey_staff_invite_once_per_wave")]
        verbose_name = _("staff survey invitation")
        verbose_name_plural = _("staff survey invitations")

    def __str__(self) -> str:
        return f"{self.wave_id}/{self.branch_code}"


class StaffResponse(models.Model):
    """A staff member's answers, anonymous: the branch they worked at when invited and the day, nothing
    that leads to them. Results show a branch only from `selectors.MIN_STAFF_ANSWERS` answers on."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="staff_responses")
    branch_code = models.CharField(_("branch"), max_length=16)
    submitted_on = models.DateField(_("submitted on"))
    score = models.FloatField(_("satisfaction (0–10)"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("likelihood to recommend"), null=True, blank=True)

    class Meta:
        ordering = ["wave", "branch_code", "id"]
        verbose_name = _("staff survey response")
        verbose_name_plural = _("staff survey responses")

    def __str__(self) -> str:
        return f"{self.wave_id}/{self.branch_code}"


class StaffAnswer(AnswerValue):
    response = models.ForeignKey(StaffResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="staff_answers")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="survey_staff_answer_once")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"
