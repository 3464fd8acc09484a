"""Resumable fits (CHK-01): one checkpoint file holding the whole state of a training run.

A neural model fitted with ``checkpoint_dir`` writes ``<checkpoint_dir>/checkpoint.shm``
every ``checkpoint_interval`` epochs (by default, as often as keeps writing under 4 % of
the training time) and once more, marked finished, when training ends.
The file holds everything the rest of the run depends on: the fitted transformers, every
network's weights and buffers, every optimizer's state, the state of every random
generator the net owns (``torch.Generator`` and ``numpy.random.Generator`` attributes),
the skorch history, the best-so-far validation state and the seed. Calling the same ``fit``
again with the same directory restores it and trains only the epochs still to run, so the
fitted model is bit-identical to an uninterrupted fit; a finished checkpoint trains none.

The file is an artifact of :mod:`synthohive.persistence` (zip, JSON manifest with
checksums, ``.npy`` arrays and ``torch.load(weights_only=True)`` tensors): it is written
under a temporary name and renamed, and reading it runs no code. A checkpoint is tied to a
*fingerprint* of the model's class, its training parameters and the training data; another
fingerprint is refused with :class:`~synthohive.exceptions.DataValidationError`.

skorch's :class:`~skorch.callbacks.Checkpoint` decides when to write (its ``monitor``);
its file writing is replaced, because it writes several files non-atomically and keeps no
random-generator state. skorch's ``LoadInitState`` is not used: it ignores every error
while loading, where a damaged checkpoint must be a ``SerializationError``, and the number
of epochs still to run must be known before skorch's loop starts.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from skorch.callbacks import Checkpoint
from skorch.history import History

from synthohive.callbacks import ValidationCheckpoint
from synthohive.exceptions import DataValidationError, SerializationError
from synthohive.persistence import load_artifact, save_artifact

CHECKPOINT_FILE = "checkpoint.shm"
# With checkpoint_interval=None, a checkpoint is due once the training time since the last
# one reaches this many times the last write's duration (writing stays under 1/25 = 4 %).
WRITE_BUDGET = 25
# Write duration assumed before the first write (so a fit shorter than about a second
# writes only its final checkpoint).
_FIRST_WRITE_SECONDS = 0.04
_KIND = "synthohive-training-checkpoint"
_FIELDS = frozenset({"kind", "fingerprint", "seed", "finished", "history", "modules",
                     "optimizers", "generators", "validation", "extra"})
# Parameters that do not change what a fit computes.
_UNFINGERPRINTED = ("verbose", "callbacks", "checkpoint_dir", "checkpoint_interval")


def fingerprint(model: Any, X: pd.DataFrame, context: pd.DataFrame | None) -> str:
    """Digest of what a fit computes from: class, training parameters and data.

    ``random_state`` counts only when it is an integer: a fit seeded otherwise resumes
    with the seed stored in its checkpoint.

    Parameters
    ----------
    model : estimator
        The model being fitted.
    X : DataFrame
        Training rows as ``_fit`` receives them.
    context : DataFrame or None
        Parent context.

    Returns
    -------
    str
        Hex SHA-256 digest.
    """
    params = {name: value for name, value in model.get_params(deep=False).items()
              if name not in _UNFINGERPRINTED}
    if not isinstance(params.get("random_state"), int):
        params.pop("random_state", None)
    template = params.pop("transformer", None)
    digest = hashlib.sha256()
    digest.update(repr((type(model).__name__, sorted(params.items()))).encode("utf-8"))
    if template is not None:
        described = (type(template).__name__, sorted(template.get_params(deep=False).items()))
        digest.update(repr(described).encode("utf-8"))
    for frame in (X, context):
        if frame is None:
            digest.update(b"no frame")
            continue
        layout = [[str(c), str(t)] for c, t in frame.dtypes.items()]
        digest.update(json.dumps([len(frame), layout]).encode("utf-8"))
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


@dataclass
class TrainingRun:
    """The checkpoint file of one fit, and how to write and restore the run's state.

    Parameters
    ----------
    directory : path-like
        The model's ``checkpoint_dir``.
    fingerprint : str
        See :func:`fingerprint`.
    model_name : str
        Name of the model class, for messages.

    Attributes
    ----------
    seed : int or None
        The fit's seed (set by the model before training).
    extra : dict
        Model state stored next to the net's (the fitted transformers).
    validation : ValidationCheckpoint or None
        The run's best-epoch keeper, whose state is stored too.
    """

    directory: str | os.PathLike[str]
    fingerprint: str
    model_name: str
    seed: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    validation: ValidationCheckpoint | None = None

    @property
    def path(self) -> Path:
        """The checkpoint file."""
        return Path(self.directory) / CHECKPOINT_FILE

    def read(self) -> dict[str, Any] | None:
        """Return the stored state, or None when no checkpoint exists yet.

        Raises
        ------
        SerializationError
            If the file is damaged, truncated or not a checkpoint.
        DataValidationError
            If it was written by a fit on other data or with other parameters.
        """
        if not self.path.exists():
            return None
        state = load_artifact(self.path)
        if not isinstance(state, dict) or state.get("kind") != _KIND:
            raise SerializationError(
                f"{self.path} is not a {self.model_name} training checkpoint; delete it or "
                "pass another checkpoint_dir."
            )
        missing = sorted(_FIELDS - set(state))
        if missing:
            raise SerializationError(
                f"The checkpoint {self.path} lacks {missing}; it is damaged. Delete the "
                "directory to start over."
            )
        if state.get("fingerprint") != self.fingerprint:
            raise DataValidationError(
                f"The checkpoint in {self.directory} was written by a {self.model_name} fit on "
                "other data or with other parameters; it cannot be resumed. Pass another "
                "checkpoint_dir, or delete the directory to start over."
            )
        return state

    def write(self, net: Any, finished: bool) -> None:
        """Write the run's current state atomically.

        Parameters
        ----------
        net : skorch.NeuralNet
            The training net.
        finished : bool
            Whether training is over (a later fit then trains no more epochs).
        """
        state = {
            "kind": _KIND,
            "fingerprint": self.fingerprint,
            "seed": int(self.seed if self.seed is not None else 0),
            "finished": bool(finished),
            "history": json.dumps(list(net.history), default=_plain),
            "modules": {name: getattr(net, f"{name}_").state_dict() for name in net._modules},
            "optimizers": {name: _optimizer_state(getattr(net, f"{name}_"))
                           for name in net._optimizers},
            "generators": {name: _generator_state(value) for name, value in _generators(net)},
            "validation": None if self.validation is None else self.validation.state_dict(),
            "extra": self.extra,
        }
        save_artifact(self.path, state)

    def restore(self, net: Any, state: Mapping[str, Any], epochs: int) -> int:
        """Put a stored state into an initialised net; return the epochs still to run.

        Parameters
        ----------
        net : skorch.NeuralNet
            The net, built and initialised as for a fresh fit.
        state : mapping
            As returned by :meth:`read`.
        epochs : int
            The fit's total number of epochs.

        Returns
        -------
        int
            Epochs left to train (0 when the stored run had finished or stopped early).

        Raises
        ------
        SerializationError
            If the state does not fit the net.
        """
        try:
            history = History(json.loads(state["history"]))
            for name, weights in state["modules"].items():
                getattr(net, f"{name}_").load_state_dict(weights)
            for name, stored in state["optimizers"].items():
                getattr(net, f"{name}_").load_state_dict(_optimizer_from_state(stored))
            owned = dict(_generators(net))
            for name, stored in state["generators"].items():
                _set_generator_state(owned[name], stored)
            if self.validation is not None:
                self.validation.load_state_dict(state["validation"])
        except (KeyError, TypeError, ValueError, RuntimeError, json.JSONDecodeError) as exc:
            raise SerializationError(
                f"The checkpoint {self.path} does not fit this {self.model_name} ({exc!r}); "
                "delete the directory to start over."
            ) from exc
        net.history_ = history
        stopped = self.validation is not None and self.validation.should_stop_
        if state["finished"] or stopped:
            return 0
        return max(int(epochs) - len(history), 0)


class PeriodicCheckpoint(Checkpoint):
    """skorch ``Checkpoint`` that writes a :class:`TrainingRun` periodically.

    Where the run resumes from does not change its result, so the schedule is free:
    every ``interval`` epochs, or with ``interval=None`` after an epoch once the training
    time since the last write is ``WRITE_BUDGET`` times that write's duration.

    Parameters
    ----------
    run : TrainingRun
        The run to write.
    interval : int or None
        Epochs between two checkpoints, or None for the time budget.
    """

    def __init__(self, run: TrainingRun, interval: int | None) -> None:
        self.run = run
        self.interval = interval
        super().__init__(monitor=self._due, f_params=None, f_optimizer=None,
                         f_criterion=None, f_history=None, dirname=str(run.directory),
                         event_name=None)

    def on_train_begin(self, net: Any, **kwargs: Any) -> None:
        """Start the clock of the time budget."""
        self.last_end_ = time.perf_counter()
        self.last_cost_ = _FIRST_WRITE_SECONDS

    def _due(self, net: Any) -> bool:
        if self.interval is not None:
            return len(net.history) % int(self.interval) == 0
        return time.perf_counter() - self.last_end_ >= WRITE_BUDGET * self.last_cost_

    def save_model(self, net: Any) -> None:
        """Write the run's state (not finished) and time the write."""
        start = time.perf_counter()
        self.run.write(net, finished=False)
        self.last_end_ = time.perf_counter()
        self.last_cost_ = self.last_end_ - start


