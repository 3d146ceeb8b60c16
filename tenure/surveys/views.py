"""Staff pages: survey list and builder, issuing waves (with the one-time link export), results and
their XLSX export, and the branch head's callback list. Thin views over services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenure.core.audit import audit
from tenure.core.downloads import csv_response, xlsx_response
from tenure.core.http import client_ip, record_id
from tenure.customers.display import masked_customer_identifiers
from tenure.customers.models import Customer
from tenure.customers.selectors import customer_get
from tenure.org.http import StaffRequest
from tenure.org.models import Branch
from tenure.org.permissions import Perm, has_perm, requires
from tenure.org.scoping import get_scoped_or_404, scoped
from tenure.surveys import selectors, services
from tenure.surveys.forms import QuestionForm, StaffWaveForm, SurveyForm, WaveForm
from tenure.surveys.metrics import MIN_STAFF_ANSWERS
from tenure.surveys.models import Audience, CallbackTask, Question, Survey, Wave

BREAKDOWN_LABELS = {"branch": _lazy("By branch"), "tier": _lazy("By tier"), "touchpoint": _lazy("By recent channel")}


@requires(Perm.SURVEYS_RESULTS)
@require_GET
def survey_list(request: StaffRequest) -> HttpResponse:
    return render(
        request,
        "surveys/list.html",
        {
            "surveys": selectors.survey_list(request.user),
            "can_manage": has_perm(request.user, Perm.SURVEYS_BUILD),
        },
    )


@requires(Perm.SURVEYS_BUILD)
@require_http_methods(["GET", "POST"])
def survey_new(request: StaffRequest) -> HttpResponse:
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survey = services.survey_create(by=request.user, **form.cleaned_data)
        return redirect("surveys:detail", survey_id=survey.pk)
    return render(request, "surveys/survey_form.html", {"form": form})


@requires(Perm.SURVEYS_BUILD)
@require_http_methods(["GET", "POST"])
def survey_detail(request: StaffRequest, survey_id: int) -> HttpResponse:
    """The builder: questions in order, a form to add one, and the survey's waves."""
    survey = get_object_or_404(Survey, pk=survey_id)
    form = QuestionForm(request.POST or None, survey=survey)
    if request.method == "POST":
        try:
            if not services.questions_editable(survey):  # refused before any form error is shown
                raise services.QuestionsFixed
            if form.is_valid():
                services.question_add(form=form, by=request.user)
                messages.info(request, _("Question added."))
                return redirect("surveys:detail", survey_id=survey.pk)
        except services.QuestionsFixed:
            return _questions_fixed(request, survey.pk)
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "questions": selectors.question_list(survey),
            "form": form,
            "waves": selectors.open_waves(survey),
            "editable": services.questions_editable(survey),
            "min_answers": MIN_STAFF_ANSWERS,
        },
    )


@requires(Perm.SURVEYS_BUILD)
@require_GET
def survey_preview(request: StaffRequest, survey_id: int) -> HttpResponse:
    """The questionnaire as respondents see it on their phone, with nothing to submit."""
    survey = get_object_or_404(Survey, pk=survey_id)
    items = [{"q": q, "value": None, "error": None} for q in survey.questions.all()]
    language = "en" if (request.LANGUAGE_CODE or "").startswith("en") else "zh-hans"
    context = {"survey": survey, "items": items, "preview": True, "staff": survey.for_staff, "lang": language}
    return render(request, "surveys/public/answer.html", {**context, "min_answers": MIN_STAFF_ANSWERS})


@requires(Perm.SURVEYS_BUILD)
@require_http_methods(["GET", "POST"])
def question_edit(request: StaffRequest, question_id: int) -> HttpResponse:
    """Change a question's texts, type or options while the survey has issued no wave."""
    question = get_object_or_404(Question, pk=question_id)
    form = QuestionForm(request.POST or None, instance=question, survey=question.survey)
    try:
        if not services.questions_editable(question.survey):
            raise services.QuestionsFixed
        if request.method == "POST" and form.is_valid():
            services.question_save(form=form, by=request.user)
            messages.info(request, _("Question saved."))
            return redirect("surveys:detail", survey_id=question.survey_id)
    except services.QuestionsFixed:
        return _questions_fixed(request, question.survey_id)
    position = list(question.survey.questions.values_list("pk", flat=True)).index(question.pk) + 1
    return render(request, "surveys/question_form.html", {"form": form, "question": question, "position": position})


