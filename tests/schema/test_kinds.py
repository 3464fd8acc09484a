import numpy as np
import pandas as pd
import pytest

from synthohive.exceptions import DataValidationError
from synthohive.schema._kinds import check_roles, column_kind, is_id_like, is_unique_text


@pytest.mark.parametrize(("values", "role", "kind"), [
    (pd.Series([1.5, 2.5]), None, "continuous"),
    (pd.Series(np.arange(50)), None, "continuous"),
    (pd.Series([1, 2, 3] * 5), None, "discrete"),
    (pd.Series(["a", "b"]), None, "discrete"),
    (pd.Series([True, False]), None, "discrete"),
    (pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01"])), None, "datetime"),
    (pd.Series(np.arange(50)), "categorical", "discrete"),
    (pd.Series([1, 2, 3] * 5), "numeric", "continuous"),
    (pd.Series(["a", "b"]), "id", "id"),
    (pd.Series(["ann", "bob"]), "pii", "pii"),
    (pd.Series([1.0]), "drop", "drop"),
])
def test_column_kind_from_dtype_data_and_role(values, role, kind):
    assert column_kind(values, role) == kind


def test_numeric_role_on_text_is_refused_with_the_fix():
    with pytest.raises(DataValidationError, match="'code'.*pd.to_numeric"):
        column_kind(pd.Series(["01", "02"], name="code"), "numeric")


def test_unknown_role_is_refused():
    with pytest.raises(DataValidationError, match="role 'label'"):
        column_kind(pd.Series([1, 2], name="x"), "label")


def test_id_like_text_constants_and_declared_roles():
    names = pd.Series([f"name {i}" for i in range(200)])
    assert is_id_like(names)
    assert not is_id_like(names, "categorical")
    assert is_id_like(pd.Series([7] * 10))
    assert is_id_like(pd.Series([1, 2]), "id")
    assert not is_id_like(pd.Series(np.arange(200.0)))


def test_check_roles_refuses_unknown_columns_and_relational_roles():
    assert check_roles({"a": "categorical"}, ["a"], "M") == {"a": "categorical"}
    with pytest.raises(DataValidationError, match=r"\['b'\]"):
        check_roles({"b": "numeric"}, ["a"], "M")
    with pytest.raises(DataValidationError, match="'id'"):
        check_roles({"a": "id"}, ["a"], "M")


def test_unique_text_is_text_with_a_value_per_row():
    assert is_unique_text(pd.Series([f"n{i}" for i in range(20)]))
    assert not is_unique_text(pd.Series(["a", "b"] * 10))
    assert not is_unique_text(pd.Series(np.arange(20)))
