"""Tree arrays route rows like scikit-learn; leaf distributions draw what they counted."""

import numpy as np
from sklearn.tree import DecisionTreeRegressor

from synthohive.models.trees._tree import CategoryLeaves, NumberLeaves, TreeArrays


def test_apply_matches_scikit_learn_and_survives_state():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(3000, 4)).astype(np.float32)
    target = features[:, 0] * 3 + np.sin(features[:, 1]) + rng.normal(0, 0.1, 3000)
    tree = DecisionTreeRegressor(min_samples_leaf=5, random_state=0).fit(features, target)
    arrays = TreeArrays.from_state(TreeArrays.from_estimator(tree).to_state())
    np.testing.assert_array_equal(arrays.apply(features), tree.apply(features))
    assert arrays.n_leaves == tree.get_n_leaves()
    assert arrays.depth == tree.get_depth()


def test_category_leaves_draw_their_shares():
    leaves = np.array([1, 1, 1, 1, 2, 2])
    codes = np.array([0, 0, 0, 3, 2, 2])
    counts = CategoryLeaves.fit(leaves, codes, n_nodes=3, n_codes=4)
    rng = np.random.default_rng(0)
    drawn = counts.sample(np.repeat([1, 2], 20_000), rng)
    assert abs((drawn[:20_000] == 0).mean() - 0.75) < 0.02
    assert set(drawn[:20_000]) == {0, 3}
    assert set(drawn[20_000:]) == {2}
    np.testing.assert_allclose(counts.probability(np.array([1, 2, 0]), 3), [0.25, 0.0, 0.0])


def test_number_leaves_stay_in_range_and_are_new_values():
    rng = np.random.default_rng(1)
    values = rng.normal(size=400)
    leaves = np.repeat([1, 2], 200)
    histograms = NumberLeaves.fit(leaves, values, n_nodes=3, min_samples_leaf=20, max_bins=32)
    assert np.diff(histograms.offsets).tolist() == [0, 11, 11]  # 10 bins of 20 rows each
    drawn = histograms.sample(np.repeat([1, 2], 1000), np.random.default_rng(2))
    assert drawn[:1000].min() >= values[:200].min()
    assert drawn[:1000].max() <= values[:200].max()
    assert not np.isin(drawn, values).any()


def test_node_depths_and_pruned_tree_route_like_the_kept_splits():
    rng = np.random.default_rng(3)
    features = rng.normal(size=(2000, 3)).astype(np.float32)
    tree = DecisionTreeRegressor(min_samples_leaf=20, random_state=0).fit(
        features, features[:, 0] + rng.normal(0, 0.1, 2000))
    arrays = TreeArrays.from_estimator(tree)
    depths = arrays.node_depths()
    assert depths.max() == tree.get_depth()
    inner = np.flatnonzero(arrays.left != -1)
    np.testing.assert_array_equal(depths[arrays.left[inner]], depths[inner] + 1)

    keep = depths < 2  # the root and its two children keep their splits
    pruned = arrays.pruned(keep)
    assert (pruned.n_leaves, pruned.n_nodes, pruned.depth) == (4, 7, 2)
    inner = pruned.left != -1
    assert (pruned.left[inner] > np.flatnonzero(inner)).all()  # children follow parents
    # Every row lands in the pruned leaf holding its depth-2 ancestor in the grown tree.
    paths = tree.decision_path(features).toarray()
    ancestors = np.argmax(paths * (depths == 2), axis=1)
    leaf_of = {}
    for ancestor, leaf in zip(ancestors, pruned.apply(features), strict=True):
        assert leaf_of.setdefault(ancestor, leaf) == leaf
    assert len(leaf_of) == 4

    assert arrays.pruned(np.zeros(arrays.n_nodes, dtype=bool)).n_nodes == 1
    np.testing.assert_array_equal(arrays.pruned(np.ones(arrays.n_nodes, dtype=bool)).apply(
        features), arrays.apply(features))
