"""The package's shape: data flows one way, Whoosh's internals stay in one module, modules stay small.

corpus -> analysis -> index -> search -> web (and the CLI beside web). These tests read the
source (every import statement, function-level ones included) and import each module on its
own in a fresh interpreter, so a cycle hidden behind a lazy import or a module that pulls in
Flask or Whoosh's storage where it should not fails here.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "search_service"
MAX_LINES = 400
INTERNALS = "search_service.index.whoosh_internals"
# Modules of Whoosh that read or write an index on disk (analysis/ may use whoosh.analysis).
WHOOSH_STORAGE = (
    "whoosh.filedb",
    "whoosh.index",
    "whoosh.searching",
    "whoosh.codec",
    "whoosh.reading",
    "whoosh.writing",
    "whoosh.multiproc",
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Lines inside `if TYPE_CHECKING:` blocks (imports there are for annotations only)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(name: str) -> list[tuple[str, int]]:
    """(imported module, line) for every import in a module, at any depth, resolved."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(), filename=str(path))
    skip = _type_checking_lines(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if node.lineno in skip if hasattr(node, "lineno") else False:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append((sub if sub in MODULES else base, node.lineno))
    return found


def _ours(name: str) -> set[str]:
    return {m for m, _ in _imports(name) if m in MODULES and m != name}


def test_every_module_is_small():
    long = {n: len(p.read_text().splitlines()) for n, p in MODULES.items()}
    assert {n: lines for n, lines in long.items() if lines > MAX_LINES} == {}


def test_there_are_no_import_cycles():
    graph = {name: _ours(name) for name in MODULES}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :] + [nxt] if nxt in path else [node, nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


# What each step may import of ours (the data flow) and of Flask and Whoosh.
STEPS = {
    "search_service.corpus": {"ours": ("search_service.model", "search_service.corpus")},
    "search_service.analysis": {"ours": ("search_service.analysis",)},
    "search_service.index": {
        "ours": (
            "search_service.index",
            "search_service.analysis",
            "search_service.model",
            "search_service.config",
        )
    },
    "search_service.search": {
        "ours": (
            "search_service.search",
            "search_service.index",
            "search_service.analysis",
            "search_service.model",
            "search_service.config",
            "search_service.links",
            # The DHRD's registry of case characteristics: their names, labels and orders.
            "search_service.corpus.dhrd_values",
        )
    },
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_each_step_imports_only_the_steps_before_it(step):
    allowed = STEPS[step]["ours"]
    wrong = {
        (name, m)
        for name in MODULES
        if name.startswith(step + ".") or name == step
        for m in _ours(name)
        if not m.startswith(allowed)
    }
    assert wrong == set()


def test_web_and_the_cli_never_import_whoosh_and_only_web_imports_flask():
    """Flask lives in web/ (and the app factory); Whoosh behind index/ and search/."""
    for name in MODULES:
        third = {m.split(".")[0] for m, _ in _imports(name)}
        cli = name == "search_service.cli" or name.startswith("search_service.cli.")
        if name.startswith("search_service.web") or cli:
            assert "whoosh" not in third, name
        elif name != "search_service" and not cli:
            assert not third & {"flask", "werkzeug", "waitress", "markupsafe"}, name
        if name.startswith(("search_service.corpus", "search_service.analysis")):
            assert not {m for m, _ in _imports(name) if m.startswith(WHOOSH_STORAGE)}, name
        if name.startswith("search_service.corpus"):
            assert "whoosh" not in third, name


def _defined_names() -> set[str]:
    """Every name our own code defines: functions, classes, attributes it assigns."""
    names: set[str] = set()
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.alias) and node.asname:
                names.add(node.asname)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.add(node.value)  # __slots__ entries
    return names


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_private_whoosh_and_nltk_names_are_used_in_one_module_only():
    """A private name of someone else's (an attribute we never define, or one imported from
    whoosh or nltk) appears only in index/whoosh_internals.py."""
    ours = _defined_names()
    found = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            foreign = None
            if isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in ours:
                # The standard library's documented ones (os._exit) are not someone's internals.
                if not (isinstance(node.value, ast.Name) and node.value.id in ("os", "sys")):
                    foreign = node.attr
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                ("whoosh", "nltk")
            ):
                privates = [a.name for a in node.names if _private(a.name)]
                foreign = privates[0] if privates else None
            if foreign:
                found.setdefault(name, set()).add(foreign)
    assert set(found) == {INTERNALS}, found
    # And what it reads is what its docstring lists (every one of these is used).
    assert {"_terms", "_btexts", "_field_B", "_regexp", "_INT_SIZE"} <= found[INTERNALS]


