"""The skorch net that trains CTGAN: skorch runs the loop, this class runs one GAN step.

skorch's ``fit_loop`` iterates over ``get_iterator(...)`` and calls ``train_step`` per
batch. Here the iterator is training-by-sampling: each batch holds ``discriminator_steps +
1`` independent draws of ``(row, block, category)`` — one per critic update and a separate,
fresh one for the generator update (REL-01: the generator never reuses the critic's rows or
their context). Noise, Gumbel noise, dropout masks and gradient-penalty mixing come from
the net's own ``torch.Generator``; batch draws from its own ``numpy.random.Generator``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import EpochTimer, PassthroughScoring

from synthohive.models._torch import SpanLayout, build_seeded, padded_index
from synthohive.models.ctgan._losses import conditional_loss, gradient_penalty
from synthohive.models.ctgan._networks import Discriminator, Generator
from synthohive.models.ctgan._sampler import CondVector, TrainingSampler, discrete_blocks
from synthohive.transform import OutputSpan
from synthohive.utils._random import derive_seed, numpy_generator, torch_generator


@dataclass
class TrainingData:
    """Transformed training rows (and encoded context) on the training device."""

    data: torch.Tensor
    context: torch.Tensor
    sampler: TrainingSampler

    def __len__(self) -> int:
        return self.data.shape[0]


class BatchDraws:
    """Iterable over one epoch of training-by-sampling batches.

    Each batch is a dict of long tensors of shape ``(batch_size, updates)``: ``rows``,
    ``block``, ``category``; column ``j`` is the draw for update ``j`` of the step (critic
    updates first, the generator update last). The random state persists across epochs.
    """

    def __init__(
        self,
        sampler: TrainingSampler,
        rng: np.random.Generator,
        batch_size: int,
        steps: int,
        updates: int,
        device: torch.device,
    ) -> None:
        self.sampler = sampler
        self.rng = rng
        self.batch_size = batch_size
        self.steps = steps
        self.updates = updates
        self.device = device

    def __len__(self) -> int:
        return self.steps

    def __iter__(self) -> Iterator[dict[str, torch.Tensor]]:
        for _ in range(self.steps):
            draws = [self.sampler.draw(self.batch_size, self.rng) for _ in range(self.updates)]
            yield {
                name: torch.from_numpy(
                    np.stack([getattr(d, name) for d in draws], axis=1)
                ).to(self.device)
                for name in ("rows", "block", "category")
            }


def generate(
    generator: Generator,
    layout: SpanLayout,
    noise: torch.Tensor,
    cond: torch.Tensor,
    context: torch.Tensor,
    rng: torch.Generator | None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run the generator; return ``(raw logits, activated rows)``.

    Parameters
    ----------
    generator : Generator
        The generator network.
    layout : SpanLayout
        Activation layout of the transformed table.
    noise, cond, context : Tensor
        Generator inputs, concatenated in this order.
    rng : torch.Generator or None
        Gumbel noise source; None for a plain softmax.

    Returns
    -------
    logits, rows : Tensor
        Raw output and activated output.
    """
    logits = generator(torch.cat([noise, cond, context], dim=1))
    return logits, layout.activate(logits, rng)


