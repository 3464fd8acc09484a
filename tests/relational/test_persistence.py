import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from synthohive.exceptions import SerializationError
from synthohive.relational import RelationalSynthesizer

REPO = Path(__file__).resolve().parents[2]

# Fits the 4-table star schema (with the test's model, or the default copulas), streams a
# sample, saves the model (first run only), then loads the first run's artifact and streams
# another sample from it.
_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from tests.relational import conftest
    from tests.relational._models import NearestContextModel, ShuffleCounts
    from synthohive.relational import RelationalSynthesizer
    out, artifact = Path({out!r}), Path({artifact!r})
    schema, tables = conftest.make_star()
    synth = RelationalSynthesizer(schema, model={model}, cardinality=ShuffleCounts(),
                                  random_state=123).fit(tables)
    synth.sample(output_path=out / "fitted")
    if not artifact.exists():
        synth.save(artifact)
    RelationalSynthesizer.load(artifact).sample(output_path=out / "loaded", random_state=7)
""")


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("model", ["NearestContextModel()", "None"])
def test_same_seed_byte_identical_across_processes_and_after_load(tmp_path, model):
    artifact = tmp_path / "synth.shm"
    for run in ("a", "b"):
        script = _SCRIPT.format(repo=str(REPO), out=str(tmp_path / run), artifact=str(artifact),
                                model=model)
        subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO, timeout=180)
    for part in ("fitted", "loaded"):
        first, second = _digest(tmp_path / "a" / part), _digest(tmp_path / "b" / part)
        assert len(first) == 4
        assert first == second, part
    assert _digest(tmp_path / "a" / "fitted") != _digest(tmp_path / "a" / "loaded")


def test_loading_something_else_fails_cleanly(tmp_path):
    path = tmp_path / "model.shm"
    path.write_bytes(b"not an artifact")
    with pytest.raises(SerializationError):
        RelationalSynthesizer.load(path)
