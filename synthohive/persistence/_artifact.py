"""Writing and reading the one-file artifact (see :mod:`synthohive.persistence`)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path
from pickle import UnpicklingError  # noqa: TID251 (only caught: torch refuses non-weight payloads)
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

import numpy as np

from synthohive._version import __version__
from synthohive.exceptions import SerializationError

FORMAT_NAME = "synthohive-artifact"
FORMAT_VERSION = 4  # 2: privacy, constraints, training metrics and range-kept normalisers;
# 3: id-like columns drawn jointly (relational id_rows); 4: smoothing of tree leaves' counts
_MANIFEST = "manifest.json"
_TENSORS = "tensors.pt"
_EPOCH = (1980, 1, 1, 0, 0, 0)

_REGISTRY: dict[str, type] = {}

if TYPE_CHECKING:  # torch is imported only when an artifact holds tensors
    import torch

T = TypeVar("T")


@runtime_checkable
class Persistable(Protocol):
    """What a class implements to be stored in an artifact."""

    def _to_state(self) -> dict[str, Any]:
        """Return the object's state tree."""

    @classmethod
    def _from_state(cls: type[T], state: dict[str, Any]) -> T:
        """Rebuild an object from the state tree written by ``_to_state``."""


def register_persistable(name: str) -> Any:
    """Class decorator registering a :class:`Persistable` class under a stable ``name``.

    Parameters
    ----------
    name : str
        Name written into artifacts; keep it stable across releases.

    Returns
    -------
    callable
        The decorator; it returns the class unchanged.
    """

    def decorator(cls: type[T]) -> type[T]:
        known = _REGISTRY.get(name)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise SerializationError(
                f"Persistable name {name!r} is already used by {known.__qualname__}; "
                f"register {cls.__qualname__} under another name."
            )
        _REGISTRY[name] = cls
        cls._persistable_name = name  # type: ignore[attr-defined]
        return cls

    return decorator


def _is_tensor(value: Any) -> bool:
    """Whether ``value`` is a torch tensor; without torch loaded, nothing can be one."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


class _Encoder:
    """Turns a state tree into JSON plus binary members."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.tensors: dict[str, torch.Tensor] = {}

    def encode(self, value: Any, where: str) -> Any:
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int | float):
            return value
        if isinstance(value, np.generic):
            return self.encode(value.item(), where)
        if isinstance(value, np.ndarray):
            if value.dtype.hasobject:
                raise SerializationError(
                    f"Cannot store object array at {where}: convert it to a numeric or "
                    "fixed-width string dtype first."
                )
            member = f"arrays/{len(self.arrays)}.npy"
            self.arrays[member] = value
            return {"__ndarray__": member}
        if _is_tensor(value):
            key = f"t{len(self.tensors)}"
            self.tensors[key] = value.detach().to("cpu").contiguous()
            return {"__tensor__": key}
        if isinstance(value, list | tuple):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    raise SerializationError(
                        f"State key {key!r} at {where} is not a string; use string keys."
                    )
                if is_reserved(key):
                    raise SerializationError(f"State key {key!r} at {where} is reserved.")
                out[key] = self.encode(item, f"{where}.{key}")
            return out
        name = getattr(type(value), "_persistable_name", None)
        if name is None or _REGISTRY.get(name) is not type(value):
            raise SerializationError(
                f"Cannot store {type(value).__qualname__} at {where}: register the class with "
                "synthohive.persistence.register_persistable and implement _to_state/_from_state."
            )
        return {"__object__": name, "state": self.encode(value._to_state(), f"{where}<{name}>")}