# Imports each module alone in a fresh interpreter (forked from one that has imported
# nothing of ours), reporting what else came with it and whether Whoosh was changed.
PROBE = r"""
import json, os, sys, importlib
results = {}
for name in sys.argv[1:]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            importlib.import_module(name)
            loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("flask", "werkzeug", "whoosh"))
            patched = None
            if "whoosh.filedb.compound" in sys.modules:
                compound = sys.modules["whoosh.filedb.compound"]
                patched = compound.BufferFile.__module__ != "whoosh.filedb.structfile"
            if "whoosh.codec.whoosh3" in sys.modules:
                import pickle
                patched = bool(patched) or sys.modules["whoosh.codec.whoosh3"].dumps is not pickle.dumps
            out = {"ok": True, "loaded": loaded, "patched": patched}
        except BaseException as exc:
            out = {"ok": False, "error": repr(exc)}
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.waitpid(pid, 0)
    results[name] = json.loads(data)
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def imported_alone() -> dict:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *MODULES],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PACKAGE.parent,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_every_module_imports_on_its_own(imported_alone):
    assert {n: r["error"] for n, r in imported_alone.items() if not r["ok"]} == {}


def test_corpus_and_analysis_load_neither_flask_nor_whoosh_storage(imported_alone):
    for name, result in imported_alone.items():
        loaded = result["loaded"]
        if name.startswith("search_service.corpus"):
            assert loaded == [], name
        if name.startswith("search_service.analysis"):
            assert not [m for m in loaded if m.startswith(("flask", "werkzeug"))], name
            assert not [m for m in loaded if m.startswith(WHOOSH_STORAGE)], name
    assert imported_alone["search_service"]["loaded"] == []  # the factory imports Flask late


def test_importing_never_changes_whoosh(imported_alone):
    """MappedFile replaces Whoosh's BufferFile, and block_dumps whoosh3's dumps, only when
    an index is opened (apply())."""
    assert all(r["patched"] in (None, False) for r in imported_alone.values())
    assert imported_alone[INTERNALS]["patched"] is False


def test_opening_an_index_applies_the_internals_and_a_new_whoosh_is_refused(tmp_path):
    """On any Whoosh or NLTK but the verified ones, opening an index and serving refuse to
    start and say what to install."""
    script = r"""
import sys, whoosh
from whoosh.codec import whoosh3
from whoosh.filedb import compound
from search_service.index.reader import IndexHandle
before = compound.BufferFile.__name__, whoosh3.dumps.__name__
IndexHandle(sys.argv[1])
print(*before, compound.BufferFile.__name__, whoosh3.dumps.__name__)
whoosh.__version__ = (2, 7, 6)
from search_service.index import whoosh_internals
from search_service.index.verified import UnverifiedVersionError
whoosh_internals._done = False
try:
    IndexHandle(sys.argv[1])
except UnverifiedVersionError as exc:
    print(exc)
"""
    run = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    first, refused = run.stdout.splitlines()
    assert first == "BufferFile dumps MappedFile block_dumps"
    assert refused.startswith("Whoosh 2.7.6 is installed; DHR Search reads Whoosh 2.7.5")
    assert "whoosh-reloaded==2.7.5" in refused

    serve = r"""
import sys, whoosh
whoosh.__version__ = (2, 8, 0)
from search_service.cli import cli
cli(["serve", "--index-dir", sys.argv[1]], prog_name="dhr-search")
"""
    run = subprocess.run(
        [sys.executable, "-c", serve, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 1
    assert "Error: Whoosh 2.8.0 is installed" in run.stderr
    assert "Traceback" not in run.stderr and "serving" not in run.stdout