def _generators(net: Any) -> list[tuple[str, torch.Generator | np.random.Generator]]:
    """Every random generator the net owns, by attribute name."""
    return sorted((name, value) for name, value in vars(net).items()
                  if isinstance(value, torch.Generator | np.random.Generator))


def _generator_state(generator: torch.Generator | np.random.Generator) -> Any:
    if isinstance(generator, torch.Generator):
        return generator.get_state()
    return json.dumps(generator.bit_generator.state)


def _set_generator_state(generator: torch.Generator | np.random.Generator, state: Any) -> None:
    if isinstance(generator, torch.Generator):
        generator.set_state(state.to(torch.uint8))
    else:
        generator.bit_generator.state = json.loads(state)


def _optimizer_state(optimizer: torch.optim.Optimizer) -> dict[str, Any]:
    """Return an optimizer's state dict with string keys and JSON parameter groups."""
    state = optimizer.state_dict()
    return {"state": {str(k): dict(v) for k, v in state["state"].items()},
            "param_groups": json.dumps(state["param_groups"])}


def _optimizer_from_state(stored: Mapping[str, Any]) -> dict[str, Any]:
    return {"state": {int(k): v for k, v in stored["state"].items()},
            "param_groups": json.loads(stored["param_groups"])}


def _plain(value: Any) -> Any:
    """JSON form of numpy scalars in a history."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def checked_interval(value: Any, model_name: str) -> int | None:
    """Validate a ``checkpoint_interval`` parameter (a positive integer or None).

    Raises
    ------
    DataValidationError
        If it is neither.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise DataValidationError(
            f"{model_name} checkpoint_interval={value!r} must be a positive integer or None."
        )
    return int(value)

