"""``CTGAN``: the conditional tabular GAN of Xu et al. (2019) as a SynthoHive estimator."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch

from synthohive.exceptions import DataValidationError, SerializationError
from synthohive.models._neural import SAMPLE_CHUNK, NeuralModel
from synthohive.models._torch import SpanLayout
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
from synthohive.transform import DataTransformer
from synthohive.utils._random import derive_seed, numpy_generator, torch_generator
from synthohive.utils._validation import Interval, check_params

logger = logging.getLogger(__name__)

_UNCONDITIONED_WITH_CONTEXT = 0.5
_STORED_PARAMS = (
    "epochs", "batch_size", "pac", "embedding_dim", "generator_dim", "discriminator_dim",
    "generator_lr", "discriminator_lr", "generator_decay", "discriminator_decay",
    "discriminator_steps", "log_frequency", "validation_fraction", "validation_interval",
    "patience", "random_state", "device", "verbose", "checkpoint_dir", "checkpoint_interval",
    "constraints",
)


@register_persistable("CTGAN")
class CTGAN(NeuralModel):
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
        With validation checkpointing, 20 epochs on a 20k-row table beat the quality the
        ``ctgan`` package gets in 50 epochs at the same learning rates (see
        ``benchmarks/bench_ctgan.py`` and ``doc/ctgan.md``). Small tables have few steps
        per epoch: give them more epochs.
    batch_size : int, default=500
        Rows per step; a multiple of ``pac``.
    pac : int, default=10
        Rows the critic scores together (PacGAN).
    embedding_dim : int, default=128
        Width of the generator's noise input.
    generator_dim, discriminator_dim : tuple of int, default=(256, 256)
        Hidden layer widths.
    generator_lr, discriminator_lr : float, default=2e-4
        Adam learning rates (the original paper's). A generator rate of 1e-3 learns less
        per epoch: at equal epochs it lost up to 0.13 of SDMetrics quality on the benchmark
        tables (``doc/ctgan.md``, "Equal epochs on unseen data").
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
    checkpoint_dir : str, path-like or None, default=None
        Directory of a resumable fit (CHK-01): a checkpoint (weights, optimizer and random
        generator states, history, best-so-far validation state) is written there every
        ``checkpoint_interval`` epochs and when training ends, and the same ``fit`` called
        again with the same directory continues from it, giving a model bit-identical to an
        uninterrupted fit. A checkpoint of another table or other parameters is refused.
        See ``doc/ctgan.md``.
    checkpoint_interval : int or None, default=None
        Epochs between two checkpoints; None writes one whenever the training time since
        the last reaches 25 times that write's duration, so checkpointing costs at most
        about 4 % of the fit (where the fit resumes does not change its result).
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
        Per-epoch (and per-batch) training records. :meth:`training_metrics` gives one
        row per epoch: ``epoch``, ``loss_g`` (generator loss: critic score plus the
        conditional cross-entropy), ``loss_d`` (critic's Wasserstein loss),
        ``gradient_penalty`` (its WGAN-GP term), ``val_score`` (NaN when not scored) and
        ``seconds``; all losses are means over the epoch's steps.
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
        generator_lr: float = 2e-4,
        discriminator_lr: float = 2e-4,
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
        checkpoint_dir: str | os.PathLike[str] | None = None,
        checkpoint_interval: int | None = None,
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
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_interval = checkpoint_interval
        self.roles = roles
        self.constraints = constraints
        self.privacy = privacy

    _METRICS: ClassVar[dict[str, str]] = {
        "loss_g": "loss_g", "loss_d": "loss_d", "gradient_penalty": "gradient_penalty"}
    _LOSS_KEYS: ClassVar[tuple[str, ...]] = ("loss_g", "loss_d")
    _DIVERGENCE_HINT: ClassVar[str] = (
        "lower generator_lr/discriminator_lr or check the data for extreme values.")
    _TRAINED_MODULE: ClassVar[str] = "generator_"

    # ------------------------------------------------------------------ fit

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **NeuralModel._COMMON_CONSTRAINTS,
        "pac": [Interval(Integral, 1, None, closed="left")],
        "generator_dim": [list, tuple],
        "discriminator_dim": [list, tuple],
        "generator_lr": [Interval(Real, 0, None, closed="neither")],
        "discriminator_lr": [Interval(Real, 0, None, closed="neither")],
        "generator_decay": [Interval(Real, 0, None, closed="left")],
        "discriminator_decay": [Interval(Real, 0, None, closed="left")],
        "discriminator_steps": [Interval(Integral, 1, None, closed="left")],
        "log_frequency": ["boolean"],
    }

    def _check_params(self) -> None:
        check_params(self)
        if self.batch_size % self.pac != 0:
            raise DataValidationError(
                f"CTGAN batch_size={self.batch_size} must be a multiple of pac={self.pac}."
            )
        self._check_layer_sizes("generator_dim", "discriminator_dim")

    def _build_net(self, data: np.ndarray, context: np.ndarray, with_context: bool,
                   callbacks: list[Any]) -> tuple[CTGANNet, TrainingData]:
        blocks = discrete_blocks(self.spans_)
        codes = category_codes(data, blocks)
        counts = np.concatenate(
            [np.bincount(codes[:, j], minlength=b.width) for j, b in enumerate(blocks)]
        ) if blocks else np.zeros(0, dtype=np.int64)
        self.cond_ = CondVector([b.width for b in blocks], counts)
        unconditioned = _UNCONDITIONED_WITH_CONTEXT if with_context else 0.0
        sampler = TrainingSampler(self.cond_, codes, unconditioned, bool(self.log_frequency))
        device = self.device_
        net = CTGANNet(
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
            steps_per_epoch=max(len(data) // int(self.batch_size), 1),
            seed=derive_seed(self.seed_, "train"),
            max_epochs=int(self.epochs),
            batch_size=int(self.batch_size),
            device=str(device),
            callbacks=callbacks,
            verbose=int(self.verbose),
        )
        training = TrainingData(
            data=torch.from_numpy(data).to(device),
            context=torch.from_numpy(context).to(device),
            sampler=sampler,
        )
        return net, training

    def _keep_trained(self, net: CTGANNet) -> None:
        self.generator_ = net.generator_.eval()

    def _validation_rows(self, net: CTGANNet, n_rows: int, context: np.ndarray | None,
                         seed: int) -> pd.DataFrame:
        codes, scalars = self._generate(n_rows, context, seed, generator=net.generator_)
        return self.transformer_.decode(codes, scalars)

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
        codes, scalars = self._generate(n_samples, self._encode_context(context), seed,
                                        conditions)
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
        ``SAMPLE_CHUNK[device]`` rows.
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
            chunk = SAMPLE_CHUNK[device.type]
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

    # --------------------------------------------------------- persistence

    def _to_state(self) -> dict[str, Any]:
        params = self._stored_params({name: getattr(self, name) for name in _STORED_PARAMS})
        params["generator_dim"] = [int(d) for d in self.generator_dim]
        params["discriminator_dim"] = [int(d) for d in self.discriminator_dim]
        return {
            "params": params,
            **self._neural_state(),
            "cond_widths": np.asarray(self.cond_.widths, dtype=np.int64),
            "cond_counts": np.asarray(self.cond_.counts, dtype=np.int64),
            "generator_input": module_input(self.generator_),
            "generator": dict(self.generator_.state_dict()),
        }

    @classmethod
    def _from_state(cls, state: dict[str, Any]) -> CTGAN:
        params = dict(state["params"])
        params["generator_dim"] = tuple(params["generator_dim"])
        params["discriminator_dim"] = tuple(params["discriminator_dim"])
        model = cls(**params)
        model._restore_neural_state(state)
        model.cond_ = CondVector(state["cond_widths"], state["cond_counts"])
        data_dim = max((s.stop for s in model.spans_), default=0)
        generator = Generator(int(state["generator_input"]), params["generator_dim"], data_dim)
        try:
            generator.load_state_dict(state["generator"])
        except RuntimeError as exc:
            raise SerializationError(
                f"The CTGAN artifact's generator weights do not fit its layout: {exc}"
            ) from exc
        model.generator_ = generator.to(model.device_).eval()
        return model


def module_input(generator: torch.nn.Module) -> int:
    """Input width of a :class:`Generator` (noise + conditional vector + context)."""
    first = generator.body[0]
    linear = first.linear if hasattr(first, "linear") else first
    return int(linear.in_features)
