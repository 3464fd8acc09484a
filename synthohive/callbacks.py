"""skorch callbacks used by SynthoHive's neural models: progress, epoch logs, checkpoints.

They work on any skorch net whose history records per-epoch values (``loss_g``, ``loss_d``,
``val_score`` …); users can pass their own skorch callbacks next to them through a model's
``callbacks`` parameter.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
from skorch.callbacks import Callback
from tqdm.auto import tqdm

logger = logging.getLogger(__name__)

DEFAULT_KEYS = ("loss_g", "loss_d", "val_score")


def _epoch_values(net: Any, keys: Sequence[str]) -> dict[str, float | None]:
    row = net.history[-1]
    return {key: (float(row[key]) if row.get(key) is not None else None) for key in keys}


def _eta(net: Any) -> float:
    """Seconds left: mean epoch duration times the epochs still to run."""
    durations = [row["dur"] for row in net.history if "dur" in row]
    left = max(int(net.max_epochs) - len(net.history), 0)
    return (sum(durations) / len(durations)) * left if durations else math.nan


class EpochLogger(Callback):
    """Emit one structured ``logging`` record per epoch on logger ``synthohive.callbacks``.

    The record's message is human-readable; its ``extra`` fields are ``epoch``, ``seconds``,
    ``eta`` and one field per key in ``keys`` (None when not recorded that epoch), so that a
    JSON log formatter gets the numbers directly.

    Parameters
    ----------
    keys : sequence of str, default=("loss_g", "loss_d", "val_score")
        History keys to report.
    level : int, default=logging.INFO
        Level of the records.
    """

    def __init__(self, keys: Sequence[str] = DEFAULT_KEYS, level: int = logging.INFO) -> None:
        self.keys = keys
        self.level = level

    def on_epoch_end(self, net: Any, **kwargs: Any) -> None:
        """Log the epoch that just ended."""
        row = net.history[-1]
        values = _epoch_values(net, self.keys)
        fields = {"epoch": int(row["epoch"]), "seconds": float(row.get("dur", math.nan)),
                  "eta": _eta(net), **values}
        shown = " ".join(f"{k}={v:.4f}" for k, v in values.items() if v is not None)
        logger.log(
            self.level,
            "epoch %d/%d %s (%.2fs, eta %.1fs)",
            fields["epoch"],
            net.max_epochs,
            shown,
            fields["seconds"],
            fields["eta"],
            extra=fields,
        )


class EpochProgressBar(Callback):
    """A tqdm bar over epochs with the latest losses and validation score; ETA from tqdm.

    Shown only when the net's ``verbose >= 1``.

    Parameters
    ----------
    keys : sequence of str, default=("loss_g", "loss_d", "val_score")
        History keys shown after the bar.
    """

    def __init__(self, keys: Sequence[str] = DEFAULT_KEYS) -> None:
        self.keys = keys

    def initialize(self) -> EpochProgressBar:
        """Reset the bar."""
        self.bar_ = None
        self.last_: dict[str, float] = {}
        return self

    def on_train_begin(self, net: Any, **kwargs: Any) -> None:
        """Open the bar."""
        self.last_ = {}
        if net.verbose >= 1:
            # A resumed fit starts with the epochs of its checkpoint already done.
            self.bar_ = tqdm(total=int(net.max_epochs), initial=len(net.history), unit="epoch",
                             leave=True)

    def on_epoch_end(self, net: Any, **kwargs: Any) -> None:
        """Advance the bar and show the latest numbers."""
        if self.bar_ is None:
            return
        values = _epoch_values(net, self.keys)
        self.last_.update({k: round(v, 4) for k, v in values.items() if v is not None})
        self.bar_.set_postfix(self.last_, refresh=False)
        self.bar_.update(1)

    def on_train_end(self, net: Any, **kwargs: Any) -> None:
        """Close the bar (also after an early stop)."""
        if self.bar_ is not None:
            self.bar_.close()
        self.bar_ = None


class ValidationCheckpoint(Callback):
    """Score the model every ``interval`` epochs and keep the best module weights.

    The score (lower is better) is recorded in the history as ``val_score``; the epoch with
    the best score gets ``val_best=True``. At the end of training the best weights are
    loaded back into the module, so what the model samples and saves is the best epoch, not
    the last one. After ``patience`` scorings without improvement, :attr:`should_stop_`
    turns True (see :class:`StopOnPatience`).

    Parameters
    ----------
    score_fn : callable
        ``score_fn(net) -> float``; lower is better.
    interval : int, default=1
        Score every ``interval`` epochs (and always at the last epoch).
    patience : int or None, default=None
        Number of scorings without improvement before stopping; None never stops.
    module : str, default="module_"
        Attribute of the net whose weights are checkpointed.

    Attributes
    ----------
    best_score_ : float
        Best score so far (inf before the first scoring).
    best_epoch_ : int or None
        Epoch of the best score.
    should_stop_ : bool
        Whether patience ran out.
    """

    def __init__(
        self,
        score_fn: Callable[[Any], float],
        interval: int = 1,
        patience: int | None = None,
        module: str = "module_",
    ) -> None:
        self.score_fn = score_fn
        self.interval = interval
        self.patience = patience
        self.module = module

    def initialize(self) -> ValidationCheckpoint:
        """Forget the previous run."""
        self.best_score_ = math.inf
        self.best_epoch_: int | None = None
        self.best_state_: dict[str, torch.Tensor] | None = None
        self.misses_ = 0
        self.should_stop_ = False
        return self

    def state_dict(self) -> dict[str, Any]:
        """Return the best-so-far state, for a training checkpoint.

        Returns
        -------
        dict
            ``best_score``, ``best_epoch``, ``best_state`` (weights or None), ``misses``.
        """
        return {"best_score": float(self.best_score_), "best_epoch": self.best_epoch_,
                "best_state": self.best_state_, "misses": int(self.misses_)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from a state written by :meth:`state_dict` (a resumed fit).

        Parameters
        ----------
        state : dict
            As returned by :meth:`state_dict`.
        """
        self.best_score_ = float(state["best_score"])
        self.best_epoch_ = None if state["best_epoch"] is None else int(state["best_epoch"])
        self.best_state_ = state["best_state"]
        self.misses_ = int(state["misses"])
        self.should_stop_ = self.patience is not None and self.misses_ >= self.patience

    def on_epoch_end(self, net: Any, **kwargs: Any) -> None:
        """Score on schedule, remember improvements, count misses."""
        epoch = len(net.history)
        if epoch % self.interval != 0 and epoch != int(net.max_epochs):
            return
        score = float(self.score_fn(net))
        net.history.record("val_score", score)
        if score < self.best_score_:
            self.best_score_, self.best_epoch_, self.misses_ = score, epoch, 0
            state = getattr(net, self.module).state_dict()
            self.best_state_ = {k: v.detach().clone() for k, v in state.items()}
            net.history.record("val_best", True)
        else:
            self.misses_ += 1
            self.should_stop_ = self.patience is not None and self.misses_ >= self.patience

    def on_train_end(self, net: Any, **kwargs: Any) -> None:
        """Put the best weights back into the module."""
        if self.best_state_ is not None:
            getattr(net, self.module).load_state_dict(self.best_state_)


class StopOnPatience(Callback):
    """Stop training (skorch-style, by ``KeyboardInterrupt``) once a checkpoint says so.

    Put it after every callback that should still see the last epoch.

    Parameters
    ----------
    checkpoint : ValidationCheckpoint
        The checkpoint whose ``should_stop_`` is read.
    """

    def __init__(self, checkpoint: ValidationCheckpoint) -> None:
        self.checkpoint = checkpoint

    def on_epoch_end(self, net: Any, **kwargs: Any) -> None:
        """Interrupt the fit loop when patience ran out."""
        if self.checkpoint.should_stop_:
            logger.info(
                "early stop at epoch %d: no better validation score in %d scorings "
                "(best %.4f at epoch %s)",
                len(net.history),
                self.checkpoint.misses_,
                self.checkpoint.best_score_,
                self.checkpoint.best_epoch_,
            )
            raise KeyboardInterrupt
