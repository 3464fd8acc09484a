"""Held-out pruning keeps the splits that generalise and drops the ones that follow noise."""

from functools import partial

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from synthohive.models.trees._prune import (
    PRIOR_ROWS,
    class_scores,
    prune,
    regression_scores,
)
from synthohive.models.trees._tree import TreeArrays


def _grow_and_prune(tree, features, labels, score, held_share=0.3, seed=0):
    held = np.random.default_rng(seed).random(len(labels)) < held_share
    tree.fit(features[~held], labels[~held])
    grown = TreeArrays.from_estimator(tree)
    scores = score(tree.decision_path(features[~held]), labels[~held],
                   tree.decision_path(features[held]), labels[held])
    return grown, prune(grown, scores)


def test_class_scores_are_smoothed_held_out_log_likelihoods():
    features = np.array([[0.0], [0.0], [1.0], [1.0], [1.0]], dtype=np.float32)
    labels = np.array([0, 0, 1, 1, 0])
    tree = DecisionTreeClassifier(random_state=0).fit(features[:4], labels[:4])
    grown, held = tree.decision_path(features[:4]), tree.decision_path(features[4:])
    scores = class_scores(grown, labels[:4], held, labels[4:], n_labels=2)
    prior_0 = (2 + 1) / (4 + 2)
    right = tree.apply(features[4:])[0]
    np.testing.assert_allclose(scores[0], np.log((2 + PRIOR_ROWS * prior_0) / (4 + PRIOR_ROWS)))
    np.testing.assert_allclose(scores[right], np.log(PRIOR_ROWS * prior_0 / (2 + PRIOR_ROWS)))
    assert scores[tree.apply(features[:1])[0]] == 0.0  # no held-out row reaches it


def test_regression_scores_are_minus_held_out_squared_errors():
    features = np.array([[0.0], [0.0], [1.0], [1.0], [0.0]], dtype=np.float32)
    targets = np.array([1.0, 3.0, 10.0, 12.0, 4.0])
    tree = DecisionTreeRegressor(random_state=0).fit(features[:4], targets[:4])
    scores = regression_scores(tree.decision_path(features[:4]), targets[:4],
                               tree.decision_path(features[4:]), targets[4:])
    assert scores[0] == pytest.approx(-(4.0 - 6.5) ** 2)
    assert scores[tree.apply(features[4:])[0]] == pytest.approx(-(4.0 - 2.0) ** 2)


def test_noise_splits_are_pruned_real_ones_kept():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(4000, 3)).astype(np.float32)
    noise = rng.integers(0, 4, 4000)
    grown, pruned = _grow_and_prune(DecisionTreeClassifier(min_samples_leaf=10, random_state=0),
                                    features, noise, partial(class_scores, n_labels=4))
    assert grown.n_leaves > 50
    assert pruned.n_leaves <= 5

    signal = (features[:, 0] > 0).astype(np.int64) * 2 + (features[:, 1] > 0.5)
    _, pruned = _grow_and_prune(DecisionTreeClassifier(min_samples_leaf=10, random_state=0),
                                features, signal, partial(class_scores, n_labels=4))
    assert 4 <= pruned.n_leaves <= 12
    leaves = pruned.apply(features)
    purity = [np.bincount(signal[leaves == leaf]).max() / np.sum(leaves == leaf)
              for leaf in np.unique(leaves)]
    assert min(purity) > 0.95


def test_regression_pruning_keeps_a_smooth_dependency_finely():
    rng = np.random.default_rng(1)
    features = rng.uniform(0, 1, size=(5000, 2)).astype(np.float32)
    target = 10 * features[:, 0] + rng.normal(0, 0.05, 5000)
    grown, pruned = _grow_and_prune(DecisionTreeRegressor(min_samples_leaf=10, random_state=0),
                                    features, target, regression_scores)
    assert pruned.n_leaves > 100  # a near-exact dependency deserves small leaves
    leaves = pruned.apply(features)
    spread = np.mean([target[leaves == leaf].std() for leaf in np.unique(leaves)])
    assert spread < 0.2

    _, flat = _grow_and_prune(DecisionTreeRegressor(min_samples_leaf=10, random_state=0),
                              features, rng.normal(size=5000), regression_scores)
    assert flat.n_leaves <= 5 < grown.n_leaves
