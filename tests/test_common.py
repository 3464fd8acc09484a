"""scikit-learn's estimator checks over SynthoHive's estimators.

``EXPECTED_FAILED_CHECKS`` lists, per estimator class, the checks that cannot apply and why.
``DataTransformer`` passes them all: it declares the ``allow_nan``, ``categorical`` and
``string`` input tags, because it models missing values and encodes text columns, so the
checks that expect NaN or text input to be refused are not run against it.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from synthohive import DataTransformer

EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {
    "DataTransformer": {},
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(
    [DataTransformer(max_modes=3, random_state=0)],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
