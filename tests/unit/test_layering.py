"""The import rules of the whole `lms` package, checked on its source (no module is imported).

- lms.domain is pure: no Flask, Werkzeug or SQLAlchemy, and from lms only lms.domain.
- lms.models knows no services and no web code.
- lms.services never import lms.web, and never read the request, the session or the
  signed-in person: views pass the actor and the values in.
- Services only flush: the request, or the CLI command, commits once.
- Absolute URLs are built only by lms.public_urls (PUBLIC_BASE_URL, routes that exist).
- Only lms.web.htmx reads HX-* request headers or sets HX-* response headers.
"""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "lms"
WEB_FRAMEWORKS = (
    "flask",
    "flask_sqlalchemy",
    "flask_login",
    "flask_wtf",
    "flask_migrate",
    "flask_limiter",
    "werkzeug",
    "sqlalchemy",
    "htmx_flask",
    "jinja2_fragments",
)
REQUEST_STATE = {"flask.request", "flask.session", "flask_login.current_user"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every name imported anywhere in the module (inside functions too), as absolute dotted names:
    `from a.b import c` gives both a.b and a.b.c."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            names |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return names


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def in_layer(name: str, layer: str) -> bool:
    return name == f"lms.{layer}" or name.startswith(f"lms.{layer}.")


def broken_rules(name: str, imported: set[str]) -> list[str]:
    broken = []
    for target in sorted(imported):
        if in_layer(name, "domain"):
            if target.split(".")[0] in WEB_FRAMEWORKS:
                broken.append(f"domain imports {target}")
            elif target.startswith("lms") and not in_layer(target, "domain"):
                broken.append(f"domain imports {target} (only lms.domain is allowed)")
        if in_layer(name, "models") and (in_layer(target, "services") or in_layer(target, "web")):
            broken.append(f"models import {target}")
        if in_layer(name, "services"):
            if in_layer(target, "web"):
                broken.append(f"a service imports {target}")
            if target in REQUEST_STATE:
                broken.append(f"a service reads {target}: pass the actor and values in")
    return broken


def test_every_module_keeps_the_import_rules():
    broken = {name: rules for name, path in MODULES.items() if (rules := broken_rules(name, imports_of(path)))}
    assert broken == {}


def commits_in(path: Path) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"
    ]


def test_services_only_flush():
    committing = {name: lines for name, path in MODULES.items() if in_layer(name, "services") and (lines := commits_in(path))}
    assert committing == {}


def test_the_commit_check_finds_a_commit(tmp_path):
    service = tmp_path / "service.py"
    service.write_text("from lms.extensions import db\n\n\ndef save():\n    db.session.commit()\n")
    assert commits_in(service) == [5]


def test_only_public_urls_builds_absolute_urls():
    builders = ("_external=True", "url_map.bind(", "force_external")
    found = [
        name
        for name, path in MODULES.items()
        if name != "lms.public_urls" and any(builder in path.read_text(encoding="utf-8") for builder in builders)
    ]
    assert found == []


def test_only_the_htmx_module_touches_hx_headers():
    found = [
        name
        for name, path in MODULES.items()
        if name != "lms.web.htmx" and re.search(r"request\.htmx|[\"']HX-", path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.parametrize(
    ("name", "imported", "expected"),
    [
        ("lms.domain.example", {"flask", "flask.current_app"}, ["domain imports flask", "domain imports flask.current_app"]),
        (
            "lms.domain.example",
            {"lms.models", "lms.models.User"},
            ["domain imports lms.models (only lms.domain is allowed)", "domain imports lms.models.User (only lms.domain is allowed)"],
        ),
        ("lms.domain.example", {"sqlalchemy"}, ["domain imports sqlalchemy"]),
        ("lms.domain.example", {"lms.domain.courses", "dataclasses"}, []),
        ("lms.models", {"lms.services.accounts"}, ["models import lms.services.accounts"]),
        ("lms.services.example", {"lms.web.htmx"}, ["a service imports lms.web.htmx"]),
        ("lms.services.example", {"flask", "flask.request"}, ["a service reads flask.request: pass the actor and values in"]),
        ("lms.web.example", {"lms.services", "flask.request", "lms.models"}, []),
    ],
)
def test_the_rules_catch_what_they_should(name, imported, expected):
    assert broken_rules(name, imported) == expected


def test_relative_imports_are_resolved(tmp_path, monkeypatch):
    package = tmp_path / "lms"
    (package / "domain").mkdir(parents=True)
    module = package / "domain" / "example.py"
    module.write_text("from ..models import User\nfrom . import courses\n")
    monkeypatch.setitem(globals(), "PACKAGE", package)
    assert imports_of(module) == {"lms.models", "lms.models.User", "lms.domain", "lms.domain.courses"}
