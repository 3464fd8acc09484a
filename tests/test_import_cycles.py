"""No import cycles among synthohive's modules (imports read with ``ast``).

Every import counts, also one inside a function: a lazy import that closes a loop hides a
cycle of responsibilities rather than removing it. Only imports under ``if TYPE_CHECKING:``
(annotations) do not count. ``from a.b import c`` is an edge to ``a.b.c`` when that is a
module, else to ``a.b``; the parent packages a dotted import also loads are not edges
(every module would otherwise reach ``synthohive/__init__.py``).
"""

import ast
from pathlib import Path

import synthohive

PACKAGE = Path(synthohive.__file__).resolve().parent


def _modules():
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def _is_type_checking(node):
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(node):
    """Import nodes anywhere in ``node``, except under ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif isinstance(child, ast.If) and _is_type_checking(child):
            yield from (n for block in child.orelse for n in _imports_in(block))
        else:
            yield from _imports(child)


def _imports_in(node):
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    else:
        yield from _imports(node)


def import_graph():
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        edges = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                continue  # relative imports are banned by the linter
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                targets = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}"
                           in modules else node.module for alias in node.names]
            edges |= {t for t in targets if t in modules and t != name}
        graph[name] = edges
    return graph


def find_cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_the_cycle_finder_sees_a_cycle():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_graph_reads_module_level_imports():
    graph = import_graph()
    assert "synthohive.exceptions" in graph["synthohive.relational._synthesizer"]
    assert "synthohive.models.ctgan" not in graph["synthohive"]  # lazy (module __getattr__)


def test_no_import_cycles():
    assert find_cycles(import_graph()) == []
