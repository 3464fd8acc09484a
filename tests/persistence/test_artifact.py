import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from synthohive.exceptions import SerializationError
from synthohive.persistence import (
    FORMAT_VERSION,
    dump_bytes,
    load_artifact,
    load_bytes,
    register_persistable,
    save_artifact,
)


@register_persistable("tests.Box")
class Box:
    def __init__(self, payload):
        self.payload = payload

    def _to_state(self):
        return {"payload": self.payload}

    @classmethod
    def _from_state(cls, state):
        return cls(state["payload"])


class Unregistered:
    pass


def _payload():
    return {
        "name": "orders",
        "n": 3,
        "ratio": 0.5,
        "flags": [True, None],
        "array": np.arange(6, dtype=np.int64).reshape(2, 3),
        "labels": np.array(["a", "bb"]),
        "weights": {"layer.weight": torch.ones(2, 2)},
        "child": Box({"inner": np.array([1.5, np.nan])}),
    }


def test_round_trip_keeps_every_leaf(tmp_path):
    path = save_artifact(tmp_path / "box.shm", Box(_payload()))
    loaded = load_artifact(path, expected=Box)
    payload = loaded.payload
    assert payload["name"] == "orders"
    assert payload["n"] == 3
    assert payload["ratio"] == 0.5
    assert payload["flags"] == [True, None]
    np.testing.assert_array_equal(payload["array"], np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(payload["labels"], ["a", "bb"])
    assert torch.equal(payload["weights"]["layer.weight"], torch.ones(2, 2))
    assert isinstance(payload["child"], Box)
    np.testing.assert_array_equal(payload["child"].payload["inner"], [1.5, np.nan])


def test_bytes_are_deterministic():
    assert dump_bytes(Box(_payload())) == dump_bytes(Box(_payload()))


def test_unregistered_and_object_arrays_are_refused():
    with pytest.raises(SerializationError, match="register"):
        dump_bytes(Box({"x": Unregistered()}))
    with pytest.raises(SerializationError, match="object array"):
        dump_bytes(Box({"x": np.array([{"a": 1}], dtype=object)}))
    with pytest.raises(SerializationError, match="not a string"):
        dump_bytes(Box({1: "x"}))


def test_wrong_expected_type(tmp_path):
    path = save_artifact(tmp_path / "box.shm", Box({"x": 1}))
    with pytest.raises(SerializationError, match="not a int"):
        load_artifact(path, expected=int)


def test_missing_truncated_and_garbage_files(tmp_path):
    with pytest.raises(SerializationError, match="Could not read"):
        load_artifact(tmp_path / "nope.shm")
    data = dump_bytes(Box(_payload()))
    with pytest.raises(SerializationError):
        load_bytes(data[: len(data) // 2])
    with pytest.raises(SerializationError, match="Not a SynthoHive artifact"):
        load_bytes(b"not a zip at all")


def _rewrite(data, change):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    return buffer.getvalue()


def test_wrong_version_and_tampering_are_detected():
    data = dump_bytes(Box(_payload()))

    def bump_version(members):
        manifest = json.loads(members["manifest.json"])
        manifest["format_version"] = 999
        members["manifest.json"] = json.dumps(manifest).encode()

    with pytest.raises(SerializationError, match="format version 999"):
        load_bytes(_rewrite(data, bump_version))

    def flip_array(members):
        members["arrays/0.npy"] = members["arrays/0.npy"][:-1] + b"\x01"

    with pytest.raises(SerializationError, match="Checksum mismatch"):
        load_bytes(_rewrite(data, flip_array))


def test_unknown_object_type_is_refused():
    data = dump_bytes(Box({"x": 1}))

    def rename(members):
        manifest = json.loads(members["manifest.json"])
        manifest["root"]["__object__"] = "os.system"
        members["manifest.json"] = json.dumps(manifest).encode()

    with pytest.raises(SerializationError, match="not registered"):
        load_bytes(_rewrite(data, rename))


def test_pickle_payload_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    script = f"""
import hashlib, io, json, zipfile, torch, os
class Evil:
    def __reduce__(self):
        return (os.system, ("touch {marker}",))
buffer = io.BytesIO()
torch.save({{"t0": Evil()}}, buffer)
blob = buffer.getvalue()
manifest = {{"format": "synthohive-artifact", "format_version": {FORMAT_VERSION},
            "library_version": "0",
            "checksums": {{"tensors.pt": hashlib.sha256(blob).hexdigest()}},
            "root": {{"__tensor__": "t0"}}}}
out = io.BytesIO()
with zipfile.ZipFile(out, "w") as archive:
    archive.writestr("manifest.json", json.dumps(manifest))
    archive.writestr("tensors.pt", blob)
open("{tmp_path / 'evil.shm'}", "wb").write(out.getvalue())
"""
    subprocess.run([sys.executable, "-c", script], check=True)
    with pytest.raises(SerializationError):
        load_artifact(tmp_path / "evil.shm")
    assert not marker.exists()



def test_saved_bytes_do_not_depend_on_when_or_where(tmp_path):
    with zipfile.ZipFile(io.BytesIO(dump_bytes(Box(_payload())))) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    code = (
        "import sys, numpy as np\n"
        "from synthohive.persistence import save_artifact\n"
        "from tests.persistence.test_artifact import Box\n"
        "save_artifact(sys.argv[1], Box({'a': np.arange(4), 'b': 'x'}))\n"
    )
    root = Path(__file__).resolve().parents[2]
    paths = [tmp_path / f"{i}.shm" for i in range(2)]
    for path in paths:
        subprocess.run([sys.executable, "-c", code, str(path)], check=True, cwd=root)
    assert paths[0].read_bytes() == paths[1].read_bytes()
