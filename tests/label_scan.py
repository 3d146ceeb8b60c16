"""What a banker must never read: raw codes from the code lists and internal words (issue 29).

`crawl` logs in as one member of staff on a served Tenure, follows the links of the pages it sees
(each URL shape once: `/customers/12/` and `/customers/34/` are one shape) and the XLSX exports they
link to, and returns, per URL, the words found. Text is what a reader sees: text nodes outside
script and style, button and input labels; not URLs, ids or class names.
"""

from __future__ import annotations

import http.cookiejar
import io
import re
import urllib.parse
import urllib.request
from collections.abc import Iterable
from html.parser import HTMLParser

# Words of the code's language that user copy must not contain (issue 29 item 1).
INTERNAL_WORDS = (
    "种子文档",
    "随机种子",
    "Random seed",
    "defaults (seed",
    "seed 00",
    "Demo ",
    "tenure ",  # a command line, for the operator's documents, not a banker's page
)
# The administration console is the operator's: a step's message may name the command to run.
OPERATOR_PAGES = ("/console/",)
# Records shown as the code wrote them: the run log's step summaries (keys such as "created") and
# the audit export's detail column (the entry's data, for compliance's own analysis).
RECORDS = ("/console/runs/", "/audit/export")
SKIP_PATH = re.compile(r"/(logout|i18n|api/|static/|p/|accounts/password|healthz)|/export\.csv")
SHAPE = re.compile(r"\d+")
VOID = {"br", "img", "input", "meta", "link", "hr"}


def code_words(*, language: str) -> set[str]:
    """Every value of every choice list of Tenure's models that a reader could take for copy:
    lower-case codes with an underscore or a dot (black_gold, customer.view), and on a Chinese page
    any lower-case code of three letters or more (counter, mobile), which no Chinese copy contains."""
    shape = r"[a-z]+(?:[_.][a-z]+)+" if language == "en" else r"[a-z]{3,}(?:[_.][a-z]+)*"
    from django.apps import apps

    found: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("tenure."):
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and re.fullmatch(shape, value):
                    found.add(value)
    return found


class _Text(HTMLParser):
    """A page's visible text, without scripts, styles and content marked as another language (an
    English message template shown on a Chinese page carries lang="en")."""

    SKIP = {"script", "style", "template", "textarea"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._foreign: list[str] = []  # open elements with a lang of their own

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.SKIP:
            self._skip += 1
        if a.get("lang") and tag != "html" and tag not in VOID:
            self._foreign.append(tag)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "input" and a.get("type") in {"submit", "button"} and a.get("value"):
            self.parts.append(a["value"])
        for name in ("placeholder", "aria-label", "title"):
            if a.get(name):
                self.parts.append(a[name])

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        if self._foreign and self._foreign[-1] == tag:
            self._foreign.pop()

    def handle_data(self, data):
        if not self._skip and not self._foreign and data.strip():
            self.parts.append(data.strip())


def findings(text: str, codes: Iterable[str], *, operator: bool = False, record: bool = False) -> list[str]:
    words = [w for w in INTERNAL_WORDS if w in text and not (operator and w == "tenure ")]
    if not record:  # a code, not part of a word, a path or a file name (staff.csv)
        words += sorted(c for c in codes if re.search(rf"(?<![\w/.-]){re.escape(c)}(?![\w/-]|\.\w)", text))
    return words


def _xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)


def crawl(base: str, username: str, password: str, *, language: str, codes: set[str], limit: int = 80) -> dict:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("Accept-Language", "zh-CN" if language == "zh" else "en-US")]
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    opener.open(urllib.request.Request(f"{base}/accounts/login/", form.encode(), headers={"Referer": base}), timeout=30)
    queue, seen, result = ["/"], set(), {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        shape = SHAPE.sub("N", path.split("?")[0]) + ("?" + "&".join(sorted(re.findall(r"[?&](\w+)=", path))))
        if shape in seen:
            continue
        seen.add(shape)
        try:
            response = opener.open(base + path, timeout=60)
        except urllib.error.HTTPError as exc:
            result[path] = [f"HTTP {exc.code}"] if exc.code >= 500 else []
            continue
        body = response.read()
        where = {"operator": path.startswith(OPERATOR_PAGES), "record": path.startswith(RECORDS)}
        if "spreadsheetml" in response.headers.get("Content-Type", ""):
            result[path] = findings(_xlsx_text(body), codes, **where)
            continue
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        parser = _Text()
        parser.feed(body.decode("utf-8", "replace"))
        result[path] = findings("\n".join(parser.parts), codes, **where)
        for href in parser.links:
            url = urllib.parse.urljoin(base + path, href)
            if url.startswith(base) and not SKIP_PATH.search(url[len(base) :]) and "#" not in url:
                queue.append(url[len(base) :])
    return result
