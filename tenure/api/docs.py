"""The API docs page: Swagger UI from vendored static files, started by a static script (CSP)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from tenure.org.http import StaffRequest


@login_required
def api_docs(request: StaffRequest) -> HttpResponse:
    return render(request, "api/docs.html")
