"""``TVAE``: the tabular variational autoencoder of Xu et al. (2019) as a SynthoHive estimator."""

from __future__ import annotations

import itertools
import logging
import math
import os
from collections.abc import Mapping, Sequence
from numbers import Real
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch

from synthohive.exceptions import DataValidationError, SerializationError
from synthohive.models._neural import SAMPLE_CHUNK, NeuralModel
from synthohive.models.tvae._net import TrainingData, TVAENet
from synthohive.models.tvae._networks import Decoder
from synthohive.persistence import register_persistable
from synthohive.privacy import PrivacyConfig
from synthohive.transform import DataTransformer
from synthohive.utils._random import derive_seed, torch_generator
from synthohive.utils._validation import Interval, check_params

logger = logging.getLogger(__name__)

_STORED_PARAMS = (
    "epochs", "batch_size", "embedding_dim", "compress_dims", "decompress_dims", "lr",
    "l2scale", "loss_factor", "validation_fraction", "validation_interval", "patience",
    "random_state", "device", "verbose", "checkpoint_dir", "checkpoint_interval",
    "constraints",
)
# sample(conditions=...) draws candidate rows and keeps those that hold the conditions:
# at most this many candidates per requested row, and this many per round.
_MAX_CANDIDATES_PER_ROW = 2000
_ROUND_ROWS = 1 << 20


