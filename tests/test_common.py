"""scikit-learn's estimator checks over SynthoHive's estimators."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from synthohive import DataTransformer

EXPECTED_FAILED_CHECKS = {
    "DataTransformer": {
        "check_dtype_object": (
            "an object array holding a non-number (here a dict) raises DataValidationError, a "
            "ValueError like every SynthoHive input error, not the TypeError the check wants; "
            "object arrays of numbers and of str are accepted"
        ),
    },
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(
    [DataTransformer(max_modes=3, random_state=0)],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