@requires(Perm.SURVEYS_BUILD)
@require_POST
def question_change(request: StaffRequest, question_id: int) -> HttpResponse:
    """Move a question up or down, or remove it, while the survey has issued no wave."""
    question = get_object_or_404(Question, pk=question_id)
    action = request.POST.get("action")
    try:
        if action in ("up", "down"):
            services.question_move(question=question, by=request.user, step=-1 if action == "up" else 1)
        elif action == "remove":
            services.question_remove(question=question, by=request.user)
            messages.info(request, _("Question removed."))
        else:
            return HttpResponse(status=400)
    except services.QuestionsFixed:
        return _questions_fixed(request, question.survey_id)
    return redirect("surveys:detail", survey_id=question.survey_id)


def _questions_fixed(request: StaffRequest, survey_id: int) -> HttpResponse:
    messages.error(request, _("A wave has been issued: the questions can no longer change."))
    return redirect("surveys:detail", survey_id=survey_id)


def _links_csv(issued: services.Issued, request: StaffRequest) -> StreamingHttpResponse:
    """The one-time export for the SMS system: customer number, masked mobile, link, expiry.
    The SMS system resolves the number itself; the link is the only place the token ever appears."""
    invitations = {i.pk: i for i, _ in issued.links}
    wanted = Customer.objects.filter(pk__in=[i.customer_id for i in invitations.values()])
    customers = {c.pk: c for c in scoped(wanted, request.user)}
    rows = []
    for invitation, token in issued.links:
        customer = customers.get(invitation.customer_id)
        if customer is None:
            continue
        url = request.build_absolute_uri(reverse("survey_public:answer", args=[token]))
        rows.append(
            [
                customer.customer_no,
                masked_customer_identifiers(customer)["mobile"],
                url,
                timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    audit(
        action="survey.wave.export",
        actor=request.user,
        object_type="survey_wave",
        object_id=issued.wave.pk,
        detail={"rows": len(rows)},
    )
    header = ["customer_no", "mobile_masked", "url", "expires_at"]
    return csv_response(f"survey-wave-{issued.wave.pk}-links", header, rows)


def _staff_links_xlsx(issued: services.StaffIssued, request: StaffRequest) -> HttpResponse:
    """The one-time list of a staff wave for the branch heads to hand out: branch, name and the link of
    each member of staff without an e-mail address ("sent by e-mail" for the others)."""
    names = dict(Branch.objects.values_list("code", "name"))
    sent = _("Sent by e-mail")
    rows = [
        [
            names.get(link.invitation.branch_code, link.invitation.branch_code),
            link.staff.full_name or link.staff.username,
            sent if link.emailed else link.url,
            timezone.localtime(link.invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for link in issued.links
    ]
    audit(
        action="survey.wave.export",
        actor=request.user,
        object_type="survey_wave",
        object_id=issued.wave.pk,
        detail={"rows": len(rows), "emailed": sum(link.emailed for link in issued.links)},
    )
    header = [_("Branch"), _("Staff member"), _("Link (single use)"), _("Valid until")]
    return xlsx_response(f"staff-survey-{issued.wave.pk}-links", header, rows, sheet=_("Links to hand out"))


def _staff_wave_new(request: StaffRequest, survey: Survey, branches: list[tuple[str, str]]) -> HttpResponse:
    form = StaffWaveForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        issued = services.staff_wave_issue(
            survey=survey, by=request.user, name=d["name"], rule=form.rule(), valid_days=d["valid_days"]
        )
        return _staff_links_xlsx(issued, request)
    return render(request, "surveys/wave_form.html", {"survey": survey, "form": form})


@requires(Perm.SURVEYS_BUILD)
@require_http_methods(["GET", "POST"])
def wave_new(request: StaffRequest, survey_id: int) -> HttpResponse | StreamingHttpResponse:
    """Draw the sample and issue the invitations; the answer is the link file (shown once). A staff
    survey invites staff by branch and role instead (`_staff_wave_new`)."""
    survey = get_object_or_404(Survey, pk=survey_id)
    branches = [(b.code, b.label) for b in scoped(Branch.objects.order_by("path"), request.user)]
    if survey.for_staff:
        return _staff_wave_new(request, survey, branches)
    form = WaveForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        issued = services.wave_issue(
            survey=survey,
            by=request.user,
            name=d["name"],
            rule=form.rule(),
            channel=d["channel"],
            cap_days=d["cap_days"],
            valid_days=d["valid_days"],
        )
        return _links_csv(issued, request)
    return render(request, "surveys/wave_form.html", {"survey": survey, "form": form})


@requires(Perm.SURVEYS_BUILD)
@require_POST
def wave_reissue(request: StaffRequest, wave_id: int) -> StreamingHttpResponse:
    wave = get_object_or_404(Wave, pk=wave_id, survey__audience=Audience.CUSTOMERS)  # staff: none (docs)
    return _links_csv(services.wave_reissue(wave=wave, by=request.user), request)


@requires(Perm.SURVEYS_BUILD)
@require_POST
def wave_callbacks(request: StaffRequest, wave_id: int) -> HttpResponse:
    """Compare the wave with the previous one and create callback tasks where a branch declined."""
    wave = get_object_or_404(Wave, pk=wave_id, survey__audience=Audience.CUSTOMERS)
    result = services.callbacks_for_decline(wave=wave, by=request.user)
    messages.info(
        request,
        _("Branches with a decline: %(branches)s; callback tasks created: %(created)d.")
        % {"branches": ", ".join(result["branches"]) or "—", "created": result["created"]},
    )
    return redirect("surveys:detail", survey_id=wave.survey_id)


def _results_for(request: StaffRequest, survey_id: int) -> selectors.Results:
    survey = get_object_or_404(Survey, pk=survey_id)
    return selectors.results(survey, request.user, wave=_wave_of(request, survey))


def _wave_of(request: StaffRequest, survey: Survey) -> Wave | None:
    """The wave of `survey` chosen by ?wave= (None: every wave); 404 for another survey's wave."""
    if (wave_id := record_id(request.GET.get("wave"))) is None:
        return None
    wave = Wave.objects.filter(survey=survey, pk=wave_id).first()
    if wave is None:
        raise Http404
    return wave


def _staff_results(request: StaffRequest, survey: Survey) -> HttpResponse:
    report = selectors.staff_results(survey, request.user, wave=_wave_of(request, survey))
    return render(
        request,
        "surveys/staff_results.html",
        {
            "r": report,
            "charts": report.chart_data(),
            "all_waves": survey.waves.order_by("-opened_on", "-id"),
            "query": request.GET.urlencode(),
        },
    )


def _staff_export(request: StaffRequest, survey: Survey) -> HttpResponse:
    """A staff survey's results as XLSX: per branch (figures only where shown), then per question. No
    name of anyone invited or answering is read."""
    r = selectors.staff_results(survey, request.user, wave=_wave_of(request, survey))
    hidden = _("fewer than %(n)d answers: not shown") % {"n": r.min_answers}
    lines = [
        (_("Survey"), survey.title),
        (_("Wave"), r.wave.name if r.wave else _("All waves")),
        (_("Invited"), r.invited),
        (_("Answered"), r.answered),
        (_("Answers counted (branches shown)"), r.counted),
        (_("eNPS"), r.enps.score),
        (_("Mean satisfaction (0–10)"), r.mean_score),
    ]
    header = [_("Branch"), _("Invited"), _("Answered"), _("Response rate (%)"), _("eNPS"), _("Satisfaction (0–10)")]
    header += [label for _code, label in r.attributes]
    rows: list[list] = []
    for b in r.branches:
        row = [b.label, b.invited, b.answered, b.response_rate]
        if b.shown:
            row += [b.enps.score if b.enps else None, b.score, *[value for _label, value in b.attributes]]
        else:
            row += [hidden]
        rows.append(row)
    rows.append([])
    rows.append([_("Question"), _("Answers"), _("Mean")])
    rows += [[x["question"].text, x["n"], x["mean"]] for x in r.ratings]
    for c in r.choices:
        rows += [[f"{c['question'].text}: {label}", n, pct] for label, n, pct in c["counts"]]
    response = xlsx_response(f"staff-survey-{survey.pk}", header, rows, lines=lines, sheet=_("Results"))
    audit(action="survey.results.export", actor=request.user, object_type="survey", object_id=survey.pk)
    return response


@requires(Perm.SURVEYS_RESULTS)
@require_GET
def survey_results(request: StaffRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    if survey.for_staff:
        return _staff_results(request, survey)
    report = _results_for(request, survey_id)
    labels = selectors.attribute_labels()
    return render(
        request,
        "surveys/results.html",
        {
            "r": report,
            "charts": report.chart_data(),
            "labels": labels,
            "ipa_rows": [(labels.get(p.attribute, p.attribute), p) for p in report.ipa.points],
            "all_waves": report.survey.waves.order_by("-opened_on", "-id"),
            "query": request.GET.urlencode(),
        },
    )


@requires(Perm.SURVEYS_RESULTS)
@require_GET
def survey_export(request: StaffRequest, survey_id: int) -> HttpResponse:
    """The results page as one XLSX sheet (section, item, n, values): aggregates only, scoped."""
    survey = get_object_or_404(Survey, pk=survey_id)
    if survey.for_staff:
        return _staff_export(request, survey)
    r = _results_for(request, survey_id)
    labels = selectors.attribute_labels()
    rows: list[list] = [
        [_("Summary"), _("Invited"), r.invited, None, None],
        [_("Summary"), _("Responses"), r.responses, r.response_rate, None],
        [_("Summary"), "NPS", r.nps.n, r.nps.score, f"{r.nps.low} – {r.nps.high}"],
        [_("Summary"), _("Mean satisfaction (0–10)"), r.responses, r.mean_score, None],
    ]
    rows += [
        [
            _("Importance–performance"),
            labels.get(p.attribute, p.attribute),
            None,
            p.importance,
            p.performance,
            p.performance_ratio,
            p.quadrant_label,
        ]
        for p in r.ipa.points
    ]
    rows += [[_("Waves"), w["name"], w["responses"], w["rate"], w["nps"].score, w["score"]] for w in r.waves]
    rows += [[_("Months"), m["month"], m["n"], m["nps"].score, m["score"]] for m in r.months]
    for dimension, stats in r.breakdowns.items():
        rows += [[BREAKDOWN_LABELS[dimension], s["label"], s["n"], s["nps"].score, s["score"]] for s in stats]
    rows += [[_("Ratings"), x["question"].text, x["n"], x["mean"], *x["distribution"]] for x in r.ratings]
    for c in r.choices:
        rows += [[c["question"].text, label, n, pct] for label, n, pct in c["counts"]]
    header = [_("Section"), _("Item"), _("Count"), _("Value"), _("Value 2"), _("Value 3"), _("Value 4")]
    response = xlsx_response(f"survey-{r.survey.code}", header, rows)
    audit(action="survey.results.export", actor=request.user, object_type="survey", object_id=r.survey.pk)
    return response  # audited once the file exists: a failed export is no export


@requires(Perm.SURVEY_CALLBACKS)
@require_GET
def callbacks(request: StaffRequest) -> HttpResponse:
    status = request.GET.get("status", CallbackTask.Status.OPEN)
    status = status if status in CallbackTask.Status.values else CallbackTask.Status.OPEN
    return render(
        request,
        "surveys/callbacks.html",
        {
            "tasks": selectors.callbacks_for(request.user, status=status)[:200],
            "status": status,
        },
    )


@requires(Perm.SURVEY_CALLBACKS)
@require_POST
def callback_done(request: StaffRequest, callback_id: int) -> HttpResponse:
    task = get_scoped_or_404(CallbackTask.objects.all(), request.user, ip=client_ip(request), pk=callback_id)
    services.callback_done(task=task, by=request.user, note=request.POST.get("note", ""))
    messages.info(request, _("Callback recorded."))
    return redirect("surveys:callbacks")


@login_required
@require_GET
def customer_panel(request: StaffRequest, customer_id: int) -> HttpResponse:
    """The 360° page's surveys section (htmx partial): the customer's latest answers, comments masked."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    responses = selectors.customer_responses(request.user, customer)
    return render(request, "surveys/_customer_panel.html", {"responses": responses})
