"""Every route × every request parameter the code reads, with values no form would send: NUL, 10 kB
of text, SQL, HTML and script, invalid UTF-8, Unicode digits, negative and huge numbers. No answer
may be a server error, as an analyst (every branch, so the ids lead deep into each view) and as a
branch head. Runs on both databases, as the whole suite does.

The parameter names are read from the source (`request.GET.get("q")`, `g.get("branch")`, ...), so a
view that starts reading a new parameter is fuzzed without anyone listing it here."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from tests.web.test_every_route_is_scoped import all_routes, concrete, ids_for

pytestmark = pytest.mark.django_db

# Raw query-string values (already percent-encoded): each request gives every parameter one of them,
# in rotation, so every parameter meets several kinds and each route costs three requests.
HOSTILE = [
    quote("1\x00"),  # NUL
    quote("长" * 10_000),  # 10 kB of text
    quote("1' OR '1'='1'; DROP TABLE customers_customer; --"),
    quote('"><script>alert(1)</script><img src=x onerror=alert(1)>'),
    quote("²١३"),  # Unicode digits: str.isdigit() says yes, int() says no
    "-99999999999999999999",
    "9" * 40,
    "2026-02-30",
    "%ff%fe%c3%28",  # bytes that are no UTF-8 at all
]
SOURCE = Path(settings.BASE_DIR) / "tenure"
READS = re.compile(r"""(?:GET|POST|\bg|\bp|params|query_params|data)\s*(?:\.get(?:list)?\(|\[)\s*["'](\w+)["']""")
CHUNKS = 4  # the routes are split so that pytest-xdist's workers share them


def parameter_names() -> list[str]:
    names = {m.group(1) for path in SOURCE.rglob("*.py") for m in READS.finditer(path.read_text(encoding="utf-8"))}
    return sorted(names)


def hostile_query(names: list[str], turn: int) -> str:
    return "&".join(f"{name}={HOSTILE[(i + turn) % len(HOSTILE)]}" for i, name in enumerate(names))


def test_the_parameter_scan_finds_the_parameters_views_read():
    names = set(parameter_names())
    assert {"q", "page", "branch", "owner", "alert", "wave", "mine", "sort"} <= names


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_no_route_gives_a_server_error_on_hostile_input(served_lake, login, chunk):
    bank = served_lake
    client = login(bank.staff["analyst"])  # every branch: the ids lead deep into each view
    values = ids_for(bank)
    names = parameter_names()
    failures = []
    for route, name in all_routes()[chunk::CHUNKS]:
        url = concrete(route, values)
        for turn, method in ((0, "GET"), (3, "POST"), (6, "GET")):
            client.force_login(bank.staff["analyst"])  # the walk includes the log-out routes
            query = hostile_query(names, turn)
            if method == "GET":
                response = client.get(f"{url}?{query}")
            else:
                response = client.post(url, query, content_type="application/x-www-form-urlencoded")
            if response.status_code >= 500:
                failures.append(f"{method} {url} ({name}), turn {turn}: {response.status_code}")
    assert not failures, "\n".join(failures)