class _Decoder:
    """Rebuilds a state tree from JSON plus binary members."""

    def __init__(self, arrays: dict[str, np.ndarray], tensors: dict[str, torch.Tensor]) -> None:
        self.arrays = arrays
        self.tensors = tensors

    def decode(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "__ndarray__" in value:
            return self._lookup(self.arrays, value["__ndarray__"], "array")
        if "__tensor__" in value:
            return self._lookup(self.tensors, value["__tensor__"], "tensor")
        if "__object__" in value:
            name = value["__object__"]
            cls = _REGISTRY.get(name)
            if cls is None:
                raise SerializationError(
                    f"The artifact contains an object of type {name!r}, which is not registered "
                    "in this process; import the module that defines it before loading."
                )
            return cls._from_state(self.decode(value.get("state", {})))
        return {key: self.decode(item) for key, item in value.items()}

    @staticmethod
    def _lookup(table: dict[str, Any], key: Any, kind: str) -> Any:
        if not isinstance(key, str) or key not in table:
            raise SerializationError(
                f"The artifact refers to a missing {kind} {key!r}; it is corrupt."
            )
        return table[key]


def is_reserved(key: str) -> bool:
    """Whether ``key`` has the ``__name__`` form that state trees reserve for their markers.

    Parameters
    ----------
    key : str
        A state key, e.g. a column name that becomes one.

    Returns
    -------
    bool
        True for names that start and end with two underscores.
    """
    return len(key) >= 4 and key.startswith("__") and key.endswith("__")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dump_bytes(obj: Any) -> bytes:
    """Serialise a registered object into artifact bytes.

    Parameters
    ----------
    obj : Persistable
        A registered object.

    Returns
    -------
    bytes
        The artifact, as written by :func:`save_artifact`.
    """
    encoder = _Encoder()
    root = encoder.encode(obj, "root")
    members: dict[str, bytes] = {}
    for member, array in encoder.arrays.items():
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        members[member] = buffer.getvalue()
    if encoder.tensors:
        import torch  # lazy: only torch models store tensors

        buffer = io.BytesIO()
        torch.save(encoder.tensors, buffer)
        members[_TENSORS] = buffer.getvalue()
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "checksums": {member: _sha256(data) for member, data in members.items()},
        "root": root,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        _write_member(archive, _MANIFEST, json.dumps(manifest, sort_keys=True).encode("utf-8"))
        for member, data in members.items():
            _write_member(archive, member, data)
    return buffer.getvalue()


def _write_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    """Write one member with a fixed timestamp, so equal objects give equal bytes."""
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def save_artifact(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` to ``path`` as one artifact file, atomically.

    The file is written under a temporary name in the same folder and renamed when
    complete, so a crash never leaves a half-written artifact at ``path``.

    Parameters
    ----------
    path : str or path-like
        Destination file.
    obj : Persistable
        A registered object.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    SerializationError
        If the object holds something that cannot be stored or the file cannot be written.
    """
    target = Path(path)
    try:
        data = dump_bytes(obj)
    except SerializationError as exc:
        raise SerializationError(f"Could not write the artifact {target}: {exc}") from exc
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except OSError as exc:
        raise SerializationError(f"Could not write the artifact to {target}: {exc}") from exc
    return target


def load_bytes(data: bytes, expected: type[T] | None = None) -> T:
    """Rebuild an object from artifact bytes without unpickling anything.

    Parameters
    ----------
    data : bytes
        Artifact bytes from :func:`dump_bytes` or an artifact file.
    expected : type, optional
        If given, the loaded object must be an instance of it.

    Returns
    -------
    object
        The rebuilt object.

    Raises
    ------
    SerializationError
        If the bytes are not a valid artifact of this format version, a checksum does not
        match, or the object is not of the expected type.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
        raise SerializationError(
            f"Not a SynthoHive artifact, or a truncated one ({exc}); save the model again."
        ) from exc
    try:
        manifest = json.loads(members.pop(_MANIFEST))
    except (KeyError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SerializationError("The artifact has no readable manifest; it is corrupt.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise SerializationError("The file is not a SynthoHive artifact (unknown format).")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise SerializationError(
            f"The artifact has format version {version!r}, this library reads version "
            f"{FORMAT_VERSION} (library {__version__}); re-save it with a matching version."
        )
    checksums = manifest.get("checksums", {})
    if not isinstance(checksums, dict) or set(checksums) != set(members):
        raise SerializationError(
            "The artifact's members do not match its manifest; it was altered."
        )
    for member, blob in members.items():
        if _sha256(blob) != checksums[member]:
            raise SerializationError(f"Checksum mismatch for {member!r}; the artifact was altered.")
    try:
        arrays = {
            name: np.load(io.BytesIO(blob), allow_pickle=False)
            for name, blob in members.items()
            if name.startswith("arrays/")
        }
        tensors = {}
        if _TENSORS in members:
            import torch  # lazy: only torch models store tensors

            blob = io.BytesIO(members[_TENSORS])
            tensors = torch.load(blob, weights_only=True, map_location="cpu")
    except (ValueError, OSError, RuntimeError, EOFError, UnpicklingError) as exc:
        raise SerializationError(f"The artifact's binary data could not be read: {exc}") from exc
    if not isinstance(tensors, dict):
        raise SerializationError("The artifact's tensor member is not a name-to-tensor mapping.")
    try:
        obj = _Decoder(arrays, tensors).decode(manifest.get("root"))
    except (KeyError, TypeError, ValueError) as exc:
        raise SerializationError(
            f"The artifact's state could not be rebuilt ({exc!r}); it is damaged or was written "
            f"by another version of synthohive (this is {__version__}): fit and save it again."
        ) from exc
    if expected is not None and not isinstance(obj, expected):
        raise SerializationError(
            f"The artifact holds a {type(obj).__qualname__}, not a {expected.__qualname__}; "
            f"load it with {type(obj).__qualname__}.load."
        )
    return obj


def load_artifact(path: str | os.PathLike[str], expected: type[T] | None = None) -> T:
    """Read an artifact file written by :func:`save_artifact`.

    Parameters
    ----------
    path : str or path-like
        Artifact file.
    expected : type, optional
        If given, the loaded object must be an instance of it.

    Returns
    -------
    object
        The rebuilt object.

    Raises
    ------
    SerializationError
        If the file is missing, unreadable, corrupt, tampered with or of another version.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SerializationError(f"Could not read the artifact {path}: {exc}") from exc
    try:
        return load_bytes(data, expected)
    except SerializationError as exc:
        raise SerializationError(f"Could not load the artifact {path}: {exc}") from exc
