import numpy as np
import pandas as pd

from synthohive.relational._plan import build_plan
from synthohive.schema import Schema


def test_column_kinds_and_driving_relation():
    rng = np.random.default_rng(0)
    n = 400
    frame = pd.DataFrame({
        "id": np.arange(n),
        "a_id": rng.integers(0, 5, n),
        "b_id": pd.array(np.where(rng.random(n) < 0.3, None, rng.integers(0, 50, n)),
                         dtype="Int64"),
        "c_id": rng.integers(0, 300, n),
        "city": rng.choice([f"city{i}" for i in range(60)], n),
        "kind": rng.choice(["x", "y"], n),
        "email": [f"u{i}@x.org" for i in range(n)],
        "stamp": pd.Timestamp("2024-01-01"),
        "amount": rng.normal(size=n),
        "secret": "s",
    })
    schema = Schema.from_dict({"tables": {
        "a": {"primary_key": "id"}, "b": {"primary_key": "id"}, "c": {"primary_key": "id"},
        "t": {"primary_key": "id", "columns": {"secret": {"role": "drop"},
                                               "kind": {"role": "categorical"}},
              "foreign_keys": [{"column": "a_id", "references": "a.id"},
                               {"column": "b_id", "references": "b.id"},
                               {"column": "c_id", "references": "c.id"}]}}})
    plan = build_plan(schema, "t", frame, {"a": 5, "b": 50, "c": 300})
    assert "secret" not in plan.output_columns
    assert plan.id_like_columns == ("email", "stamp")
    assert plan.model_columns == ("city", "kind", "amount")
    assert plan.context_columns == ("kind", "amount")  # 60 cities: not context
    # lowest null rate first, then the biggest parent, then declaration order
    assert [r.column for r in plan.relations] == ["c_id", "a_id", "b_id"]
    assert plan.relations[2].null_rate > 0.2
    assert plan.relations[2].indicator == "b_id__is_null"
    assert plan.relations[0].indicator is None


def test_unique_text_is_resampled_unless_it_is_all_the_table_has():
    names = [f"name {i}" for i in range(25)]
    schema = Schema.from_dict({"tables": {"genre": {"primary_key": "id"}}})
    alone = pd.DataFrame({"id": range(25), "name": names})
    assert build_plan(schema, "genre", alone, {}).model_columns == ("name",)
    with_other = alone.assign(size=np.arange(25) % 3)
    plan = build_plan(schema, "genre", with_other, {})
    assert plan.id_like_columns == ("name",)
    assert plan.model_columns == ("size",)


def test_personal_columns_are_learned_but_no_context_of_the_counts():
    schema = Schema.from_dict({"tables": {"staff": {"primary_key": "id"}}})
    frame = pd.DataFrame({"id": range(6), "name": list("abcdef"), "grade": [1, 2, 3] * 2,
                          "team": list("xxyyzz")})
    plan = build_plan(schema, "staff", frame, {}, personal=["name", "team", "missing"])
    assert plan.model_columns == ("name", "grade", "team")
    assert plan.personal == ("name", "team")
    assert plan.context_columns == plan.model_columns  # of the children's models
    assert plan.count_columns == ("grade",)
    assert type(plan).from_dict(plan.to_dict()) == plan
    older = {k: v for k, v in plan.to_dict().items() if k != "personal"}  # an older artifact
    assert type(plan).from_dict(older).count_columns == plan.model_columns
