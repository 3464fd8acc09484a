import numpy as np
import pandas as pd

from synthohive.persistence import dump_bytes, load_bytes, register_persistable
from synthohive.relational._guard import ContextGuard


@register_persistable("tests.GuardBox")
class _Box:
    def __init__(self, state):
        self.state = state

    def _to_state(self):
        return self.state

    @classmethod
    def _from_state(cls, state):
        return cls(state)


def _training():
    return pd.DataFrame({
        "fk__name": ["a", "a", "b", None],
        "fk__level": pd.array([1, 2, 2, 3], dtype="Int64"),
        "fk__price": [1.5, 2.5, 3.5, 10.0],
        "fk__day": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]),
    })


def test_guard_replaces_unseen_categories_and_unexpected_nulls():
    guard = ContextGuard.learn(_training())
    generated = pd.DataFrame({
        "fk__name": ["a", "zzz", None],
        "fk__level": pd.array([7, None, 2], dtype="Int64"),
        "fk__price": [np.nan, 99.0, 1.0],
        "fk__day": pd.to_datetime(["2030-01-01", None, "2024-01-02"]),
    })
    fixed = guard.apply(generated)
    assert fixed["fk__name"].tolist()[:2] == ["a", "a"]
    assert fixed["fk__name"].isna().iloc[2]  # nulls were seen in training: kept
    assert fixed["fk__level"].tolist() == [2, 2, 2]
    assert fixed["fk__price"].tolist() == [3.5, 99.0, 1.0]
    assert fixed["fk__day"].notna().all()
    assert fixed.dtypes.equals(generated.dtypes)
    assert generated["fk__name"].iloc[1] == "zzz"  # the input is not modified


def test_guard_state_round_trips_through_an_artifact():
    guard = ContextGuard.learn(_training())
    loaded = ContextGuard.from_state(load_bytes(dump_bytes(_Box(guard.to_state()))).state)
    frame = pd.DataFrame({"fk__name": ["zzz"], "fk__level": pd.array([9], dtype="Int64"),
                          "fk__price": [np.nan], "fk__day": pd.to_datetime([None])})
    pd.testing.assert_frame_equal(loaded.apply(frame), guard.apply(frame))
