"""Tree arrays route rows like scikit-learn; leaf distributions draw what they counted."""

import numpy as np
from sklearn.tree import DecisionTreeRegressor

from synthohive.models.trees._tree import CategoryLeaves, NumberLeaves, TreeArrays, stratified


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


def test_stratified_uniforms_fill_each_leaf_s_strata_once():
    leaves = np.random.default_rng(4).integers(0, 3, 1000)
    order, uniforms = stratified(leaves, np.random.default_rng(5))
    assert np.all(np.diff(leaves[order]) >= 0)
    for leaf in range(3):
        mine = np.sort(uniforms[leaves[order] == leaf])
        np.testing.assert_array_equal(np.floor(mine * len(mine)), np.arange(len(mine)))
    # Each row's uniform is still uniform over [0, 1): its stratum is random.
    firsts = [uniforms[np.argsort(order)][0] for order, uniforms in
              (stratified(leaves, np.random.default_rng(seed)) for seed in range(2000))]
    assert np.histogram(firsts, bins=4, range=(0, 1))[0].min() > 420


def test_leaves_draw_their_shares_without_sampling_noise():
    counts = CategoryLeaves.fit(np.repeat([1, 2], [10, 4]), np.array([0] * 4 + [1] * 6 + [2] * 4),
                                n_nodes=3, n_codes=3)
    drawn = counts.sample(np.repeat([1, 2, 1], [50, 30, 50]), np.random.default_rng(6))
    assert np.bincount(drawn, minlength=3).tolist() == [40, 60, 30]  # 40 % of leaf 1's 100 rows
    values = np.random.default_rng(7).normal(size=200)
    histograms = NumberLeaves.fit(np.ones(200, dtype=np.int64), values, n_nodes=2,
                                  min_samples_leaf=20, max_bins=32)
    numbers = histograms.sample(np.ones(1000, dtype=np.int64), np.random.default_rng(8))
    edges = histograms.edges[histograms.offsets[1]:histograms.offsets[2]]
    assert np.histogram(numbers, bins=edges)[0].tolist() == [100] * 10
