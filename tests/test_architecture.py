"""The house's import rule (issue 14), checked over app/ by reading its source (AST, no import).

Domains are ordered: accounts → assemblies → policies → comments, amendments → rounds → exports.
A module of a domain imports only its own domain, earlier domains, app.core and app.extensions;
app.core imports no domain. app.api, app/__init__.py, app/cli.py, app/demo.py and app/models.py
assemble the domains and may import anything. Imports inside functions count too: a lazy
import hides a cycle, it does not remove the dependency.
"""
import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# The order of app.DOMAINS (comments before amendments: an amendment's page shows its comments).
RANK = {"accounts": 0, "assemblies": 1, "policies": 2, "comments": 3, "amendments": 4, "rounds": 5, "exports": 6,
        "search": 7}
SHARED = {"core", "extensions"}
ASSEMBLERS = {"api", "__init__", "cli", "demo", "models"}

# (importing module, imported module): one line each on why it stays for now.
EXCEPTIONS = {
    ("app.assemblies.views", "app.policies.services"): "the assembly overview lists its policies",
    ("app.comments.queries", "app.amendments.models"): "a comment can be attached to an amendment",
    ("app.amendments.services", "app.rounds.phases"): "proposing and withdrawing ask the round's phase",
    ("app.policies.services", "app.rounds.phases"): "editing the text asks whether a round froze it",
    ("app.policies.library", "app.rounds.phases"): "re-importing a file asks whether a round froze the text",
    ("app.policies.views", "app.rounds.phases"): "the reading view shows whether a round froze the text",
    ("app.policies.views", "app.comments.queries"): "the reading view shows the comments beside the text",
    ("app.policies.pagecache", "app.rounds.phases"): "a cached page's key holds each open round's phase",
    ("app.policies.pagecache", "app.rounds.models"): "the page key's query joins the open rounds",
    ("app.policies.pagecache", "app.exports.services"): "the page key holds whether the head's PDF is made",
    ("app.core.ratelimits", "app.accounts.auth"): "API rate limits are per bearer token's user",
    # the one sanctioned exception by design, not debt:
    ("app.policies.presenters", "app.amendments.hooks"): "presenters assemble later domains' tabs",
    ("app.policies.presenters", "app.rounds"): "presenters assemble later domains' tabs",
    ("app.policies.presenters", "app.exports.hooks"): "presenters assemble later domains' tabs",
}


def _module_name(path):
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name):
    path = APP.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imported(path, node):
    """The absolute modules an import statement uses: `from ..rounds import phases` gives
    app.rounds.phases, `from ..rounds.phases import phase_at` gives app.rounds.phases."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        package = _module_name(path).split(".")
        if path.name != "__init__.py":
            package = package[:-1]
        base = ".".join(package[: len(package) - node.level + 1])
        base = f"{base}.{node.module}" if node.module else base
    else:
        base = node.module
    submodules = [f"{base}.{alias.name}" for alias in node.names]
    return [name if _is_module(name) else base for name in submodules]


def _imports():
    """(importing module, imported module) for every import of app/, at any depth."""
    for path in sorted(APP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for name in _imported(path, node):
                    if name == "app" or name.startswith("app."):
                        yield _module_name(path), name


def _area(module):
    """'policies' for app.policies.views, 'cli' for app.cli, '__init__' for app."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _allowed(importer, imported):
    source, target = _area(importer), _area(imported)
    if source in ASSEMBLERS or target in SHARED or source == target:
        return True
    if source == "core" or target not in RANK:
        return False
    return RANK[target] < RANK[source]


def test_imports_follow_the_domain_order():
    violations = sorted(
        {f"{importer} imports {imported}" for importer, imported in _imports()
         if not _allowed(importer, imported) and (importer, imported) not in EXCEPTIONS}
    )
    assert violations == []


def test_every_exception_is_still_needed():
    found = set(_imports())
    assert sorted(pair for pair in EXCEPTIONS if pair not in found) == []


def test_the_rule_reads_relative_and_lazy_imports():
    pairs = set(_imports())
    assert ("app.rounds", "app.rounds.phases") in pairs  # lazy, inside a function
    assert ("app.policies.views", "app.policies.pagecache") in pairs  # `from . import pagecache`
    assert not _allowed("app.policies.services", "app.rounds.phases")
    assert not _allowed("app.core.templating", "app.accounts.services")
    assert not _allowed("app.comments.services", "app.amendments.models")
    assert _allowed("app.rounds.views", "app.amendments.services")
    assert _allowed("app.api.rounds", "app.exports.services")
