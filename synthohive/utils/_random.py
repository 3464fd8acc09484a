"""Randomness helpers: every draw comes from a generator derived from ``random_state``.

No function here touches a global RNG for its result; :func:`torch_fork_rng` is the one
place where torch's global state is used, and it is restored on exit.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.utils import check_random_state

from synthohive.exceptions import DataValidationError

if TYPE_CHECKING:  # torch loads with the first torch model, not with this module
    import torch

MAX_SEED = 2**31 - 1


def draw_seed(random_state: int | np.random.RandomState | None) -> int:
    """Draw one integer seed from ``random_state`` (an int, RandomState or None).

    Parameters
    ----------
    random_state : int, RandomState instance or None
        Source of randomness, as accepted by :func:`sklearn.utils.check_random_state`.

    Returns
    -------
    int
        A seed in ``[0, 2**31 - 1)``.

    Raises
    ------
    DataValidationError
        If ``random_state`` is not an int, a RandomState instance or None.
    """
    try:
        state = check_random_state(random_state)
    except ValueError as exc:
        raise DataValidationError(
            f"random_state must be an int in [0, 2**32 - 1], a numpy RandomState or None, "
            f"got {random_state!r}; pass e.g. random_state=0."
        ) from exc
    return int(state.randint(MAX_SEED))


def derive_seed(seed: int, *keys: str | int) -> int:
    """Derive a child seed from ``seed`` and a path of keys, independent of call order.

    The same ``(seed, keys)`` always gives the same child seed, in any process, so a
    table's model seed does not depend on which other tables exist.

    Parameters
    ----------
    seed : int
        Parent seed.
    *keys : str or int
        Names that identify the child (a table name, a block id …).

    Returns
    -------
    int
        A seed in ``[0, 2**31 - 1)``.
    """
    digest = hashlib.sha256(repr((int(seed), *keys)).encode("utf-8")).digest()
    entropy = int.from_bytes(digest[:16], "little")
    state = np.random.SeedSequence(entropy).generate_state(1, dtype=np.uint64)[0]
    return int(state % MAX_SEED)


def sample_seed(estimator: Any, random_state: int | np.random.RandomState | None) -> int:
    """Seed of one ``sample`` call of a fitted estimator.

    With ``random_state`` the seed comes from it alone, so the call is reproducible whatever
    came before. Without, it derives from the estimator's ``seed_`` and its count of such
    calls (``n_sample_calls_``, incremented), so successive calls differ but a refit or a
    reloaded estimator replays the same sequence.

    Parameters
    ----------
    estimator : object
        A fitted estimator with ``seed_`` and ``n_sample_calls_``.
    random_state : int, RandomState instance or None
        The call's ``random_state``.

    Returns
    -------
    int
        The seed every draw of the call derives from.
    """
    if random_state is not None:
        return draw_seed(random_state)
    seed = derive_seed(estimator.seed_, "sample", estimator.n_sample_calls_)
    estimator.n_sample_calls_ += 1
    return seed


def numpy_generator(seed: int) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` seeded with ``seed``."""
    return np.random.default_rng(seed)


def torch_generator(seed: int, device: str | torch.device = "cpu") -> torch.Generator:
    """Return a ``torch.Generator`` on ``device`` seeded with ``seed``."""
    import torch  # lazy: only torch models need it

    generator = torch.Generator(device=device)
    generator.manual_seed(int(seed))
    return generator


@contextlib.contextmanager
def torch_fork_rng(seed: int, device: str | torch.device = "cpu") -> Iterator[None]:
    """Run a block (e.g. ``nn.Module`` weight initialisation) under a seeded torch RNG.

    torch initialises layer weights from its global generator; this forks the global state,
    seeds it, and restores it afterwards, so callers outside stay unaffected.

    Parameters
    ----------
    seed : int
        Seed for the block.
    device : str or torch.device, default="cpu"
        Device whose generator is also forked when it is a CUDA device.
    """
    import torch  # lazy: only torch models need it

    devices = [torch.device(device)] if torch.device(device).type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(int(seed))
        yield
