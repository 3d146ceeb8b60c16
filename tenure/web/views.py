"""Pages shared by every role: the home page and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from tenure.ingest.selectors import import_status


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"status": import_status()})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: answers when the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