@register_persistable("TVAE")
class TVAE(NeuralModel):
    """Tabular variational autoencoder (TVAE, Xu et al. 2019) trained with skorch.

    The table is encoded by a :class:`~synthohive.DataTransformer` (mode-specific
    normalisation of numbers, one-hot categories). An encoder maps each transformed row
    (and its encoded parent context) to a Gaussian over a latent code; a decoder maps a
    latent code (and the context) back to a row: a Gaussian with a learned scale per tanh
    column, a categorical distribution per one-hot block. Training maximises the evidence
    lower bound, ``loss_factor`` times the reconstruction log-likelihood minus the KL
    divergence to the standard normal prior, over shuffled mini-batches. Sampling decodes
    standard normal codes and draws each row from the decoder's distribution.

    Compared with :class:`~synthohive.CTGAN`, training is a plain likelihood (no adversary,
    no critic steps), so each epoch is cheaper and convergence steadier; see ``doc/tvae.md``
    for where each model wins on the shipped tables.

    Training runs inside a skorch ``NeuralNet`` (``net_``) with the same machinery as
    CTGAN: ``history_``, callbacks, best-epoch keeping on held-out KS/TVD, structured
    logs, a progress bar and resumable checkpoints.

    Parameters
    ----------
    epochs : int, default=100
        Maximum number of epochs (an epoch visits every training row once).
    batch_size : int, default=500
        Rows per step.
    embedding_dim : int, default=128
        Width of the latent code.
    compress_dims, decompress_dims : tuple of int, default=(128, 128)
        Hidden layer widths of the encoder and the decoder.
    lr : float, default=1e-3
        Adam learning rate.
    l2scale : float, default=1e-5
        Adam weight decay.
    loss_factor : float, default=2.0
        Weight of the reconstruction term against the KL term.
    validation_fraction : float, default=0.1
        Share of rows held out to pick the best epoch (0 disables validation: the last
        epoch's weights are kept).
    validation_interval : int, default=5
        Score the held-out rows every this many epochs.
    patience : int or None, default=6
        Stop after this many validation scorings without improvement; None trains all epochs.
        (On the 20k-row sales table the held-out score and the SDMetrics quality improve
        until about epoch 50, with noisy early scores: a shorter patience stopped at epoch
        25 with quality 0.76 instead of 0.83.)
    random_state : int, RandomState instance or None, default=None
        Seed of every random draw (split, weights, batches, noise, sampling).
    device : {"auto", "cpu", "cuda"} or str, default="auto"
        Where to train and sample; "auto" picks CUDA when available.
    verbose : int, default=0
        ``>= 1`` shows a tqdm progress bar over epochs.
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks, run after the built-in ones. Not stored by :meth:`save`.
    transformer : DataTransformer or None, default=None
        Template of the table (and context) encoder, cloned at fit. Not stored by
        :meth:`save`; the fitted ``transformer_`` and ``context_transformer_`` are.
    checkpoint_dir : str, path-like or None, default=None
        Directory of a resumable fit: a checkpoint is written there every
        ``checkpoint_interval`` epochs and when training ends, and the same ``fit`` called
        again with the same directory continues from it, bit-identically to an
        uninterrupted fit (see :class:`~synthohive.CTGAN` and ``doc/ctgan.md``).
    checkpoint_interval : int or None, default=None
        Epochs between two checkpoints; None writes one whenever the training time since
        the last reaches 25 times that write's duration, so checkpointing costs at most
        about 4 % of the fit (where the fit resumes does not change its result).
    roles, constraints, privacy : optional
        As for :class:`~synthohive.CTGAN`: declared column roles and constraints passed to
        the table encoder (constraints also checked on the training data and on every
        sample), and what ``fit`` does with personal and identifier-like columns before
        training (None protects by default).

    Attributes
    ----------
    transformer_ : DataTransformer
        Fitted table encoder.
    context_transformer_ : DataTransformer or None
        Fitted encoder of the parent context, None without context.
    net_ : TVAENet
        The skorch net used for training (not kept by ``pickle``/``joblib``).
    decoder_ : torch.nn.Module
        Decoder holding the best epoch's weights, in evaluation mode.
    history_ : skorch.history.History
        Per-epoch (and per-batch) training records. :meth:`training_metrics` gives one
        row per epoch: ``epoch``, ``loss`` (``loss_factor * reconstruction + kl``),
        ``reconstruction`` (negative log-likelihood of a row), ``kl`` (KL divergence of
        a row's latent posterior from the prior), ``val_score`` (NaN when not scored) and
        ``seconds``; all are means over the epoch's batches.
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
    >>> from synthohive import TVAE
    >>> iris = load_iris(as_frame=True).frame
    >>> model = TVAE(epochs=2, batch_size=50, random_state=0).fit(iris)
    >>> model.sample(5).shape
    (5, 5)
    """

    _METRICS: ClassVar[dict[str, str]] = {
        "train_loss": "loss", "reconstruction": "reconstruction", "kl": "kl"}
    _LOSS_KEYS: ClassVar[tuple[str, ...]] = ("train_loss", "reconstruction", "kl")
    _DIVERGENCE_HINT: ClassVar[str] = "lower lr or check the data for extreme values."

    def __init__(
        self,
        *,
        epochs: int = 100,
        batch_size: int = 500,
        embedding_dim: int = 128,
        compress_dims: Sequence[int] = (128, 128),
        decompress_dims: Sequence[int] = (128, 128),
        lr: float = 1e-3,
        l2scale: float = 1e-5,
        loss_factor: float = 2.0,
        validation_fraction: float = 0.1,
        validation_interval: int = 5,
        patience: int | None = 6,
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
        self.embedding_dim = embedding_dim
        self.compress_dims = compress_dims
        self.decompress_dims = decompress_dims
        self.lr = lr
        self.l2scale = l2scale
        self.loss_factor = loss_factor
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

    # ------------------------------------------------------------------ fit

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **NeuralModel._COMMON_CONSTRAINTS,
        "compress_dims": [list, tuple],
        "decompress_dims": [list, tuple],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "l2scale": [Interval(Real, 0, None, closed="left")],
        "loss_factor": [Interval(Real, 0, None, closed="neither")],
    }

    def _check_params(self) -> None:
        check_params(self)
        self._check_layer_sizes("compress_dims", "decompress_dims")

    def _build_net(self, data: np.ndarray, context: np.ndarray, with_context: bool,
                   callbacks: list[Any]) -> tuple[TVAENet, TrainingData]:
        device = self.device_
        net = TVAENet(
            spans=self.spans_,
            context_dim=self.context_dim_,
            embedding_dim=int(self.embedding_dim),
            compress_dims=tuple(int(d) for d in self.compress_dims),
            decompress_dims=tuple(int(d) for d in self.decompress_dims),
            lr=float(self.lr),
            l2scale=float(self.l2scale),
            loss_factor=float(self.loss_factor),
            seed=derive_seed(self.seed_, "train"),
            max_epochs=int(self.epochs),
            batch_size=int(self.batch_size),
            device=str(device),
            callbacks=callbacks,
            verbose=int(self.verbose),
        )
        training = TrainingData(data=torch.from_numpy(data).to(device),
                                context=torch.from_numpy(context).to(device))
        return net, training

    def _keep_trained(self, net: TVAENet) -> None:
        self.decoder_ = net.module_.decoder.eval()

    def _validation_rows(self, net: TVAENet, n_rows: int, context: np.ndarray | None,
                         seed: int) -> pd.DataFrame:
        codes, scalars = self._generate(n_rows, context, seed, decoder=net.module_.decoder)
        return self.transformer_.decode(codes, scalars)

    # --------------------------------------------------------------- sample

    def _check_conditions(self, conditions: Any) -> dict[tuple[int, int], tuple[str, Any]]:
        """Validate ``sample(conditions=...)``: discrete columns and values seen in training.

        Every generated row then holds those values: rows are drawn from the model and
        kept when they hold every condition (rejection sampling), which samples the
        model's conditional distribution exactly, for one or several columns.

        Returns
        -------
        dict
            ``{(softmax block, category): (column, value)}`` of each condition.

        Raises
        ------
        DataValidationError
            Not a non-empty dict, a column that is not discrete, or a value unseen in fit.
        """
        if not isinstance(conditions, Mapping) or not conditions:
            raise DataValidationError(
                f"conditions must be a non-empty dict {{column: value}}, got {conditions!r}."
            )
        softmax = [span for span in self.spans_ if span.activation == "softmax"]
        discrete = {span.column: block for block, span in enumerate(softmax)
                    if span.kind == "discrete"}
        required = {}
        for column, value in conditions.items():
            if column not in discrete:
                raise DataValidationError(
                    f"conditions column {column!r} is not a discrete column of this table; "
                    f"discrete columns: {list(discrete)}."
                )
            category = int(self.transformer_.category_index(column, value))
            required[discrete[column], category] = (column, value)
        return required

    def _sample(
        self,
        n_samples: int,
        context: pd.DataFrame | None,
        seed: int,
        conditions: dict[tuple[int, int], tuple[str, Any]] | None = None,
    ) -> pd.DataFrame:
        context_data = self._encode_context(context)
        if conditions is None:
            codes, scalars = self._generate(n_samples, context_data, seed)
        else:
            codes, scalars = self._generate_where(n_samples, context_data, seed, conditions)
        return self.transformer_.decode(codes, scalars)

    def _generate_where(
        self,
        n_rows: int,
        context: np.ndarray | None,
        seed: int,
        required: dict[tuple[int, int], tuple[str, Any]],
    ) -> tuple[np.ndarray, np.ndarray]:
        """Generate rows that hold every ``(block, category)`` key of ``required``.

        Rounds of candidates are drawn for the rows still missing (with context, from
        their own context rows), as many per row as the acceptance rate seen so far
        suggests; each row keeps its first accepted candidate.

        Raises
        ------
        DataValidationError
            If the model generates the conditions too rarely to fill the rows within
            ``_MAX_CANDIDATES_PER_ROW`` candidates per row.
        """
        blocks = np.array([b for b, _ in required])
        categories = np.array([c for _, c in required])
        codes = scalars = None
        missing = np.arange(n_rows)
        drawn = accepted = 0
        per_row = 1
        for attempt in itertools.count():
            rate = accepted / drawn if accepted else 1.0 / max(per_row * 4, 4)
            per_row = int(min(max(math.ceil(1.5 / rate), 1), _MAX_CANDIDATES_PER_ROW,
                              max(_ROUND_ROWS // len(missing), 1)))
            candidates = np.repeat(missing, per_row)
            round_context = None if context is None else context[candidates]
            cand_codes, cand_scalars = self._generate(
                len(candidates), round_context, derive_seed(seed, "conditions", attempt))
            if codes is None:
                codes = np.empty((n_rows, cand_codes.shape[1]), dtype=cand_codes.dtype)
                scalars = np.empty((n_rows, cand_scalars.shape[1]), dtype=cand_scalars.dtype)
            hits = (cand_codes[:, blocks] == categories).all(axis=1).reshape(-1, per_row)
            drawn += hits.size
            accepted += int(hits.sum())
            found = hits.any(axis=1)
            first = np.flatnonzero(found) * per_row + hits[found].argmax(axis=1)
            codes[missing[found]] = cand_codes[first]
            scalars[missing[found]] = cand_scalars[first]
            missing = missing[~found]
            if not len(missing):
                return codes, scalars
            if drawn >= _MAX_CANDIDATES_PER_ROW * n_rows:
                break
        shown = dict(required.values())
        raise DataValidationError(
            f"TVAE generates rows with conditions {shown!r} too rarely "
            f"({accepted} of {drawn} candidate rows) to fill {n_rows} rows; ask for fewer "
            "rows, condition on fewer columns, or use CTGAN, which conditions its generator."
        )

    def _generate(
        self,
        n_rows: int,
        context: np.ndarray | None,
        seed: int,
        decoder: Decoder | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Generate rows in compact form: one code per softmax span, scalars of tanh spans.

        Latent codes are standard normal; each softmax block's category is drawn from the
        decoder's softmax, each scalar from a Gaussian of the decoder's ``sigma`` around
        the tanh of its output. Runs the :class:`FrozenDecoder` in chunks of
        ``SAMPLE_CHUNK[device]`` rows.
        """
        frozen = (self.decoder_ if decoder is None else decoder).freeze()
        device = self.device_
        layout = self._span_layout()
        sigma = frozen.sigma[layout.tanh_index]
        rng = torch_generator(derive_seed(seed, "noise"), device)
        latent_dim = frozen.weights[0].shape[1] - self.context_dim_
        codes = np.empty((n_rows, layout.n_blocks), dtype=np.int64)
        scalars = np.empty((n_rows, layout.tanh_index.numel()), dtype=np.float32)
        chunk = SAMPLE_CHUNK[device.type]
        with torch.no_grad():
            for start in range(0, n_rows, chunk):
                stop = min(start + chunk, n_rows)
                ctx = (torch.from_numpy(context[start:stop]).to(device) if context is not None
                       else torch.zeros((stop - start, 0), device=device))
                latent = torch.randn((stop - start, latent_dim), generator=rng, device=device)
                chunk_codes, chunk_scalars = layout.draw(frozen(latent, ctx), rng)
                noise = torch.randn(chunk_scalars.shape, generator=rng, device=device)
                chunk_scalars = (chunk_scalars + noise * sigma).clamp_(-1.0, 1.0)
                codes[start:stop] = chunk_codes.cpu().numpy()
                scalars[start:stop] = chunk_scalars.cpu().numpy()
        return codes, scalars

    # --------------------------------------------------------- persistence

    def _to_state(self) -> dict[str, Any]:
        params = self._stored_params({name: getattr(self, name) for name in _STORED_PARAMS})
        params["compress_dims"] = [int(d) for d in self.compress_dims]
        params["decompress_dims"] = [int(d) for d in self.decompress_dims]
        return {
            "params": params,
            **self._neural_state(),
            "decoder_input": int(self.decoder_.body[0].in_features),
            "decoder": dict(self.decoder_.state_dict()),
        }

    @classmethod
    def _from_state(cls, state: dict[str, Any]) -> TVAE:
        params = dict(state["params"])
        params["compress_dims"] = tuple(params["compress_dims"])
        params["decompress_dims"] = tuple(params["decompress_dims"])
        model = cls(**params)
        model._restore_neural_state(state)
        data_dim = max((s.stop for s in model.spans_), default=0)
        decoder = Decoder(int(state["decoder_input"]), params["decompress_dims"], data_dim)
        try:
            decoder.load_state_dict(state["decoder"])
        except RuntimeError as exc:
            raise SerializationError(
                f"The TVAE artifact's decoder weights do not fit its layout: {exc}"
            ) from exc
        model.decoder_ = decoder.to(model.device_).eval()
        return model
