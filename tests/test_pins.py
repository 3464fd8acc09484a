"""CONN-02: the installed Spark stack satisfies the pins of the ``spark`` extra."""

import tomllib
from importlib.metadata import requires, version
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _spark_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(line) for line in project["optional-dependencies"]["spark"]]


def test_spark_extra_pins_exact_versions_of_the_three_packages():
    pins = {req.name: str(req.specifier) for req in _spark_extra()}
    assert set(pins) == {"pyspark", "delta-spark", "deltalake"}
    assert all(spec.startswith("==") for spec in pins.values())
    assert pins["pyspark"].startswith("==4.2")
    assert pins["delta-spark"].startswith("==4.4")


def test_installed_versions_satisfy_the_pins():
    for req in _spark_extra():
        installed = version(req.name)
        assert req.specifier.contains(installed, prereleases=True), (req.name, installed)


def test_delta_spark_accepts_the_pinned_pyspark():
    pins = {req.name: req for req in _spark_extra()}
    pinned = str(pins["pyspark"].specifier).removeprefix("==")
    needs = [Requirement(r) for r in requires("delta-spark")]
    needs = [r for r in needs if r.name == "pyspark"]
    assert needs
    assert all(r.specifier.contains(pinned) for r in needs)
