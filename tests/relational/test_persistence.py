import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from synthohive.exceptions import SerializationError
from synthohive.relational import RelationalSynthesizer
from tests.relational._models import NearestContextModel, ShuffleCounts

REPO = Path(__file__).resolve().parents[2]

_LOAD_AND_SAMPLE = textwrap.dedent("""
    import sys
    sys.path.insert(0, {repo!r})
    import tests.relational._models  # registers the test model classes
    from synthohive.relational import RelationalSynthesizer
    synth = RelationalSynthesizer.load({artifact!r})
    for name, frame in synth.sample(random_state=7).items():
        frame.to_parquet({out!r} + "/" + name + ".parquet")
""")


def test_saved_synthesizer_samples_in_a_fresh_process(star, tmp_path):
    schema, tables = star
    synth = RelationalSynthesizer(schema, model=NearestContextModel(),
                                  cardinality=ShuffleCounts(), random_state=0).fit(tables)
    artifact = tmp_path / "synth.shm"
    synth.save(artifact)
    assert [p.name for p in tmp_path.iterdir()] == ["synth.shm"]
    script = _LOAD_AND_SAMPLE.format(repo=str(REPO), artifact=str(artifact), out=str(tmp_path))
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO, timeout=120)
    expected = synth.sample(random_state=7)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / f"{name}.parquet"), frame)


def test_loading_something_else_fails_cleanly(tmp_path):
    path = tmp_path / "model.shm"
    path.write_bytes(b"not an artifact")
    with pytest.raises(SerializationError):
        RelationalSynthesizer.load(path)
