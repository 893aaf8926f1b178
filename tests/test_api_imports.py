"""app/api has no import cycles, checked by reading its source (AST, no import; lazy imports count).

app/api/__init__.py assembles the API modules' blueprints and tables; no module of app/api may
import the package back (`from . import bp`), and no two API modules may import each other
round a loop (as spec.py once did, importing the modules that imported its schema helpers).
"""
import ast
from pathlib import Path

API = Path(__file__).resolve().parent.parent / "app" / "api"


def _module(path):
    return "app.api" if path.name == "__init__.py" else f"app.api.{path.stem}"


def _resolve(path, node):
    """The app.api modules an import statement names (`from . import bp` names app.api itself)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if node.level:
        package = ["app", "api"][: 3 - node.level]
        base = ".".join(package + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    named = {f"{base}.{alias.name}" for alias in node.names}
    return {name if (API / f"{name.rsplit('.', 1)[1]}.py").is_file() and name.startswith("app.api.") else base
            for name in named}


def _graph():
    """{API module: the API modules (app.api included) it imports, at any depth of its source}."""
    graph = {}
    for path in sorted(API.glob("*.py")):
        imports = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports |= {name for name in _resolve(path, node) if name == "app.api" or name.startswith("app.api.")}
        graph[_module(path)] = imports - {_module(path)}
    return graph


def _cycle(graph):
    """One import cycle as a list of modules, or None."""
    state = {}

    def visit(module, trail):
        state[module] = "open"
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == "open":
                return trail[trail.index(imported):] + [imported]
            if imported not in state:
                found = visit(imported, trail + [imported])
                if found:
                    return found
        state[module] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_no_api_module_imports_the_api_package():
    offenders = sorted(module for module, imports in _graph().items() if module != "app.api" and "app.api" in imports)
    assert offenders == []


def test_api_modules_have_no_import_cycle():
    assert _cycle(_graph()) is None


def test_the_spec_and_schema_helpers_import_no_api_module():
    graph = _graph()
    assert graph["app.api.schema"] == set()
    assert graph["app.api.spec"] <= {"app.api.schema"}
    assert graph["app.api.openapi"] <= {"app.api.schema", "app.api.spec"}


def test_the_check_sees_package_imports_and_cycles():
    graph = _graph()
    assert "app.api.accounts" in graph["app.api"]
    assert "app.api.schema" in graph["app.api.rounds"]
    node = ast.parse("from . import bp").body[0]
    assert _resolve(API / "rounds.py", node) == {"app.api"}
    assert _cycle({"app.api": {"app.api.rounds"}, "app.api.rounds": {"app.api"}}) == ["app.api", "app.api.rounds", "app.api"]
    assert _cycle({"app.api.a": {"app.api.b"}, "app.api.b": {"app.api.c"}, "app.api.c": {"app.api.a"}})