class CTGANNet(NeuralNet):
    """skorch ``NeuralNet`` holding CTGAN's generator, critic and their two optimizers.

    Internal to :class:`synthohive.CTGAN`, which builds it in ``fit``; ``fit(X)`` takes a
    :class:`TrainingData`.

    Parameters
    ----------
    spans : sequence of OutputSpan
        Output layout of the table's transformer.
    cond : CondVector
        Conditional-vector layout.
    context_dim : int
        Width of the encoded context (0 without context).
    embedding_dim, generator_dim, discriminator_dim, pac : see :class:`synthohive.CTGAN`
    generator_lr, generator_decay, discriminator_lr, discriminator_decay : float
        Adam settings of the two optimizers.
    discriminator_steps : int
        Critic updates per generator update.
    steps_per_epoch : int
        Generator updates per epoch.
    seed : int
        Seed of weights, batch draws and noise.
    **kwargs
        Passed to :class:`skorch.NeuralNet` (``max_epochs``, ``batch_size``, ``device``,
        ``callbacks``, ``verbose``).
    """

    def __init__(
        self,
        *,
        spans: Sequence[OutputSpan],
        cond: CondVector,
        context_dim: int,
        embedding_dim: int,
        generator_dim: Sequence[int],
        discriminator_dim: Sequence[int],
        pac: int,
        generator_lr: float,
        generator_decay: float,
        discriminator_lr: float,
        discriminator_decay: float,
        discriminator_steps: int,
        steps_per_epoch: int,
        seed: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(module=Generator, criterion=None, train_split=None, **kwargs)
        self.spans = spans
        self.cond = cond
        self.context_dim = context_dim
        self.embedding_dim = embedding_dim
        self.generator_dim = generator_dim
        self.discriminator_dim = discriminator_dim
        self.pac = pac
        self.generator_lr = generator_lr
        self.generator_decay = generator_decay
        self.discriminator_lr = discriminator_lr
        self.discriminator_decay = discriminator_decay
        self.discriminator_steps = discriminator_steps
        self.steps_per_epoch = steps_per_epoch
        self.seed = seed

    @property
    def _default_callbacks(self) -> list[tuple[str, Any]]:
        return [
            ("epoch_timer", EpochTimer()),
            ("loss_d", PassthroughScoring(name="loss_d", on_train=True)),
            ("loss_g", PassthroughScoring(name="loss_g", on_train=True)),
            ("gradient_penalty", PassthroughScoring(name="gradient_penalty", on_train=True)),
        ]

    def initialize_module(self) -> CTGANNet:
        """Build ``generator_`` and ``discriminator_`` with seeded weights."""
        device = torch.device(self.device)
        data_dim = max((span.stop for span in self.spans), default=0)
        extra = self.cond.dim + self.context_dim
        self.generator_ = build_seeded(
            lambda: Generator(self.embedding_dim + extra, self.generator_dim, data_dim),
            derive_seed(self.seed, "generator"),
            device,
        )
        self.discriminator_ = build_seeded(
            lambda: Discriminator(data_dim + extra, self.discriminator_dim, self.pac),
            derive_seed(self.seed, "discriminator"),
            device,
        )
        self.layout_ = SpanLayout(self.spans, device)
        self.block_index_, self.block_mask_ = padded_index(discrete_blocks(self.spans), device)
        self.noise_ = torch_generator(derive_seed(self.seed, "noise"), device)
        self.rng_ = numpy_generator(derive_seed(self.seed, "batches"))
        return self

    def initialize_criterion(self) -> CTGANNet:
        """CTGAN's losses are computed in :meth:`train_step`; there is no criterion."""
        return self

    def initialize_optimizer(self, triggered_directly: Any = None) -> CTGANNet:
        """Build ``optimizer_g_`` and ``optimizer_d_`` (Adam, betas 0.5/0.9)."""
        self.optimizer_g_ = torch.optim.Adam(
            self.generator_.parameters(),
            lr=self.generator_lr,
            betas=(0.5, 0.9),
            weight_decay=self.generator_decay,
        )
        self.optimizer_d_ = torch.optim.Adam(
            self.discriminator_.parameters(),
            lr=self.discriminator_lr,
            betas=(0.5, 0.9),
            weight_decay=self.discriminator_decay,
        )
        return self

    def get_dataset(self, X: Any, y: Any = None) -> Any:
        """Training data is passed ready-made as :class:`TrainingData`."""
        return X

    def get_iterator(self, dataset: Any, training: bool = False) -> BatchDraws:
        """Training-by-sampling batches over ``dataset`` (a :class:`TrainingData`)."""
        return BatchDraws(
            dataset.sampler,
            self.rng_,
            self.batch_size,
            self.steps_per_epoch,
            self.discriminator_steps + 1,
            torch.device(self.device),
        )

    def on_train_begin(self, net: Any, X: Any = None, y: Any = None, **kwargs: Any) -> None:
        """Keep a handle on the training data for :meth:`train_step`."""
        self.training_data_ = X

    def on_train_end(self, net: Any, X: Any = None, y: Any = None, **kwargs: Any) -> None:
        """Drop the training data so that a pickled model does not carry it."""
        self.training_data_ = None

    def _inputs(
        self, batch: dict[str, torch.Tensor], update: int
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Real rows, conditional vector, context, block and category of one update's draw."""
        data: TrainingData = self.training_data_
        rows = batch["rows"][:, update]
        block = batch["block"][:, update]
        category = batch["category"][:, update]
        cond = self.cond.encode(block, category)
        return data.data[rows], cond, data.context[rows], block, category

    def _noise(self, n: int) -> torch.Tensor:
        return torch.randn(
            (n, self.embedding_dim), generator=self.noise_, device=self.noise_.device
        )

    def train_step(self, batch: dict[str, torch.Tensor], **fit_params: Any) -> dict[str, Any]:
        """Run ``discriminator_steps`` critic updates, then one generator update.

        Each update uses its own column of draws from ``batch``; the generator update's
        real rows and context are a fresh draw, never the critic's last batch.

        Returns
        -------
        dict
            ``loss`` (the generator loss, for skorch's ``train_loss``) and ``y_pred``
            (None); ``loss_g``, ``loss_d`` and ``gradient_penalty`` (of the last critic
            update) are recorded in the batch history.
        """
        self._set_training(True)
        generator, critic = self.generator_, self.discriminator_
        n = batch["rows"].shape[0]
        loss_d = penalty = torch.zeros(())
        for update in range(self.discriminator_steps):
            real, cond, context, _, _ = self._inputs(batch, update)
            with torch.no_grad():
                _, fake = generate(generator, self.layout_, self._noise(n), cond, context,
                                   self.noise_)
            real_in = torch.cat([real, cond, context], dim=1)
            fake_in = torch.cat([fake, cond, context], dim=1)
            scores = critic(torch.cat([fake_in, real_in]), self.noise_)
            half = scores.shape[0] // 2
            loss_d = scores[:half].mean() - scores[half:].mean()
            penalty = gradient_penalty(critic, real_in, fake_in, self.noise_)
            self.optimizer_d_.zero_grad(set_to_none=True)
            (loss_d + penalty).backward()
            self.optimizer_d_.step()

        _, cond, context, block, category = self._inputs(batch, self.discriminator_steps)
        logits, fake = generate(generator, self.layout_, self._noise(n), cond, context,
                                self.noise_)
        score = critic(torch.cat([fake, cond, context], dim=1), self.noise_)
        loss_g = -score.mean() + conditional_loss(
            logits, self.block_index_, self.block_mask_, block, category
        )
        self.optimizer_g_.zero_grad(set_to_none=True)
        loss_g.backward()
        self.optimizer_g_.step()

        loss_g = loss_g.detach()
        self.history.record_batch("loss_g", float(loss_g))
        self.history.record_batch("loss_d", float(loss_d.detach()))
        self.history.record_batch("gradient_penalty", float(penalty.detach()))
        return {"loss": loss_g, "y_pred": None}
