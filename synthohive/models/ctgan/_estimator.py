"""``CTGAN``: the conditional tabular GAN of Xu et al. (2019) as a SynthoHive estimator."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any

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
from synthohive.exceptions import DataValidationError, SerializationError, TrainingError
from synthohive.metrics import column_distances
from synthohive.models._torch import SpanLayout, resolve_device
from synthohive.models.base import ConditionalGenerativeModel
from synthohive.models.ctgan._net import CTGANNet, TrainingData
from synthohive.models.ctgan._networks import Generator
from synthohive.models.ctgan._sampler import (
    CondVector,
    TrainingSampler,
    category_codes,
    discrete_blocks,
)
from synthohive.persistence import register_persistable
from synthohive.privacy import PrivacyConfig
from synthohive.transform import DataTransformer, OutputSpan
from synthohive.utils._random import derive_seed, numpy_generator, torch_generator
from synthohive.utils._validation import Interval, check_params

logger = logging.getLogger(__name__)

# Rows generated per step: small on the CPU (buffers stay in cache and are reused without
# page faults), large on a GPU (fewer kernel launches).
_SAMPLE_CHUNK = {"cpu": 4096, "cuda": 65536}
_VALIDATION_ROWS = 5000
_UNCONDITIONED_WITH_CONTEXT = 0.5
_STORED_PARAMS = (
    "epochs", "batch_size", "pac", "embedding_dim", "generator_dim", "discriminator_dim",
    "generator_lr", "discriminator_lr", "generator_decay", "discriminator_decay",
    "discriminator_steps", "log_frequency", "validation_fraction", "validation_interval",
    "patience", "random_state", "device", "verbose", "constraints",
)


@register_persistable("CTGAN")
class CTGAN(ConditionalGenerativeModel):
    """Conditional tabular GAN (CTGAN, Xu et al. 2019) trained with skorch.

    The table is encoded by a :class:`~synthohive.DataTransformer` (mode-specific
    normalisation of numbers, one-hot categories). A residual generator maps noise, a
    conditional vector and (optionally) the encoded parent context to rows; a PacGAN critic
    trained with the WGAN gradient penalty scores groups of ``pac`` rows. Training-by-sampling
    picks a discrete column and a category (by log-frequency) for every row of a batch and a
    real row with that category, and a cross-entropy term makes the generator honour the
    condition. One-hot blocks pass through a Gumbel-softmax.

    Training runs inside a skorch ``NeuralNet`` (``net_``): skorch gives the epoch loop,
    ``history_``, callbacks and device handling; the net's ``train_step`` runs the critic
    step(s) and the generator step, each on its own fresh draw of rows (and context).

    Parameters
    ----------
    epochs : int, default=20
        Maximum number of epochs (an epoch is ``n_rows // batch_size`` generator steps).
        With the default learning rates and validation checkpointing, 20 epochs on a
        20k-row table beat the quality the ``ctgan`` package gets in 50 epochs at its 2e-4
        rates (see ``benchmarks/bench_ctgan.py`` and ``doc/ctgan.md``). Small tables have
        few steps per epoch: give them more epochs.
    batch_size : int, default=500
        Rows per step; a multiple of ``pac``.
    pac : int, default=10
        Rows the critic scores together (PacGAN).
    embedding_dim : int, default=128
        Width of the generator's noise input.
    generator_dim, discriminator_dim : tuple of int, default=(256, 256)
        Hidden layer widths.
    generator_lr, discriminator_lr : float, default=1e-3
        Adam learning rates (five times the original paper's 2e-4: with the gradient
        penalty and the best-epoch checkpoint this converges in far fewer epochs).
    generator_decay, discriminator_decay : float, default=1e-6
        Adam weight decay.
    discriminator_steps : int, default=1
        Critic updates per generator update.
    log_frequency : bool, default=True
        Draw training conditions by log-frequency (True) or frequency of categories.
    validation_fraction : float, default=0.1
        Share of rows held out to pick the best epoch (0 disables validation: the last
        epoch's weights are kept).
    validation_interval : int, default=4
        Score the held-out rows every this many epochs.
    patience : int or None, default=4
        Stop after this many validation scorings without improvement; None trains all epochs.
    random_state : int, RandomState instance or None, default=None
        Seed of every random draw (split, weights, batches, noise, sampling).
    device : {"auto", "cpu", "cuda"} or str, default="auto"
        Where to train and sample; "auto" picks CUDA when available.
    verbose : int, default=0
        ``>= 1`` shows a tqdm progress bar over epochs.
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (instances or ``(name, callback)`` pairs), run after the
        built-in ones (timer, loss scoring, validation checkpoint, logging, progress bar).
        Callbacks are not stored by :meth:`save` (a loaded model has ``callbacks=None``).
    transformer : DataTransformer or None, default=None
        Template of the table encoder, cloned at fit (None: ``DataTransformer()``). The
        context encoder is a clone of it too. Not stored by :meth:`save`; the fitted
        ``transformer_`` and ``context_transformer_`` are.
    roles : dict of str to str or None, default=None
        Declared roles ``{column: "categorical" | "numeric" | "datetime"}`` of columns of
        ``X`` (the schema's roles), passed to the table encoder (see
        :class:`~synthohive.DataTransformer`): an integer column with role
        ``"categorical"`` comes out as categories seen in training. Not stored by
        :meth:`save` (the fitted encoder is).
    constraints : dict of str to dict or None, default=None
        Declared constraints ``{column: {"min": …, "max": …, "allowed": […]}}`` (the
        schema's format): ``fit`` refuses training data that breaks one, listing every
        breach; the table encoder ends each continuous column's scale at its declared
        bounds, and ``sample`` checks its output (``ConstraintViolationError``).
    privacy : PrivacyConfig or None, default=None
        What ``fit`` does with personal and identifier-like columns before training (see
        :mod:`synthohive.privacy`); None protects by default (detected columns faked). Not
        stored in the artifact (the secret never is).

    Attributes
    ----------
    transformer_ : DataTransformer
        Fitted table encoder.
    context_transformer_ : DataTransformer or None
        Fitted encoder of the parent context, None without context.
    net_ : CTGANNet
        The skorch net used for training (not kept by ``pickle``/``joblib``: it holds
        training-time state; ``generator_`` and ``history_`` are).
    generator_ : torch.nn.Module
        Generator holding the best epoch's weights, in evaluation mode.
    history_ : skorch.history.History
        Per-epoch (and per-batch) training records.
    best_epoch_ : int
        Epoch whose weights are kept (the best validation score, or the last epoch).
    best_score_ : float or None
        Validation score (mean TVD/KS over columns, lower is better) of ``best_epoch_``.
    device_ : torch.device
        Device used for training and sampling.
    columns_, dtypes_, context_columns_, n_rows_, seed_
        See :class:`~synthohive.ConditionalGenerativeModel`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from synthohive import CTGAN
    >>> iris = load_iris(as_frame=True).frame
    >>> model = CTGAN(epochs=2, batch_size=50, random_state=0).fit(iris)
    >>> model.sample(5).shape
    (5, 5)
    """

    def __init__(
        self,
        *,
        epochs: int = 20,
        batch_size: int = 500,
        pac: int = 10,
        embedding_dim: int = 128,
        generator_dim: Sequence[int] = (256, 256),
        discriminator_dim: Sequence[int] = (256, 256),
        generator_lr: float = 1e-3,
        discriminator_lr: float = 1e-3,
        generator_decay: float = 1e-6,
        discriminator_decay: float = 1e-6,
        discriminator_steps: int = 1,
        log_frequency: bool = True,
        validation_fraction: float = 0.1,
        validation_interval: int = 4,
        patience: int | None = 4,
        random_state: int | np.random.RandomState | None = None,
        device: str = "auto",
        verbose: int = 0,
        callbacks: list[Any] | None = None,
        transformer: DataTransformer | None = None,
        roles: dict[str, str] | None = None,
        constraints: dict[str, dict[str, Any]] | None = None,
        privacy: PrivacyConfig | None = None,
    ) -> None:
        self.epochs = epochs
        self.batch_size = batch_size
        self.pac = pac
        self.embedding_dim = embedding_dim
        self.generator_dim = generator_dim
        self.discriminator_dim = discriminator_dim
        self.generator_lr = generator_lr
        self.discriminator_lr = discriminator_lr
        self.generator_decay = generator_decay
        self.discriminator_decay = discriminator_decay
        self.discriminator_steps = discriminator_steps
        self.log_frequency = log_frequency
        self.validation_fraction = validation_fraction
        self.validation_interval = validation_interval
        self.patience = patience
        self.random_state = random_state
        self.device = device
        self.verbose = verbose
        self.callbacks = callbacks
        self.transformer = transformer
        self.roles = roles
        self.constraints = constraints
        self.privacy = privacy

    # ------------------------------------------------------------------ fit

    _parameter_constraints: dict[str, list[Any]] = {
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "pac": [Interval(Integral, 1, None, closed="left")],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "generator_dim": [list, tuple],
        "discriminator_dim": [list, tuple],
        "generator_lr": [Interval(Real, 0, None, closed="neither")],
        "discriminator_lr": [Interval(Real, 0, None, closed="neither")],
        "generator_decay": [Interval(Real, 0, None, closed="left")],
        "discriminator_decay": [Interval(Real, 0, None, closed="left")],
        "discriminator_steps": [Interval(Integral, 1, None, closed="left")],
        "log_frequency": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "validation_interval": [Interval(Integral, 1, None, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "device": [str],
        "verbose": ["verbose"],
        "callbacks": [list, tuple, None],
        "transformer": [DataTransformer, None],
        "roles": [dict, None],
        "constraints": [dict, None],
        "privacy": [PrivacyConfig, None],
    }

    def _check_params(self) -> None:
        check_params(self)
        if self.batch_size % self.pac != 0:
            raise DataValidationError(
                f"CTGAN batch_size={self.batch_size} must be a multiple of pac={self.pac}."
            )
        for name in ("generator_dim", "discriminator_dim"):
            dims = getattr(self, name)
            if not all(isinstance(d, Integral) and not isinstance(d, bool) and d > 0
                       for d in dims):
                raise DataValidationError(
                    f"CTGAN parameter {name}={dims!r} must be a sequence of positive integers."
                )

    def _fit(self, X: pd.DataFrame, context: pd.DataFrame | None) -> None:
        self._check_params()
        self.device_ = resolve_device(self.device)
        train, valid = self._split(len(X))
        self.transformer_ = self._new_transformer("table").fit(X)
        data = np.asarray(self.transformer_.transform(X), dtype=np.float32)
        self.context_transformer_ = None
        context_data = np.zeros((len(X), 0), dtype=np.float32)
        if context is not None:
            self.context_transformer_ = self._new_transformer("context").fit(context)
            context_data = np.asarray(
                self.context_transformer_.transform(context), dtype=np.float32
            )
        self.spans_ = list(self.transformer_.output_info_)
        blocks = discrete_blocks(self.spans_)
        codes = category_codes(data[train], blocks)
        counts = np.concatenate(
            [np.bincount(codes[:, j], minlength=b.width) for j, b in enumerate(blocks)]
        ) if blocks else np.zeros(0, dtype=np.int64)
        self.cond_ = CondVector([b.width for b in blocks], counts)
        self.context_dim_ = context_data.shape[1]
        unconditioned = _UNCONDITIONED_WITH_CONTEXT if context is not None else 0.0
        sampler = TrainingSampler(self.cond_, codes, unconditioned, bool(self.log_frequency))

        callbacks: list[Any] = []
        checkpoint = None
        if valid is not None:
            validator = _Validator(self, X.iloc[valid].reset_index(drop=True),
                                   context_data[valid])
            checkpoint = ValidationCheckpoint(
                validator, self.validation_interval, self.patience, module="generator_"
            )
            callbacks.append(("validation", checkpoint))
        callbacks += [("epoch_logger", EpochLogger()), ("progress_bar", EpochProgressBar())]
        callbacks += list(self.callbacks or [])
        if checkpoint is not None and self.patience is not None:
            callbacks.append(("stop_on_patience", StopOnPatience(checkpoint)))

        device = self.device_
        self.net_ = CTGANNet(
            spans=self.spans_,
            cond=self.cond_,
            context_dim=self.context_dim_,
            embedding_dim=int(self.embedding_dim),
            generator_dim=tuple(int(d) for d in self.generator_dim),
            discriminator_dim=tuple(int(d) for d in self.discriminator_dim),
            pac=int(self.pac),
            generator_lr=float(self.generator_lr),
            generator_decay=float(self.generator_decay),
            discriminator_lr=float(self.discriminator_lr),
            discriminator_decay=float(self.discriminator_decay),
            discriminator_steps=int(self.discriminator_steps),
            steps_per_epoch=max(len(train) // int(self.batch_size), 1),
            seed=derive_seed(self.seed_, "train"),
            max_epochs=int(self.epochs),
            batch_size=int(self.batch_size),
            device=str(device),
            callbacks=callbacks,
            verbose=int(self.verbose),
        )
        training = TrainingData(
            data=torch.from_numpy(data[train]).to(device),
            context=torch.from_numpy(context_data[train]).to(device),
            sampler=sampler,
        )
        self.net_.fit(training)
        self.history_ = self.net_.history_
        finished = [row for row in self.history_ if "loss_g" in row]
        if not finished:
            raise TrainingError(
                "CTGAN training was interrupted before its first epoch ended; fit again."
            )
        last = finished[-1]
        if not (math.isfinite(last["loss_g"]) and math.isfinite(last["loss_d"])):
            raise TrainingError(
                f"CTGAN training diverged (loss_g={last['loss_g']}, loss_d={last['loss_d']} "
                f"at epoch {last['epoch']}); lower generator_lr/discriminator_lr or check the "
                "data for extreme values."
            )
        self.generator_ = self.net_.generator_.eval()
        if checkpoint is not None and checkpoint.best_epoch_ is not None:
            self.best_epoch_ = int(checkpoint.best_epoch_)
            self.best_score_: float | None = float(checkpoint.best_score_)
        else:
            self.best_epoch_ = len(self.history_)
            self.best_score_ = None
        logger.info(
            "CTGAN fitted on %d rows x %d columns in %d epochs; kept epoch %d (score %s)",
            len(X), X.shape[1], len(self.history_), self.best_epoch_, self.best_score_,
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

    # --------------------------------------------------------------- sample

    def _check_conditions(self, conditions: Any) -> tuple[int, int]:
        """Validate ``sample(conditions=...)``: one discrete column and a seen value.

        Every generated row then holds that value, and the generator is conditioned on it
        through the conditional vector.

        Returns
        -------
        tuple of int
            The (discrete block, category) the condition fixes.

        Raises
        ------
        DataValidationError
            Not a one-item dict, not a discrete column, or a value unseen in training.
        """
        if not isinstance(conditions, Mapping) or len(conditions) != 1:
            raise DataValidationError(
                f"conditions must be a dict with exactly one discrete column, got "
                f"{conditions!r}; sample once per condition for several columns."
            )
        ((column, value),) = conditions.items()
        blocks = [span.column for span in discrete_blocks(self.spans_)]
        if column not in blocks:
            raise DataValidationError(
                f"conditions column {column!r} is not a discrete column of this table; "
                f"discrete columns: {blocks}."
            )
        category = int(self.transformer_.category_index(column, value))
        return blocks.index(column), category

    def _sample(
        self,
        n_samples: int,
        context: pd.DataFrame | None,
        seed: int,
        conditions: tuple[int, int] | None = None,
    ) -> pd.DataFrame:
        context_data = None
        if context is not None:
            context_data = np.asarray(
                self.context_transformer_.transform(context), dtype=np.float32
            )
        codes, scalars = self._generate(n_samples, context_data, seed, conditions)
        return self.transformer_.decode(codes, scalars)

    def _generate(
        self,
        n_rows: int,
        context: np.ndarray | None,
        seed: int,
        condition: tuple[int, int] | None = None,
        generator: Generator | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Generate rows in compact form: one code per softmax span, tanh scalars.

        The generator runs in evaluation mode (batch norm from running statistics) through
        its :class:`~synthohive.models.ctgan._networks.FrozenGenerator` form, in chunks of
        ``_SAMPLE_CHUNK[device]`` rows.
        """
        module = self.generator_ if generator is None else generator
        device = self.device_
        layout = SpanLayout(self.spans_, device)
        noise_dim = module_input(module) - self.cond_.dim - self.context_dim_
        frozen = module.freeze(noise_dim, self.cond_.dim)
        noise_rng = torch_generator(derive_seed(seed, "noise"), device)
        cond_rng = numpy_generator(derive_seed(seed, "cond"))
        offsets = self.cond_.offsets if self.cond_.n_blocks else np.zeros(1, np.int64)
        codes = np.empty((n_rows, layout.n_blocks), dtype=np.int64)
        scalars = np.empty((n_rows, layout.tanh_index.numel()), dtype=np.float32)
        with torch.no_grad():
            chunk = _SAMPLE_CHUNK[device.type]
            for start in range(0, n_rows, chunk):
                stop = min(start + chunk, n_rows)
                size = stop - start
                if condition is not None:
                    block = np.full(size, condition[0])
                    category = np.full(size, condition[1])
                elif context is not None or not self.cond_.n_blocks:
                    block, category = np.full(size, -1), np.zeros(size, dtype=np.int64)
                else:
                    block, category = self.cond_.draw(size, cond_rng, log=False)
                hot = torch.from_numpy(
                    np.where(block >= 0, offsets[np.maximum(block, 0)] + category, -1)
                ).to(device)
                ctx = (torch.from_numpy(context[start:stop]).to(device) if context is not None
                       else torch.zeros((size, 0), device=device))
                noise = torch.randn((size, noise_dim), generator=noise_rng, device=device)
                chunk_codes, chunk_scalars = layout.draw(frozen(noise, hot, ctx), noise_rng)
                codes[start:stop] = chunk_codes.cpu().numpy()
                scalars[start:stop] = chunk_scalars.cpu().numpy()
        if condition is not None:
            span = discrete_blocks(self.spans_)[condition[0]]
            codes[:, layout.block_bounds.index((span.start, span.stop))] = condition[1]
        return codes, scalars

    # ------------------------------------------------------------- metrics

    def training_metrics(self) -> pd.DataFrame:
        """Per-epoch training numbers.

        Returns
        -------
        DataFrame
            One row per epoch: ``epoch``, ``loss_g``, ``loss_d``, ``val_score`` (NaN when not
            scored that epoch), ``seconds``.
        """
        self._check_fitted()
        return pd.DataFrame(
            {
                "epoch": [int(row["epoch"]) for row in self.history_],
                "loss_g": [float(row.get("loss_g", math.nan)) for row in self.history_],
                "loss_d": [float(row.get("loss_d", math.nan)) for row in self.history_],
                "val_score": [float(row.get("val_score", math.nan)) for row in self.history_],
                "seconds": [float(row.get("dur", math.nan)) for row in self.history_],
            }
        )

    # --------------------------------------------------------- persistence

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without ``net_`` (training-time state: optimizers, callbacks)."""
        state = super().__getstate__()
        state.pop("net_", None)
        return state

    def _to_state(self) -> dict[str, Any]:
        params = {name: getattr(self, name) for name in _STORED_PARAMS}
        params["generator_dim"] = [int(d) for d in self.generator_dim]
        params["discriminator_dim"] = [int(d) for d in self.discriminator_dim]
        if params["constraints"] is not None:
            params["constraints"] = {str(c): dict(r) for c, r in params["constraints"].items()}
        if not isinstance(params["random_state"], int | type(None)):
            params["random_state"] = None
        return {
            "params": params,
            **self._base_state(),
            "transformer": self.transformer_,
            "context_transformer": self.context_transformer_,
            "spans": [[s.column, s.kind, s.activation, s.start, s.width] for s in self.spans_],
            "context_dim": int(self.context_dim_),
            "cond_widths": np.asarray(self.cond_.widths, dtype=np.int64),
            "cond_counts": np.asarray(self.cond_.counts, dtype=np.int64),
            "generator_input": module_input(self.generator_),
            "generator": dict(self.generator_.state_dict()),
            "best_epoch": int(self.best_epoch_),
            "best_score": self.best_score_,
            "history": json.dumps(_epoch_rows(self.history_)),
        }

    @classmethod
    def _from_state(cls, state: dict[str, Any]) -> CTGAN:
        params = dict(state["params"])
        params["generator_dim"] = tuple(params["generator_dim"])
        params["discriminator_dim"] = tuple(params["discriminator_dim"])
        model = cls(**params)
        model._restore_base_state(state)
        model.transformer_ = state["transformer"]
        model.context_transformer_ = state["context_transformer"]
        model.spans_ = [OutputSpan(c, k, a, int(s), int(w)) for c, k, a, s, w in state["spans"]]
        model.context_dim_ = int(state["context_dim"])
        model.cond_ = CondVector(state["cond_widths"], state["cond_counts"])
        model.device_ = _load_device(params["device"])
        data_dim = max((s.stop for s in model.spans_), default=0)
        generator = Generator(int(state["generator_input"]), params["generator_dim"], data_dim)
        try:
            generator.load_state_dict(state["generator"])
        except RuntimeError as exc:
            raise SerializationError(
                f"The CTGAN artifact's generator weights do not fit its layout: {exc}"
            ) from exc
        model.generator_ = generator.to(model.device_).eval()
        model.best_epoch_ = int(state["best_epoch"])
        model.best_score_ = state["best_score"]
        model.history_ = History(json.loads(state["history"]))
        return model


class _Validator:
    """Scores the generator on held-out rows: mean TVD/KS over columns (lower is better)."""

    def __init__(self, model: CTGAN, real: pd.DataFrame, context: np.ndarray) -> None:
        n = min(len(real), _VALIDATION_ROWS)
        self.model = model
        self.real = real.iloc[:n]
        self.context = context[:n] if model.context_dim_ else None
        self.seed = derive_seed(model.seed_, "validation")

    def __call__(self, net: CTGANNet) -> float:
        codes, scalars = self.model._generate(
            len(self.real), self.context, self.seed, generator=net.generator_
        )
        synthetic = self.model.transformer_.decode(codes, scalars)
        distances = column_distances(self.real, synthetic[list(self.real.columns)])
        return float(np.nanmean(distances["distance"].to_numpy(dtype=float)))


def module_input(generator: torch.nn.Module) -> int:
    """Input width of a :class:`Generator` (noise + conditional vector + context)."""
    first = generator.body[0]
    linear = first.linear if hasattr(first, "linear") else first
    return int(linear.in_features)


def _epoch_rows(history: Any) -> list[dict[str, Any]]:
    """History rows without per-batch records, as plain JSON values."""
    rows = []
    for row in history:
        rows.append({k: (v.item() if isinstance(v, np.generic) else v)
                     for k, v in row.items() if k != "batches"})
    return rows


def _load_device(device: Any) -> torch.device:
    """Device of a loaded model: its own when available, else the CPU."""
    try:
        return resolve_device(device)
    except DataValidationError:
        return torch.device("cpu")
