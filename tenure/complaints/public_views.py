"""The public complaint form `/p/complaint/`: no login, works on a phone, reveals nothing about anyone."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from tenure.complaints.forms import PublicComplaintForm
from tenure.complaints.public import public_complaint_submit, rate_limited
from tenure.core.http import client_ip


@require_http_methods(["GET", "POST"])
def public_complaint(request: HttpRequest) -> HttpResponse:
    """Every accepted post gets the same answer (a reference number), matched to a customer or not.

    A filled honeypot gets the thank-you page too (without a reference), and nothing is stored.
    """
    form = PublicComplaintForm(request.POST or None)
    if request.method == "GET":
        return render(request, "complaints/public_form.html", {"form": form})
    ip = client_ip(request)
    if rate_limited(ip):
        return render(request, "complaints/public_limited.html", status=429)
    if not form.is_valid():
        return render(request, "complaints/public_form.html", {"form": form}, status=400)
    data = form.cleaned_data
    if data["website"]:
        return render(request, "complaints/public_thanks.html", {"reference": ""})
    complaint = public_complaint_submit(
        name=data["name"],
        mobile=data["mobile"],
        description=data["description"],
        product_type=data["product_type"],
        ip=ip,
    )
    return render(request, "complaints/public_thanks.html", {"reference": complaint.reference})
