"""The access log of a served run, for the fault scorecard (bench/faults.py): `tenure serve` (gunicorn
with `tenure.core.access_log.MaskingAccessLogger`) on the scorecard's home and database, a member of
staff logged in, every page without a URL parameter and the identifier searches requested with
identifiers in their query strings and in the Referer header; then every line gunicorn wrote
(`logs/access.log`, `logs/gunicorn.log`) is searched for those identifiers in clear."""

from __future__ import annotations

import http.cookiejar
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

# Where an identifier is typed or carried: the search boxes (GET, refused with 400 but logged), the API.
SEARCHES = ("/customers/", "/customers/export.csv", "/api/v1/customers/", "/complaints/", "/surveys/")


def _open(opener, url: str, data: dict | None = None, referer: str | None = None) -> int:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Referer": referer} if referer else {})
    try:
        with opener.open(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _log_in(opener, base: str, username: str, password: str) -> bool:
    jar = next(h for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)).cookiejar
    with opener.open(f"{base}/accounts/login/", timeout=60) as response:
        page = response.read().decode("utf-8", "replace")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    form = {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1) if token else ""}
    _open(opener, f"{base}/accounts/login/", form, referer=f"{base}/accounts/login/")
    return any(cookie.name == "sessionid" for cookie in jar)


def probe_access_log(home: Path, identifiers: set[str], pages: list[str], staff: tuple[str, str]) -> dict:
    """Serve `home` (the environment's database), request `pages` and SEARCHES with `identifiers` as
    staff (username, password); the clear identifiers found in what gunicorn logged.

    `identifiers`: the protected ones (resident ID, mobile, account and card numbers); e-mail addresses
    are no protected field and are not masked in logs (docs/security.md)."""
    from tests.served import tenure_serve
    from tests.web.test_hostile_routes import parameter_names

    env = {**os.environ, "TENURE_HOME": str(home)}
    logs = home / "logs"
    before = {p: p.stat().st_size for p in logs.glob("*.log")} if logs.exists() else {}
    names = parameter_names()
    clear = sorted(identifiers)
    requests, statuses = 0, {}
    with tenure_serve(env, "--workers", "2", "--threads", "1") as base:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        logged_in = _log_in(opener, base, *staff)
        for i, page in enumerate(pages):
            ident = clear[i % len(clear)]
            name = names[i % len(names)]
            query = urllib.parse.urlencode({"q": ident, name: ident})
            status = _open(opener, f"{base}{page}?{query}", referer=f"{base}/customers/?q={ident}")
            statuses[status] = statuses.get(status, 0) + 1
            requests += 1
        for ident in clear:
            for page in SEARCHES:
                query = urllib.parse.urlencode({"q": ident, "search": ident, "mobile": ident, "card": ident})
                status = _open(opener, f"{base}{page}?{query}", referer=f"{base}{page}?q={ident}")
                statuses[status] = statuses.get(status, 0) + 1
                requests += 1
    lines, found, masked, where = 0, 0, 0, []
    for path in sorted(logs.glob("*.log")):
        if path.name not in {"access.log", "gunicorn.log"}:
            continue  # Tenure's own log is read by the scorecard's log probe
        with path.open("rb") as fh:
            fh.seek(before.get(path, 0))
            text = urllib.parse.unquote(fh.read().decode("utf-8", "replace"))  # %-encoded counts as clear
        lines += len(text.splitlines())
        masked += sum("****" in line for line in text.splitlines())  # the identifiers did reach the log, masked
        hits = sum(text.count(c) for c in clear)
        found += hits
        if hits:
            where.append(f"{path.name}: {hits}")
    return {
        "requests": requests,
        "logged_in": logged_in,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "lines_read": lines,
        "lines_with_masked_identifiers": masked,
        "clear_found": found,
        "where": where,
    }
