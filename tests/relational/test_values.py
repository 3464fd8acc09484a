import numpy as np
import pandas as pd
import pytest

from synthohive.relational._values import (
    draw_rows,
    joint_rows,
    observed_values,
    resample,
    take_rows,
)


def test_resample_at_pool_size_is_a_permutation():
    pool = np.array([f"name{i}" for i in range(50)])
    drawn = resample(pool, 0.0, 50, np.random.default_rng(0))
    assert sorted(drawn) == sorted(pool)
    assert drawn.tolist() != pool.tolist()


def test_resample_keeps_frequencies_and_null_rate():
    pool = np.array(["a", "a", "b", "c"])
    drawn = resample(pool, 0.25, 1000, np.random.default_rng(1))
    assert drawn.isna().sum() in (250, 251)
    counts = drawn.value_counts()
    non_null = int(drawn.notna().sum())
    assert abs(counts["a"] - non_null / 2) <= 1
    assert abs(counts["b"] - non_null / 4) <= 1
    assert isinstance(drawn.index, pd.RangeIndex)


@pytest.mark.parametrize("rate", [0.0, 0.3])
def test_resample_is_seeded_and_keeps_dtype(rate):
    pool = observed_values(pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01", None])))
    one = resample(pool, rate, 20, np.random.default_rng(5))
    two = resample(pool, rate, 20, np.random.default_rng(5))
    pd.testing.assert_series_equal(one, two)
    assert pd.api.types.is_datetime64_any_dtype(one)


def test_empty_pool_gives_nulls():
    drawn = resample(np.array([], dtype=str), 0.0, 3, np.random.default_rng(0))
    assert drawn.isna().all()
    assert len(drawn) == 3


def _rows(anchor=None, present=None):
    frame = pd.DataFrame({"phone": ["+1 1", "+1 2", "+33 3", None, "+33 5", "+49 6"],
                          "name": ["a", "b", "c", "d", None, "f"],
                          "country": ["US", "US", "FR", "FR", "FR", None]})
    return frame, joint_rows(frame, ["phone", "name"], anchor)


def test_joint_rows_keep_presence_and_anchor_codes_without_values():
    frame, rows = _rows("country")
    assert rows["present"].tolist() == frame[["phone", "name"]].notna().to_numpy().tolist()
    assert rows["anchor_levels"].tolist() == ["US", "FR"]
    assert rows["anchor_codes"].tolist() == [0, 0, 1, 1, 1, 2]  # null: its own group
    assert set(_rows(None)[1]) == {"present"}


def test_draw_rows_without_anchor_is_a_permutation_at_training_size():
    _, rows = _rows()
    picks = draw_rows(rows, None, 6, np.random.default_rng(0))
    assert sorted(picks) == list(range(6))
    many = draw_rows(rows, None, 600, np.random.default_rng(1))
    assert np.bincount(many).tolist() == [100] * 6  # every training row used evenly


def test_draw_rows_follow_the_anchor_and_fall_back_when_unseen():
    frame, rows = _rows("country")
    anchor = pd.Series(["FR"] * 300 + ["US"] * 200 + [None] * 50 + ["XX"] * 60)
    picks = draw_rows(rows, anchor, len(anchor), np.random.default_rng(2))
    drawn = frame["country"].to_numpy(dtype=object)[picks]
    assert (drawn[:300] == "FR").all()
    assert (drawn[300:500] == "US").all()
    assert pd.isna(drawn[500:550]).all()
    assert np.bincount(picks[:300], minlength=6)[[2, 3, 4]].tolist() == [100, 100, 100]
    assert len(set(picks[550:])) == 6  # an unseen value draws among every training row


def test_take_rows_keeps_each_rows_values_and_nulls_together():
    frame, rows = _rows("country")
    picks = draw_rows(rows, pd.Series(["FR", "FR", "US", None]), 4, np.random.default_rng(3))
    for j, column in enumerate(["phone", "name"]):
        taken = take_rows(observed_values(frame[column]), rows["present"][:, j], picks)
        expected = frame[column].iloc[picks].reset_index(drop=True)
        pd.testing.assert_series_equal(taken, expected, check_names=False, check_dtype=False)
    assert take_rows(np.array([], dtype=str), np.zeros(6, bool), picks).isna().all()


def test_draw_rows_is_seeded():
    _, rows = _rows("country")
    anchor = pd.Series(["FR", "US", "FR", None, "DE"])
    one = draw_rows(rows, anchor, 5, np.random.default_rng(7))
    assert one.tolist() == draw_rows(rows, anchor, 5, np.random.default_rng(7)).tolist()


def test_draw_rows_take_training_rows_first_then_reserve_rows():
    frame, rows = _rows("country")
    reserve = np.array([False] * 4 + [True] * 2)
    rows = joint_rows(frame.assign(country=["FR"] * 6), ["phone", "name"], "country", reserve)
    assert rows["reserve"].tolist() == reserve.tolist()
    fr = pd.Series(["FR"] * 4)
    assert sorted(draw_rows(rows, fr, 4, np.random.default_rng(0))) == [0, 1, 2, 3]
    more = draw_rows(rows, pd.Series(["FR"] * 5), 5, np.random.default_rng(1))
    assert len(set(more)) == 5
    assert set(more) >= {0, 1, 2, 3}


def test_draw_rows_in_chunks_continue_one_order():
    _, rows = _rows()
    chunks = [draw_rows(rows, None, stop - start, np.random.default_rng(start), start,
                        np.random.default_rng(9)) for start, stop in [(0, 2), (2, 5), (5, 6)]]
    assert sorted(np.concatenate(chunks)) == list(range(6))  # distinct across chunks
    anchored = joint_rows(pd.DataFrame({"v": [f"x{i}" for i in range(40)],
                                        "g": ["a"] * 30 + ["b"] * 10}), ["v"], "g")
    anchor = pd.Series(["a", "a", "a", "b"] * 10)
    picks = np.concatenate([draw_rows(anchored, anchor[s:s + 8].reset_index(drop=True), 8,
                                      np.random.default_rng(s), s, np.random.default_rng(3))
                            for s in range(0, 40, 8)])
    assert len(set(picks)) == 40
