"""The set-up contract (SPEC §4): README commands, CI entry point, pins, lazy imports."""

import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import synthohive as sh

ROOT = Path(__file__).resolve().parent.parent


def _readme_command(name):
    path = ROOT / ".ci" / "readme_command.py"
    spec = importlib.util.spec_from_file_location("readme_command", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.readme_command(name)


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "readme_command.py test" in ci
    assert "set -euo pipefail" in ci
    command = _readme_command("test")
    assert "pip install -c constraints.txt -e" in command
    assert "ruff check synthohive tests benchmarks examples" in command
    assert command.endswith("python -m pytest")


def test_main_command_runs_the_quickstart():
    command = _readme_command("main")
    assert "pip install -c constraints.txt -e" in command
    assert command.endswith("python examples/quickstart.py")


def test_torch_is_a_range_for_users_and_2_13_0_for_ci():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "torch>=2.13,<3" in project["dependencies"]
    assert {"test", "spark", "sql", "bench", "all"} <= set(project["optional-dependencies"])
    assert "torch==2.13.0" in (ROOT / "constraints.txt").read_text().splitlines()


def test_both_readme_commands_install_with_the_constraints():
    for name in ("main", "test"):
        assert 'pip install -c constraints.txt -e ".[all]"' in _readme_command(name)


def test_lint_gate_forbids_silent_excepts():
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    selected = set(lint["select"])
    assert {"E", "BLE", "S110", "S112"} <= selected


def _python(code):
    """Run ``code`` in a fresh interpreter (imports start from nothing); return the result."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)


def test_import_is_light():
    code = (
        "import sys, synthohive\n"
        "heavy = ['pyspark', 'deltalake', 'delta', 'psycopg2', 'pymysql', 'snowflake',"
        " 'sqlalchemy_bigquery', 'matplotlib']\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    out = _python(code)
    assert out.stdout.strip() == "[]"


def test_data_layers_do_not_import_torch():
    code = (
        "import sys\n"
        "import synthohive.schema, synthohive.transform, synthohive.cardinality, "
        "synthohive.metrics, synthohive.relational\n"
        "print(sorted(m for m in ('torch', 'skorch') if m in sys.modules))\n"
    )
    out = _python(code)
    assert out.stdout.strip() == "[]"


def test_torch_models_load_on_first_access():
    code = (
        "import sys, synthohive as sh\n"
        "before = 'torch' in sys.modules\n"
        "from synthohive import CTGAN\n"
        "print(before, 'torch' in sys.modules, sh.CTGAN is CTGAN, 'CTGAN' in dir(sh),"
        " CTGAN.__module__)\n"
    )
    out = _python(code)
    assert out.stdout.split() == [
        "False", "True", "True", "True", "synthohive.models.ctgan._estimator"]
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = sh.Nope

# Built from pieces so that this file does not itself name them.
_OUTSIDE = [re.compile(pattern) for pattern in (
    r"\.\./" + "shared", "shared/" + "data", r"(?<![\w.])/" + r"(work|home|tmp|Users)/")]
_SKIPPED = {"__pycache__", "data", "build"}


def _repository_text_files():
    """Text files of the repository; hidden ones but ``.ci``/``.gitignore`` (caches, venv,
    a worktree's ``.git`` pointer) are not."""
    for path in ROOT.rglob("*"):
        parts = path.relative_to(ROOT).parts
        folders = parts[:-1]
        hidden = any(part.startswith(".") and part not in {".ci", ".gitignore"}
                     for part in parts)
        if path.is_file() and not hidden and not set(folders) & _SKIPPED \
                and not any(part.endswith(".egg-info") for part in folders) and path.suffix in {
                ".py", ".md", ".toml", ".cfg", ".txt", ".json", ".yml", ".yaml", ""}:
            yield path


def test_no_file_names_a_path_outside_the_repository():
    found = []
    for path in _repository_text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        depth = len(path.relative_to(ROOT).parts) - 1
        found += [(path.name, m.group()) for p in _OUTSIDE for m in p.finditer(text)]
        found += [(path.name, m.group()) for m in re.finditer(r"parents\[(\d+)\]", text)
                  if "__file__" in text and int(m.group(1)) > depth]
    assert found == []
