"""SynthoHive's own estimator checks, for the estimators scikit-learn's checks cannot drive.

scikit-learn's ``parametrize_with_checks`` assumes ``fit(X, y)`` and ``predict``/``transform``;
SynthoHive's generative models ``sample``, its cardinality estimators fit children counts and
the relational synthesizer fits a dict of tables. :func:`estimator_checks` yields checks of
the same contract for any of them:

- ``__init__`` only stores its arguments (``get_params`` returns them, no fitted attribute);
- ``clone`` and ``set_params`` round-trip the parameters;
- ``fit`` does not modify its input;
- the same ``random_state`` gives the same output, bit for bit;
- a fitted estimator survives ``joblib`` (and so ``pickle``) with the same output;
- a failed ``fit`` leaves the estimator exactly as it was.

Each check takes the estimator and an :class:`Adapter` that knows how to fit it and what
its output is.

Examples
--------
>>> import numpy as np
>>> from synthohive import EmpiricalCardinality
>>> adapter = Adapter(lambda: np.array([0, 1, 1, 3]), lambda: np.array([-1]),
...                   lambda est, data: est.fit(data),
...                   lambda est: est.sample(n=5, random_state=0))
>>> for name, check in estimator_checks(EmpiricalCardinality(random_state=0), adapter):
...     check()
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone

from synthohive.exceptions import SynthoHiveError

__all__ = ["Adapter", "estimator_checks"]


@dataclass(frozen=True)
class Adapter:
    """How to drive one estimator in the checks.

    Attributes
    ----------
    data : callable
        Returns fresh valid training input.
    bad_data : callable
        Returns training input that ``fit`` must refuse with a SynthoHive error.
    fit : callable
        ``fit(estimator, data)`` fits and returns the estimator.
    output : callable
        ``output(fitted)`` returns what the fitted estimator produces for a fixed seed
        (a sample, a transform …).
    """

    data: Callable[[], Any]
    bad_data: Callable[[], Any]
    fit: Callable[[Any, Any], Any]
    output: Callable[[Any], Any]


def estimator_checks(estimator: Any, adapter: Adapter) -> Iterator[tuple[str, Callable[[], None]]]:
    """Yield ``(name, check)`` pairs; each ``check()`` raises ``AssertionError`` on failure.

    Parameters
    ----------
    estimator : estimator
        An unfitted estimator whose ``random_state`` (if any) is an int.
    adapter : Adapter
        How to fit it and read its output.

    Yields
    ------
    tuple of (str, callable)
        The check's name and a no-argument callable running it.
    """
    for check in (check_init_stores_params, check_clone_and_set_params,
                  check_fit_does_not_mutate_input, check_same_seed_same_output,
                  check_joblib_round_trip, check_failed_fit_changes_nothing):
        yield check.__name__, functools.partial(check, estimator, adapter)


def check_init_stores_params(estimator: Any, adapter: Adapter) -> None:
    """Check that ``__init__`` stores its arguments unchanged and computes nothing."""
    params = estimator.get_params(deep=False)
    rebuilt = type(estimator)(**params)
    for name, value in rebuilt.get_params(deep=False).items():
        _require(value is params[name], f"__init__ changed parameter {name!r}")
    fitted = [key for key in vars(rebuilt) if key.endswith("_") and not key.startswith("_")]
    _require(not fitted, f"__init__ set fitted attributes {fitted}")


def check_clone_and_set_params(estimator: Any, adapter: Adapter) -> None:
    """Check that ``clone`` and ``set_params`` round-trip the parameters."""
    cloned = clone(estimator)
    _require(cloned.get_params(deep=False).keys() == estimator.get_params(deep=False).keys(),
             "clone changed the parameter names")
    cloned.set_params(**estimator.get_params(deep=False))
    _assert_same(adapter.output(adapter.fit(cloned, adapter.data())),
                 adapter.output(adapter.fit(clone(estimator), adapter.data())))


def check_fit_does_not_mutate_input(estimator: Any, adapter: Adapter) -> None:
    """Check that ``fit`` leaves its input exactly as it was."""
    data, reference = adapter.data(), adapter.data()
    adapter.fit(clone(estimator), data)
    _assert_same(data, reference)


def check_same_seed_same_output(estimator: Any, adapter: Adapter) -> None:
    """Check that two fits with the same ``random_state`` give identical output."""
    first = adapter.output(adapter.fit(clone(estimator), adapter.data()))
    second = adapter.output(adapter.fit(clone(estimator), adapter.data()))
    _assert_same(first, second)


def check_joblib_round_trip(estimator: Any, adapter: Adapter) -> None:
    """Check that a fitted estimator read back from ``joblib`` gives the same output."""
    fitted = adapter.fit(clone(estimator), adapter.data())
    buffer = io.BytesIO()
    joblib.dump(fitted, buffer)
    buffer.seek(0)
    loaded = joblib.load(buffer)
    _assert_same(adapter.output(fitted), adapter.output(loaded))


def check_failed_fit_changes_nothing(estimator: Any, adapter: Adapter) -> None:
    """Check that a ``fit`` that raises leaves the estimator (fitted or not) as it was."""
    fresh = clone(estimator)
    before = dict(vars(fresh))
    _assert_refused(adapter, fresh)
    _require(vars(fresh).keys() == before.keys(), "a failed first fit left attributes behind")
    fitted = adapter.fit(clone(estimator), adapter.data())
    expected = adapter.output(fitted)
    attributes = dict(vars(fitted))
    _assert_refused(adapter, fitted)
    _require(vars(fitted).keys() == attributes.keys(), "a failed refit changed the attributes")
    _require(all(vars(fitted)[k] is v for k, v in attributes.items()),
             "a failed refit replaced fitted attributes")
    _assert_same(adapter.output(fitted), expected)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def _assert_refused(adapter: Adapter, estimator: Any) -> None:
    try:
        adapter.fit(estimator, adapter.bad_data())
    except SynthoHiveError:
        return
    raise AssertionError("fit accepted the bad input")


def _assert_same(first: Any, second: Any) -> None:
    """Assert two outputs are identical (frames, arrays, or dicts of them)."""
    if isinstance(first, dict):
        _require(first.keys() == second.keys(), "the outputs hold different keys")
        for key in first:
            _assert_same(first[key], second[key])
    elif isinstance(first, pd.DataFrame):
        pd.testing.assert_frame_equal(first, second)
    else:
        np.testing.assert_array_equal(np.asarray(first), np.asarray(second))
