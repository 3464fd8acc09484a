import pytest
from sklearn.exceptions import NotFittedError as SklearnNotFittedError

from synthohive import exceptions as exc

ALL_ERRORS = [
    exc.SchemaValidationError,
    exc.DataValidationError,
    exc.TrainingError,
    exc.NotFittedError,
    exc.SerializationError,
    exc.ConstraintViolationError,
    exc.QualityGateError,
    exc.ConnectorError,
    exc.InvalidIdentifierError,
]


@pytest.mark.parametrize("error", ALL_ERRORS)
def test_every_error_is_a_synthohive_error(error):
    assert issubclass(error, exc.SynthoHiveError)
    with pytest.raises(exc.SynthoHiveError, match="what to do"):
        raise error("table.column: what to do")


def test_builtin_bases_are_kept():
    assert issubclass(exc.NotFittedError, SklearnNotFittedError)
    assert issubclass(exc.DataValidationError, ValueError)
    assert issubclass(exc.SchemaValidationError, ValueError)
    assert issubclass(exc.SerializationError, OSError)
    assert issubclass(exc.ConnectorError, OSError)
    assert issubclass(exc.InvalidIdentifierError, ValueError)


def test_exports_match_hierarchy():
    assert set(exc.__all__) == {e.__name__ for e in ALL_ERRORS} | {"SynthoHiveError"}


def test_schema_error_lists_every_problem():
    error = exc.SchemaValidationError("2 problems", ["orders.customer_id: 3 orphans", "cycle"])
    assert error.problems == ["orders.customer_id: 3 orphans", "cycle"]
    text = str(error)
    assert "orders.customer_id: 3 orphans" in text
    assert "cycle" in text


def test_quality_gate_error_lists_every_failure():
    error = exc.QualityGateError("gate failed", ["orders.amount KS=0.4 > 0.15"])
    assert error.failures == ["orders.amount KS=0.4 > 0.15"]
    assert "orders.amount KS=0.4 > 0.15" in str(error)
