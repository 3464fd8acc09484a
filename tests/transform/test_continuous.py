import numpy as np
import pytest

from synthohive.transform._continuous import ModeNormalizer, learn_decimals


def _normalizer(weights, means=(0.0, 0.0), stds=(1.0, 1.0), low=-np.inf, high=np.inf):
    stds = np.asarray(stds, dtype=float)
    return ModeNormalizer(means=np.asarray(means, dtype=float), stds=stds,
                          half_widths=4 * stds, weights=np.asarray(weights, dtype=float),
                          seed=123, low=low, high=high)


def test_modes_are_drawn_from_the_posterior():
    values = np.random.default_rng(0).normal(size=20_000)
    _, mode = _normalizer([0.3, 0.7]).transform(values)
    assert abs(mode.mean() - 0.7) < 0.02


def test_mode_draw_depends_on_the_value_only():
    normalizer = _normalizer([0.5, 0.5])
    values = np.random.default_rng(1).normal(size=1000)
    scalar, mode = normalizer.transform(values)
    again_scalar, again_mode = normalizer.transform(values[::-1])
    np.testing.assert_array_equal(again_mode, mode[::-1])
    np.testing.assert_array_equal(again_scalar, scalar[::-1])


def test_only_covering_modes_are_drawn_and_outsiders_are_clipped():
    normalizer = _normalizer([0.99, 0.01], means=(0.0, 10.0))
    scalar, mode = normalizer.transform(np.array([9.5, 0.1, 100.0]))
    np.testing.assert_array_equal(mode, [1, 0, 1])
    assert scalar[2] == 1.0
    np.testing.assert_allclose(normalizer.inverse_transform(scalar, mode)[:2], [9.5, 0.1])


def test_fit_covers_every_training_value():
    rng = np.random.default_rng(2)
    values = np.concatenate([rng.normal(size=2000), [60.0, -45.0]])
    normalizer = ModeNormalizer.fit(values, max_modes=3, weight_threshold=0.005,
                                    max_fit_rows=500, seed=0)
    assert np.all(normalizer.half_widths >= 4 * normalizer.stds)
    scalar, mode = normalizer.transform(values)
    assert np.all(np.abs(scalar) <= 1.0)
    np.testing.assert_allclose(normalizer.inverse_transform(scalar, mode), values, rtol=1e-9)


def test_decoded_values_stay_inside_the_training_range():
    values = np.random.default_rng(4).gamma(2.0, 10.0, size=3000)
    normalizer = ModeNormalizer.fit(values, max_modes=5, weight_threshold=0.005,
                                    max_fit_rows=3000, seed=0)
    assert (normalizer.low, normalizer.high) == (values.min(), values.max())
    # Every mode at both ends of its reach: the smallest reaches below zero.
    modes = np.repeat(np.arange(normalizer.n_modes), 2)
    scalars = np.tile([-1.0, 1.0], normalizer.n_modes)
    assert (normalizer.means - normalizer.half_widths).min() < values.min()
    decoded = normalizer.inverse_transform(scalars, modes)
    assert decoded.min() >= values.min()
    assert decoded.max() <= values.max()
    restored = ModeNormalizer.from_state(normalizer.to_state())
    np.testing.assert_array_equal(restored.inverse_transform(scalars, modes), decoded)


def test_values_beyond_the_training_range_are_reflected_into_it():
    normalizer = ModeNormalizer(means=np.zeros(1), stds=np.full(1, 2.5),
                                half_widths=np.full(1, 10.0), weights=np.ones(1), seed=0,
                                low=-2.0, high=3.0)
    decoded = normalizer.inverse_transform(np.array([-0.3, 0.5, 0.1, -1.0]),
                                           np.zeros(4, dtype=np.int64))
    # -3 -> -1 and 5 -> 1: mirrored at the bound, not piled on it; -10 -> 6 -> 0: mirrored
    # at both bounds.
    np.testing.assert_allclose(decoded, [-1.0, 1.0, 1.0, 0.0])


def test_fit_drops_light_modes_and_is_seeded():
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.normal(-5, 1, 3000), rng.normal(5, 1, 3000)])
    fits = [ModeNormalizer.fit(values, max_modes=6, weight_threshold=0.05, max_fit_rows=2000,
                               seed=s) for s in (7, 7, 8)]
    assert np.all(fits[0].weights > 0.05)
    assert fits[0].weights.sum() == pytest.approx(1.0)
    for key in ("means", "stds", "half_widths", "weights"):
        np.testing.assert_array_equal(getattr(fits[0], key), getattr(fits[1], key))
    restored = ModeNormalizer.from_state(fits[0].to_state())
    np.testing.assert_array_equal(restored.transform(values)[0], fits[0].transform(values)[0])


@pytest.mark.parametrize(("values", "expected"), [
    (np.array([1.0, 2.0, -3.0]), 0),
    (np.array([4.99, 0.5, 12.0]), 2),
    (np.array([0.1, 0.2, 0.3], dtype=np.float32), 1),
    (np.array([np.pi, 1.0]), None),
    (np.array([1e300, 1e-300]), None),
])
def test_learn_decimals(values, expected):
    assert learn_decimals(values) == expected
