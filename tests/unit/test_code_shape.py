"""Limits on the shape of the code (docs/maintainability.md): every function of `lms` stays at
cyclomatic complexity 15 or less (radon), and every view function at 25 lines or less."""

import ast
from pathlib import Path

from radon.complexity import cc_visit

PACKAGE = Path(__file__).resolve().parents[2] / "lms"
MAX_COMPLEXITY = 15
MAX_VIEW_LINES = 25
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}


def modules():
    return sorted(PACKAGE.rglob("*.py"))


def test_no_function_is_above_complexity_15():
    too_complex = [
        f"{path.relative_to(PACKAGE.parent)}:{block.lineno} {block.fullname} ({block.complexity})"
        for path in modules()
        for block in cc_visit(path.read_text(encoding="utf-8"))
        if block.complexity > MAX_COMPLEXITY
    ]
    assert too_complex == []


def is_view(function: ast.FunctionDef) -> bool:
    """Decorated with a blueprint's or app's route (`@bp.get(...)`, `@app.route(...)`)."""
    return any(
        isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute) and decorator.func.attr in ROUTE_DECORATORS
        for decorator in function.decorator_list
    )


def view_lengths(source: str):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and is_view(node):
            yield node.name, node.lineno, node.end_lineno - node.lineno + 1  # the def line to the last, decorators aside


def test_no_view_is_longer_than_25_lines():
    too_long = [
        f"{path.relative_to(PACKAGE.parent)}:{line} {name} ({length} lines)"
        for path in modules()
        for name, line, length in view_lengths(path.read_text(encoding="utf-8"))
        if length > MAX_VIEW_LINES
    ]
    assert too_long == []


def test_the_checks_see_what_they_limit():
    """Each limit fails for code that breaks it, so the two tests above cannot pass by seeing nothing."""
    branches = "\n".join(f"    if x == {n}:\n        return {n}" for n in range(16))
    assert max(block.complexity for block in cc_visit(f"def tangled(x):\n{branches}\n")) == 17
    long_view = "@bp.get('/')\ndef page():\n" + "    x = 1\n" * 25
    assert [length for _, _, length in view_lengths(long_view)] == [26]
    assert len(modules()) > 100 and any(True for path in modules() for _ in view_lengths(path.read_text(encoding="utf-8")))
