"""What the skorch-trained models (CTGAN, TVAE) share: the fit skeleton around their nets.

:class:`NeuralModel` encodes the table and its parent context with
:class:`~synthohive.DataTransformer`, holds out validation rows, assembles the callbacks
(best-epoch keeping on KS/TVD, structured epoch logs, the progress bar, periodic training
checkpoints, user callbacks, early stopping), runs the subclass's skorch net — resuming
from ``checkpoint_dir`` when a checkpoint is there — and checks and summarises what it
learned. A subclass builds its net (:meth:`NeuralModel._build_net`), keeps the trained
network (:meth:`NeuralModel._keep_trained`) and generates validation rows
(:meth:`NeuralModel._validation_rows`).
"""

from __future__ import annotations

import json
import logging
import math
import os
from abc import abstractmethod
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch
from sklearn.base import clone
from skorch.history import History

from synthohive.callbacks import (
    EpochLogger,
    EpochProgressBar,
    StopOnPatience,
    ValidationCheckpoint,
)
from synthohive.exceptions import DataValidationError, TrainingError
from synthohive.metrics import column_distances
from synthohive.models._checkpoint import (
    PeriodicCheckpoint,
    TrainingRun,
    checked_interval,
    fingerprint,
)
from synthohive.models._torch import SpanLayout, resolve_device
from synthohive.models.base import ConditionalGenerativeModel
from synthohive.privacy import PrivacyConfig
from synthohive.transform import DataTransformer, OutputSpan
from synthohive.utils._random import derive_seed, numpy_generator
from synthohive.utils._validation import Interval

logger = logging.getLogger(__name__)

# Rows generated per step: small on the CPU (buffers stay in cache and are reused without
# page faults), large on a GPU (fewer kernel launches).
SAMPLE_CHUNK = {"cpu": 4096, "cuda": 65536}
_VALIDATION_ROWS = 5000


