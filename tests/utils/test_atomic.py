import pytest

from synthohive.utils._atomic import atomic_fit


class _Estimator:
    @atomic_fit
    def fit(self, value):
        self.seen_ = value
        if value < 0:
            raise ValueError("negative")
        self.fitted_ = True
        return self


def test_failed_first_fit_leaves_no_attribute():
    estimator = _Estimator()
    with pytest.raises(ValueError, match="negative"):
        estimator.fit(-1)
    assert vars(estimator) == {}


def test_failed_refit_restores_the_previous_attributes():
    estimator = _Estimator().fit(3)
    with pytest.raises(ValueError, match="negative"):
        estimator.fit(-1)
    assert vars(estimator) == {"seen_": 3, "fitted_": True}
