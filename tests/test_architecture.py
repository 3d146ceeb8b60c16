"""docs/architecture.md, "Who may import whom": no domain app imports `web`, and no pair of apps
imports each other in both directions beyond the open pairs the document names (each to be broken
by the move it names). A new pair fails here; a pair broken must leave the list too."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import tenure

ROOT = Path(tenure.__file__).parent
SHELL = {"web", "api", "ops", "urls", "settings", "cli", "wsgi"}
OPEN_PAIRS = {
    ("analytics", "customers"),
    ("churn", "complaints"),
    ("churn", "customers"),
    ("churn", "retention"),
    ("complaints", "customers"),
    ("contacts", "customers"),
    ("customers", "ingest"),
    ("customers", "org"),
    ("customers", "retention"),
    ("messaging", "offers"),
    ("offers", "retention"),
    ("api", "org"),
}


def _imports() -> dict[str, dict[str, list[str]]]:
    """app → imported app → where (every `tenure.<app>` import, lazy ones included)."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        app = path.relative_to(ROOT).parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tenure."):
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("tenure.")]
            else:
                continue
            for name in names:
                other = name.split(".")[1]
                if other != app:
                    found[app][other].append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_domain_app_imports_the_web_shell():
    imports = _imports()
    offending = {app: where["web"] for app, where in imports.items() if app not in SHELL and "web" in where}
    assert not offending, offending


def test_apps_import_each_other_in_both_directions_only_where_the_document_says():
    imports = _imports()
    pairs = {tuple(sorted((a, b))) for a, targets in imports.items() for b in targets if a in imports.get(b, {})}
    assert pairs - OPEN_PAIRS == set(), {
        p: (imports[p[0]][p[1]][:2], imports[p[1]][p[0]][:2]) for p in pairs - OPEN_PAIRS
    }
    assert OPEN_PAIRS - pairs == set(), "a pair was broken: take it off OPEN_PAIRS and docs/architecture.md"