class NeuralModel(ConditionalGenerativeModel):
    """Base of the models trained epoch by epoch in a skorch net (private).

    Subclasses have the parameters ``epochs``, ``batch_size``, ``validation_fraction``,
    ``validation_interval``, ``patience``, ``random_state``, ``device``, ``verbose``,
    ``callbacks``, ``transformer``, ``checkpoint_dir`` and ``checkpoint_interval``, and set
    the class attributes below.
    """

    #: History keys that are per-epoch training numbers, as ``training_metrics`` columns.
    _METRICS: ClassVar[dict[str, str]] = {}
    #: History keys whose non-finite value means training diverged.
    _LOSS_KEYS: ClassVar[tuple[str, ...]] = ()
    #: Hint added to the divergence error.
    _DIVERGENCE_HINT: ClassVar[str] = ""
    #: Attribute of the net holding the weights that the validation checkpoint keeps.
    _TRAINED_MODULE: ClassVar[str] = "module_"

    #: Validation rules of the parameters every neural model has (``check_params``);
    #: subclasses extend them in their own ``_parameter_constraints``.
    _COMMON_CONSTRAINTS: ClassVar[dict[str, list[Any]]] = {
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "validation_interval": [Interval(Integral, 1, None, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "device": [str],
        "verbose": ["verbose"],
        "callbacks": [list, tuple, None],
        "transformer": [DataTransformer, None],
        "checkpoint_dir": [str, os.PathLike, None],
        "checkpoint_interval": [Interval(Integral, 1, None, closed="left"), None],
        "roles": [dict, None],
        "constraints": [dict, None],
        "privacy": [PrivacyConfig, None],
    }

    # ------------------------------------------------------------ abstract

    @abstractmethod
    def _check_params(self) -> None:
        """Validate the parameters (``check_params`` against ``_parameter_constraints``)."""

    @abstractmethod
    def _build_net(self, data: np.ndarray, context: np.ndarray, with_context: bool,
                   callbacks: list[Any]) -> tuple[Any, Any]:
        """Build the (uninitialised) skorch net and its training data.

        Parameters
        ----------
        data : ndarray of float32, shape (n_train, data_dim)
            Transformed training rows.
        context : ndarray of float32, shape (n_train, context_dim)
            Encoded context of those rows (zero columns without context).
        with_context : bool
            Whether the model is fitted with context.
        callbacks : list
            Callbacks the net must run.

        Returns
        -------
        net, training
            The net and what its ``partial_fit`` takes.
        """

    @abstractmethod
    def _keep_trained(self, net: Any) -> None:
        """Keep the trained network(s) of ``net`` as fitted attributes (evaluation mode)."""

    @abstractmethod
    def _validation_rows(self, net: Any, n_rows: int, context: np.ndarray | None,
                         seed: int) -> pd.DataFrame:
        """Generate ``n_rows`` decoded rows with the network being trained in ``net``."""

    # ------------------------------------------------------------------ fit

    def _check_layer_sizes(self, *names: str) -> None:
        """Raise unless each named parameter is a sequence of positive integers."""
        for name in names:
            dims = getattr(self, name)
            if not all(isinstance(d, Integral) and not isinstance(d, bool) and d > 0
                       for d in dims):
                raise DataValidationError(
                    f"{type(self).__name__} parameter {name}={dims!r} must be a sequence of "
                    "positive integers."
                )

    def _fit(self, X: pd.DataFrame, context: pd.DataFrame | None) -> None:
        self._check_params()
        self.device_ = resolve_device(self.device)
        run = None
        stored = None
        if self.checkpoint_dir is not None:
            run = TrainingRun(self.checkpoint_dir, fingerprint(self, X, context),
                              type(self).__name__)
            stored = run.read()
            if stored is not None and not isinstance(self.random_state, int):
                self.seed_ = int(stored["seed"])
        train, valid = self._split(len(X))
        if stored is not None:
            self.transformer_ = stored["extra"]["transformer"]
            self.context_transformer_ = stored["extra"]["context_transformer"]
        else:
            self.transformer_ = self._new_transformer("table").fit(X)
            self.context_transformer_ = (None if context is None
                                         else self._new_transformer("context").fit(context))
        data = np.asarray(self.transformer_.transform(X), dtype=np.float32)
        context_data = np.zeros((len(X), 0), dtype=np.float32)
        if context is not None:
            context_data = np.asarray(self.context_transformer_.transform(context),
                                      dtype=np.float32)
        self.spans_ = list(self.transformer_.output_info_)
        self.context_dim_ = context_data.shape[1]

        validation = None
        if valid is not None:
            scorer = _Validator(self, X.iloc[valid].reset_index(drop=True), context_data[valid])
            validation = ValidationCheckpoint(scorer, int(self.validation_interval),
                                              self.patience, module=self._TRAINED_MODULE)
        net, training = self._build_net(data[train], context_data[train], context is not None,
                                        self._callbacks(validation, run))
        self.net_ = net
        net.initialize()
        epochs = int(self.epochs)
        if run is not None:
            run.seed = int(self.seed_)
            run.validation = validation
            run.extra = {"transformer": self.transformer_,
                         "context_transformer": self.context_transformer_}
        remaining = epochs if stored is None else run.restore(net, stored, epochs)
        if stored is not None:
            logger.info("%s resumes from %s at epoch %d (%d epochs to run)",
                        type(self).__name__, run.path, len(net.history), remaining)
        net.partial_fit(training, epochs=remaining)
        self.history_ = net.history_
        self._check_history()
        finished = len(self.history_) >= epochs or bool(validation and validation.should_stop_)
        if run is not None and finished:
            run.write(net, finished=True)
        self._keep_trained(net)
        if validation is not None and validation.best_epoch_ is not None:
            self.best_epoch_ = int(validation.best_epoch_)
            self.best_score_: float | None = float(validation.best_score_)
        else:
            self.best_epoch_ = len(self.history_)
            self.best_score_ = None
        logger.info(
            "%s fitted on %d rows x %d columns in %d epochs; kept epoch %d (score %s)",
            type(self).__name__, len(X), X.shape[1], len(self.history_), self.best_epoch_,
            self.best_score_,
        )

    def _callbacks(self, validation: ValidationCheckpoint | None,
                   run: TrainingRun | None) -> list[Any]:
        """Built-in callbacks in order, then the user's, then early stopping."""
        keys = (*self._METRICS, "val_score")
        callbacks: list[Any] = []
        if validation is not None:
            callbacks.append(("validation", validation))
        callbacks += [("epoch_logger", EpochLogger(keys)),
                      ("progress_bar", EpochProgressBar(keys))]
        if run is not None:
            interval = checked_interval(self.checkpoint_interval, type(self).__name__)
            callbacks.append(("checkpoint", PeriodicCheckpoint(run, interval)))
        callbacks += list(self.callbacks or [])
        if validation is not None and self.patience is not None:
            callbacks.append(("stop_on_patience", StopOnPatience(validation)))
        return callbacks

    def _check_history(self) -> None:
        """Refuse a fit that recorded no epoch or whose last losses are not finite."""
        name = type(self).__name__
        finished = [row for row in self.history_ if all(k in row for k in self._LOSS_KEYS)]
        if not finished:
            raise TrainingError(
                f"{name} training was interrupted before its first epoch ended; fit again."
            )
        last = finished[-1]
        losses = {key: float(last[key]) for key in self._LOSS_KEYS}
        if not all(math.isfinite(v) for v in losses.values()):
            shown = ", ".join(f"{k}={v}" for k, v in losses.items())
            raise TrainingError(
                f"{name} training diverged ({shown} at epoch {last['epoch']}); "
                f"{self._DIVERGENCE_HINT}"
            )

    def _new_transformer(self, role: str) -> DataTransformer:
        """Clone the transformer template, seeded from the model's seed when it has none."""
        template = self.transformer if self.transformer is not None else DataTransformer()
        transformer = clone(template)
        if transformer.get_params().get("random_state", 0) is None:
            transformer.set_params(random_state=derive_seed(self.seed_, "transformer", role))
        if role == "table":
            transformer.set_params(roles=self.roles, constraints=self.constraints)
        return transformer

    def _split(self, n_rows: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Training and held-out row positions (no hold-out when too few rows)."""
        n_valid = int(round(n_rows * float(self.validation_fraction)))
        if n_valid < 1 or n_rows - n_valid < 1:
            return np.arange(n_rows), None
        order = numpy_generator(derive_seed(self.seed_, "split")).permutation(n_rows)
        return np.sort(order[n_valid:]), np.sort(order[:n_valid])

    def _span_layout(self) -> SpanLayout:
        """Index tables of the output layout on ``device_``, built once per fitted model."""
        cached = getattr(self, "_layout_cache", None)
        if cached is None or cached[0] is not self.spans_ or cached[1] != self.device_:
            cached = (self.spans_, self.device_, SpanLayout(self.spans_, self.device_))
            self._layout_cache = cached
        return cached[2]

    def _encode_context(self, context: pd.DataFrame | None) -> np.ndarray | None:
        """Encode sample-time context with the fitted context transformer."""
        if context is None:
            return None
        return np.asarray(self.context_transformer_.transform(context), dtype=np.float32)

    # ------------------------------------------------------------- metrics

    def training_metrics(self) -> pd.DataFrame:
        """Per-epoch training numbers.

        Returns
        -------
        DataFrame
            One row per epoch: ``epoch``, the model's training terms (see the class
            docstring), ``val_score`` (NaN when not scored that epoch) and ``seconds``.
        """
        self._check_fitted()
        columns: dict[str, list[Any]] = {"epoch": [int(row["epoch"]) for row in self.history_]}
        for key, column in {**self._METRICS, "val_score": "val_score", "dur": "seconds"}.items():
            columns[column] = [float(row.get(key, math.nan)) for row in self.history_]
        return pd.DataFrame(columns)

    # --------------------------------------------------------- persistence

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without ``net_`` (training-time state: optimizers, callbacks) and caches."""
        state = super().__getstate__()
        state.pop("net_", None)
        state.pop("_layout_cache", None)
        return state

    def _neural_state(self) -> dict[str, Any]:
        """State shared by the neural models, for ``_to_state``."""
        return {
            **self._base_state(),
            "transformer": self.transformer_,
            "context_transformer": self.context_transformer_,
            "spans": [[s.column, s.kind, s.activation, s.start, s.width] for s in self.spans_],
            "context_dim": int(self.context_dim_),
            "best_epoch": int(self.best_epoch_),
            "best_score": self.best_score_,
            "history": json.dumps(_epoch_rows(self.history_)),
        }

    def _restore_neural_state(self, state: dict[str, Any]) -> None:
        """Set the attributes saved by :meth:`_neural_state`, for ``_from_state``."""
        self._restore_base_state(state)
        self.transformer_ = state["transformer"]
        self.context_transformer_ = state["context_transformer"]
        self.spans_ = [OutputSpan(c, k, a, int(s), int(w)) for c, k, a, s, w in state["spans"]]
        self.context_dim_ = int(state["context_dim"])
        self.device_ = load_device(self.device)
        self.best_epoch_ = int(state["best_epoch"])
        self.best_score_ = state["best_score"]
        self.history_ = History(json.loads(state["history"]))

    @staticmethod
    def _stored_params(params: dict[str, Any]) -> dict[str, Any]:
        """JSON-able parameters: a non-integer ``random_state`` and a path are simplified."""
        params = dict(params)
        if not isinstance(params.get("random_state"), int | type(None)):
            params["random_state"] = None
        if params.get("checkpoint_dir") is not None:
            params["checkpoint_dir"] = os.fspath(params["checkpoint_dir"])
        if params.get("constraints") is not None:
            params["constraints"] = {str(c): dict(r) for c, r in params["constraints"].items()}
        return params


class _Validator:
    """Scores the network being trained on held-out rows: mean TVD/KS (lower is better)."""

    def __init__(self, model: NeuralModel, real: pd.DataFrame, context: np.ndarray) -> None:
        n = min(len(real), _VALIDATION_ROWS)
        self.model = model
        self.real = real.iloc[:n]
        self.context = context[:n] if model.context_dim_ else None
        self.seed = derive_seed(model.seed_, "validation")

    def __call__(self, net: Any) -> float:
        synthetic = self.model._validation_rows(net, len(self.real), self.context, self.seed)
        distances = column_distances(self.real, synthetic[list(self.real.columns)])
        return float(np.nanmean(distances["distance"].to_numpy(dtype=float)))


def _epoch_rows(history: Any) -> list[dict[str, Any]]:
    """History rows without per-batch records, as plain JSON values."""
    return [{k: (v.item() if isinstance(v, np.generic) else v)
             for k, v in row.items() if k != "batches"} for row in history]


def load_device(device: Any) -> torch.device:
    """Device of a loaded model: its own when available, else the CPU."""
    try:
        return resolve_device(device)
    except DataValidationError:
        return torch.device("cpu")
