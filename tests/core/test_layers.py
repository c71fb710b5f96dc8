"""Module layers point one way (docs/architecture.md "Module layers"; issue 8 §4).

- `lint-imports` keeps every contract of pyproject.toml (layers core <- signing <- documents <-
  modules <- portal; core imports nothing else; signing imports no module);
- signing names no module anywhere, not even in an import inside a function;
- no module imports a background-tasks module at load time, so a service and its tasks never
  form an import circle when the modules load (tasks.py imports the service; the service
  schedules the task inside a function) — the part import-linter cannot express;
- the signing service works on subjects registered by the modules (egov.signing.subjects).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import egov

SRC = Path(egov.__file__).resolve().parent
ROOT = SRC.parent.parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> list[str]:
    """The absolute module names a `from … import …` statement may load."""
    if node.level:
        package = module.split(".")
        if path.name != "__init__.py":
            package = package[:-1]
        base = package[:len(package) - node.level + 1]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    return [prefix] + [f"{prefix}.{alias.name}" for alias in node.names]


def _imports(module: str, path: Path, *, load_time_only: bool) -> set[str]:
    """The egov modules ``module`` imports; with ``load_time_only`` only the imports that run
    when the module is loaded (not those inside functions, nor under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()

    def visit(node, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                if not load_time_only:
                    visit(child, True)
                continue
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                names.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                names.update(_resolve(module, path, child))
            visit(child, in_function)

    visit(tree, False)
    return {n for n in names if n == "egov" or n.startswith("egov.")}


def test_lint_imports_keeps_every_contract():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is a dev dependency (uv sync)"
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_signing_imports_no_module_not_even_inside_functions():
    modules = _modules()
    bad = {}
    for name, path in modules.items():
        if not name.startswith("egov.signing"):
            continue
        wrong = {m for m in _imports(name, path, load_time_only=False)
                 if m.split(".")[:2] in (["egov", "documents"], ["egov", "portal"])}
        if wrong:
            bad[name] = sorted(wrong)
    assert bad == {}


def test_core_imports_no_app():
    bad = {}
    for name, path in _modules().items():
        if name.startswith("egov.core"):
            wrong = {m for m in _imports(name, path, load_time_only=False)
                     if m.split(".")[:2] in (["egov", "documents"], ["egov", "signing"],
                                             ["egov", "portal"])}
            if wrong:
                bad[name] = sorted(wrong)
    assert bad == {}


def _is_tasks(name: str) -> bool:
    return name.rsplit(".", 1)[-1].startswith("tasks")


def test_no_module_imports_background_tasks_at_load_time():
    """Services schedule their tasks inside a function; tasks modules import the services. So
    no module (other than another tasks module) loads a tasks module when it is imported."""
    modules = _modules()
    assert [n for n in modules if _is_tasks(n)], "the apps have tasks modules"
    bad = {}
    for name, path in modules.items():
        if _is_tasks(name):
            continue
        loaded = {m for m in _imports(name, path, load_time_only=True)
                  if m in modules and _is_tasks(m)}
        if loaded:
            bad[name] = sorted(loaded)
    assert bad == {}


def test_no_import_circle_through_a_tasks_module_at_load_time():
    modules = _modules()
    graph = {name: {m for m in _imports(name, path, load_time_only=True) if m in modules}
             for name, path in modules.items()}
    for start in [n for n in modules if _is_tasks(n)]:
        seen, stack = set(), list(graph[start])
        while stack:
            current = stack.pop()
            assert current != start, f"{start} is imported back while it loads"
            if current not in seen:
                seen.add(current)
                stack.extend(graph.get(current, ()))


def test_the_checks_see_a_forbidden_import(tmp_path):
    """The AST check is not vacuous: an import of the documents module inside a function of a
    signing module is found."""
    path = tmp_path / "probe.py"
    path.write_text("def f():\n    from egov.documents.models import OutgoingDocument\n"
                    "    from ..documents import rules\n")
    assert _imports("egov.signing.probe", path, load_time_only=False) >= {
        "egov.documents.models", "egov.documents.rules"}
    assert _imports("egov.signing.probe", path, load_time_only=True) == set()


def test_documents_registers_its_subject_with_signing(db):
    from egov.signing import subjects

    kind = subjects.get_kind("documents.outgoing")
    for hook in ("token_check", "token_prepare", "token_finish", "batch_signable", "batch_sign",
                 "batch_awaiting", "batch_titles", "public_record"):
        assert getattr(kind, hook) is not None, hook
    assert "documents.issue" in subjects.unit_certificate_actions()
    assert subjects.load("documents.outgoing", 2**62) is None
    assert subjects.load("no.such.kind", 1) is None
