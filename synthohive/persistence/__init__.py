"""One-file model artifacts that load without running code.

An artifact is a zip file holding

- ``manifest.json``: format name and version, library version, SHA-256 of every other
  member, and the object's *state tree* as JSON;
- ``arrays/<n>.npy``: numpy arrays, read back with ``allow_pickle=False``;
- ``tensors.pt``: a flat ``{name: tensor}`` dict, read back with ``torch.load(weights_only=True)``.

A state tree is made of ``None``, ``bool``, ``int``, ``float``, ``str``, lists, dicts with
string keys, numpy arrays (non-object dtypes), torch tensors and nested registered objects.
Objects are rebuilt only from classes registered with :func:`register_persistable`, through
their ``_from_state`` classmethod, so a crafted file can at worst fail to load.
"""

from synthohive.persistence._artifact import (
    FORMAT_VERSION,
    Persistable,
    dump_bytes,
    is_reserved,
    load_artifact,
    load_bytes,
    register_persistable,
    save_artifact,
)

__all__ = [
    "FORMAT_VERSION",
    "Persistable",
    "dump_bytes",
    "is_reserved",
    "load_artifact",
    "load_bytes",
    "register_persistable",
    "save_artifact",
]
