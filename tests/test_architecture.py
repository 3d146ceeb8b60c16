"""docs/architecture.md, "Who may import whom": no domain app imports `web`, and no pair of apps
imports each other in both directions except where one side's import of the other is a single lazy
import the document names with its reason (`LAZY_PAIRS`). A new pair fails here; a pair broken must
leave the list too."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import tenure

ROOT = Path(tenure.__file__).parent
SHELL = {"web", "api", "ops", "urls", "settings", "cli", "wsgi"}
LAZY_PAIRS = {  # pair: the app whose one import of the other is lazy (inside a function)
    ("customers", "org"): "org",
    ("churn", "retention"): "churn",
    ("messaging", "offers"): "offers",
    ("churn", "complaints"): "complaints",
}


def _eager(tree: ast.AST) -> set[ast.AST]:
    """The nodes run when the module is imported: all but those inside functions."""
    found: set[ast.AST] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        found.add(node)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            stack.extend(ast.iter_child_nodes(node))
    return found


def _imports(*, lazy: bool = True) -> dict[str, dict[str, list[str]]]:
    """app → imported app → where (every `tenure.<app>` import; with `lazy=False`, those run on import only)."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        app = path.relative_to(ROOT).parts[0].removesuffix(".py")
        tree = ast.parse(path.read_text())
        eager = _eager(tree)
        for node in ast.walk(tree):
            if not lazy and node not in eager:
                continue
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
    named = set(LAZY_PAIRS)
    assert pairs - named == set(), {p: (imports[p[0]][p[1]][:2], imports[p[1]][p[0]][:2]) for p in pairs - named}
    assert named - pairs == set(), "a pair was broken: take it off the lists here and in docs/architecture.md"


def test_a_lazy_pair_is_one_import_made_when_called():
    imports, eager = _imports(), _imports(lazy=False)
    for pair, importer in LAZY_PAIRS.items():
        (other,) = set(pair) - {importer}
        assert len(imports[importer][other]) == 1, (importer, other, imports[importer][other])
        assert not eager[importer][other], (importer, other, eager[importer][other])
