"""The import rules of issue 13, read from the source: arrows point inwards, and never in a circle."""
from __future__ import annotations

import ast
import functools
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "service", "outbox", "sms", "telegram_channel", "storage", "nlp", "admin", "yoursay")
IO_LIBRARIES = ("sqlalchemy", "alembic", "psycopg", "psycopg2", "sqlite3", "flask", "flask_wtf", "werkzeug",
                "jinja2", "waitress", "telegram", "twilio", "httpx", "requests", "urllib3", "urllib.request",
                "http", "socket", "smtplib", "apscheduler")
ABOVE_STORAGE = ("bot", "service", "outbox", "sms", "telegram_channel", "admin", "yoursay")


class Import(NamedTuple):
    file: str
    line: int
    name: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} imports {self.name}"


def module_of(path: Path) -> str:
    """bot/answers.py is bot.answers; bot/__init__.py is bot."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def modules() -> dict[str, Path]:
    """Every module of the project's packages (not tests, not benchmarks), by dotted name."""
    return {module_of(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def imports_in(source: str, module: str, file: str, package: bool = False) -> list[Import]:
    """Every import in the source, wherever it is: at the top, in a function, or under TYPE_CHECKING."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(file, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = (module.split(".") if package else module.split(".")[:-1]) if node.level else []
            base = base[:len(base) - node.level + 1] if node.level else base
            prefix = ".".join(base + ([node.module] if node.module else []))
            found += [Import(file, node.lineno, f"{prefix}.{alias.name}") for alias in node.names]
    return found


@functools.cache
def all_imports() -> tuple[Import, ...]:
    return tuple(i for module, path in modules().items()
                 for i in imports_in(path.read_text(encoding="utf-8"), module, str(path.relative_to(ROOT)),
                                     path.name == "__init__.py"))


def names(name: str, wanted: tuple[str, ...]) -> bool:
    """True if the import is one of these modules or inside one ("flask.sessions" is in "flask")."""
    return any(name == w or name.startswith(w + ".") for w in wanted)


def importer(i: Import) -> str:
    return module_of(ROOT / i.file)


def offences(importers: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    """Imports of the forbidden modules by modules of these packages."""
    return [str(i) for i in all_imports() if names(importer(i), importers) and names(i.name, forbidden)]


def outsiders(library: str, owner: str) -> list[str]:
    """Imports of the library from anywhere but its one owner."""
    return [str(i) for i in all_imports() if names(i.name, (library,)) and not names(importer(i), (owner,))]


def target(name: str, known) -> str | None:
    """The project module an import loads: "bot.surveys.shipped" loads bot.surveys."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def cycles(edges: dict[str, dict[str, Import]]) -> list[list[Import]]:
    """Each circle of imports once, as the imports that make it."""
    found, seen = [], set()
    for start in sorted(edges):
        paths, visited = [[start]], {start}
        while paths:
            path = paths.pop(0)
            for nxt in sorted(edges.get(path[-1], {})):
                if nxt == start and frozenset(path) not in seen:
                    seen.add(frozenset(path))
                    found.append([edges[a][b] for a, b in zip(path, path[1:] + [start])])
                elif nxt not in visited:
                    visited.add(nxt)
                    paths.append(path + [nxt])
    return found


def project_edges() -> dict[str, dict[str, Import]]:
    edges: dict[str, dict[str, Import]] = {}
    for i in all_imports():
        to = target(i.name, modules())
        if to is not None:
            edges.setdefault(importer(i), {}).setdefault(to, i)
    return edges


def report(found: list[str]) -> str:
    return "\n" + "\n".join(found)


def test_bot_imports_no_database_web_channel_or_network_library():
    found = offences(("bot",), IO_LIBRARIES)
    assert not found, report(found)


def test_bot_imports_nothing_from_the_layers_around_it_or_from_nlp():
    found = offences(("bot",), ("storage", "service", "outbox", "sms", "telegram_channel", "admin", "yoursay", "nlp"))
    assert not found, report(found)


def test_storage_imports_nothing_above_it():
    found = offences(("storage",), ABOVE_STORAGE)
    assert not found, report(found)


def test_nlp_is_handed_its_settings_and_imports_no_layer_above_it_nor_the_core():
    found = offences(("nlp",), ("yoursay", "admin", "service", "bot"))
    assert not found, report(found)


def test_only_telegram_channel_imports_telegram():
    found = outsiders("telegram", "telegram_channel")
    assert not found, report(found)


def test_only_sms_imports_twilio():
    found = outsiders("twilio", "sms")
    assert not found, report(found)


def test_only_the_composition_root_imports_yoursay():
    found = outsiders("yoursay", "yoursay")
    assert not found, report(found)


def test_no_project_modules_import_each_other_in_a_circle():
    found = [" -> ".join(str(i) for i in circle) for circle in cycles(project_edges())]
    assert not found, report(found)


def test_the_reading_sees_imports_in_functions_under_type_checking_and_relative_ones():
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.surveys import Question\n"
              "def f():\n    import flask.sessions\nfrom . import periods\nfrom ..inbox import LABELS\n")
    assert sorted(i.name for i in imports_in(source, "admin.reports.fft", "admin/reports/fft.py")) == [
        "admin.inbox.LABELS", "admin.reports.periods", "bot.surveys.Question", "flask.sessions", "typing.TYPE_CHECKING"]
    assert [i.name for i in imports_in("from . import fft\n", "admin.reports", "admin/reports/__init__.py", True)] == [
        "admin.reports.fft"]


def test_a_circle_is_found_and_named_by_its_imports():
    a, b = Import("bot/answers.py", 9, "bot.surveys.Question"), Import("bot/surveys.py", 19, "bot.answers.normalise")
    edges = {"bot.answers": {"bot.surveys": a}, "bot.surveys": {"bot.answers": b}, "bot.engine": {"bot.answers": a}}
    assert cycles(edges) == [[a, b]]
    assert target("bot.surveys.shipped", {"bot", "bot.surveys"}) == "bot.surveys"


def test_every_package_is_read():
    assert {m.split(".")[0] for m in modules()} == set(PACKAGES)
    assert "bot.flow" in modules() and len(all_imports()) > 500
