"""``fit`` either succeeds or changes nothing: the one home of that rule.

Every estimator's public ``fit`` is wrapped by :func:`atomic_fit`. ``fit`` replaces its
fitted attributes (it never mutates the objects they hold), so a shallow copy of the
instance dictionary taken before the call is the estimator exactly as it was; when ``fit``
raises, that copy is put back. A failed first fit thus leaves an unfitted estimator
(``NotFittedError`` afterwards, never ``AttributeError``) and a failed refit leaves the
previous model whole, with none of the rejected data's bookkeeping.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["atomic_fit"]

_Fit = TypeVar("_Fit", bound=Callable[..., Any])


def atomic_fit(fit: _Fit) -> _Fit:
    """Wrap an estimator's ``fit`` so that a failure leaves the estimator unchanged.

    Parameters
    ----------
    fit : callable
        The ``fit(self, ...)`` method.

    Returns
    -------
    callable
        ``fit`` that restores the instance's attributes when it raises (the exception
        propagates unchanged).
    """

    @functools.wraps(fit)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        before = dict(self.__dict__)
        try:
            return fit(self, *args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise

    return wrapper  # type: ignore[return-value]
