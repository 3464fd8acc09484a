"""``TreeSynthesizer``: each column drawn from a leaf of a tree grown on the columns before it."""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy.stats import rankdata
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from tqdm.auto import tqdm

from synthohive.exceptions import DataValidationError
from synthohive.models.base import ConditionalGenerativeModel
from synthohive.models.trees._columns import ColumnCoder
from synthohive.models.trees._prune import class_scores, prune, regression_scores
from synthohive.models.trees._smooth import support_weight
from synthohive.models.trees._tree import CategoryLeaves, NumberLeaves, TreeArrays
from synthohive.persistence import register_persistable
from synthohive.privacy import PrivacyConfig
from synthohive.schema._kinds import check_roles
from synthohive.utils._random import derive_seed, numpy_generator
from synthohive.utils._validation import Interval, check_params

logger = logging.getLogger(__name__)

#: Rounds of redrawing the rows that ``sample(conditions=...)`` rejects.
MAX_CONDITION_ROUNDS = 200
#: Most classes a tree of a discrete column is grown on (see :func:`growth_labels`).
MAX_GROWTH_CLASSES = 256
#: scikit-learn's warning about a classification target of mostly distinct values.
_MANY_CLASSES = "The number of unique classes is greater than 50%"
_METRIC_COLUMNS = ["step", "column", "kind", "rows", "held_out", "depth", "leaves", "smoothing",
                   "fit_seconds"]


@dataclass
class _ColumnModel:
    """The tree of one column, its leaves' code counts and (continuous) histograms."""

    tree: TreeArrays
    codes: CategoryLeaves
    numbers: NumberLeaves | None
    metrics: dict[str, Any]


def growth_labels(codes: np.ndarray, n_codes: int,
                  limit: int = MAX_GROWTH_CLASSES) -> tuple[np.ndarray, int]:
    """Return the classes a discrete column's tree grows on, and how many there are.

    The ``limit - 1`` most frequent codes keep a class each and the others share the last
    one. A classifier's cost grows with its classes (scikit-learn keeps a count per class
    and node: 20,000 codes of 40,000 rows took 13 s and 1.2 GB for a tree pruned to its root
    anyway); the leaves still count every code (``CategoryLeaves``), so a rare category is
    drawn where its rows fell.

    Parameters
    ----------
    codes : ndarray of int64
        The column's codes, in ``[0, n_codes)``.
    n_codes : int
        Number of codes.
    limit : int, default=MAX_GROWTH_CLASSES
        Most classes.

    Returns
    -------
    labels : ndarray of int64
        The class of every row.
    n_labels : int
        ``min(n_codes, limit)``.
    """
    if n_codes <= limit:
        return codes, n_codes
    frequent = np.argsort(-np.bincount(codes, minlength=n_codes), kind="stable")[:limit - 1]
    classes = np.full(n_codes, limit - 1, dtype=np.int64)
    classes[frequent] = np.arange(limit - 1)
    return classes[codes], limit


@register_persistable("TreeSynthesizer")
class TreeSynthesizer(ConditionalGenerativeModel):
    """Sequential conditional trees: one decision tree per column, sampled column by column.

    Column ``j`` is modelled by a scikit-learn decision tree whose features are the parent
    context (when given) and the columns ``0 … j-1`` of the table: a classifier for a
    discrete column, a regressor (on the ranks of the values) for a continuous one. Each
    leaf keeps the distribution of its training rows: the count of each category, or of
    each *atom* of a continuous column (a value held by at least ``min_samples_leaf`` rows,
    such as a discount of 0), of missing values and of other values, with an equal-mass
    histogram of the other values (bins of at least ``min_samples_leaf`` rows). Sampling
    fills the columns in order: every row is routed to a leaf of column ``j``'s tree by the
    values drawn before it, and draws its value there;
    numbers are drawn uniformly inside a histogram bin, on the column's quantile scale (so a
    wide bin keeps the column's shape), and rounded like the training values (datetime unit,
    integers, decimals), so they are new values, not copies of training values. Why this
    design, and its measurements, are in ``doc/trees.md``.

    Trees follow exact and near-exact dependencies and multi-modal conditionals that a
    Gaussian copula cannot express, and fit in one pass per column (columns in parallel
    with ``n_jobs``). ``min_samples_leaf`` is the fidelity/privacy knob: smaller leaves
    follow the training rows more closely, larger ones generalise more.

    Parameters
    ----------
    min_samples_leaf : int, default=10
        Fewest training rows per leaf (and per histogram bin of a continuous column).
    max_bins : int, default=32
        Most histogram bins per leaf of a continuous column.
    pruning_fraction : float, default=0.25
        Share of the rows held out while a tree grows, then used to prune it: a split is
        kept only where it predicts those rows better than its node alone (``0`` keeps every
        split). Splits that follow noise make small leaves repeat their training rows'
        combinations; pruning them is what keeps synthetic rows as far from the training
        rows as from unseen real rows. The leaves of the pruned tree count every row.
    max_fit_rows : int or None, default=250_000
        Trees are grown (and pruned) on at most this many evenly drawn rows; the leaf
        distributions are then counted on all rows. None grows them on all rows.
    discrete_int_threshold : int, default=10
        Integer columns with at most this many distinct values are treated as categories.
    n_jobs : int or None, default=None
        Trees grown in parallel (threads; ``-1``: all cores). Results do not depend on it.
    verbose : int, default=0
        ``>= 1`` shows a tqdm progress bar over the columns.
    random_state : int, RandomState instance or None, default=None
        Seed of every random draw.
    roles : dict of str to str or None, default=None
        Declared roles ``{column: "categorical" | "numeric" | "datetime"}`` (the schema's
        roles): an integer column with role ``"categorical"`` comes out as categories seen
        in training. Not stored by :meth:`save` (the fitted codings are).
    constraints : dict of str to dict or None, default=None
        Declared constraints ``{column: {"min": …, "max": …, "allowed": […]}}``: ``fit``
        refuses training data that breaks one and ``sample`` checks its output. Continuous
        values are drawn inside their leaf's training range, so inside the bounds.
    privacy : PrivacyConfig or None, default=None
        What ``fit`` does with personal and identifier-like columns before training (see
        :mod:`synthohive.privacy`); None protects by default. Not stored.

    Attributes
    ----------
    coders_ : list of ColumnCoder
        Numeric coding of each column of ``X``, in order.
    context_coders_ : list of ColumnCoder
        Coding of each context column (empty without context).
    column_models_ : list
        Per column of ``X``: its tree (as arrays) and the distributions of its leaves.
    columns_, dtypes_, context_columns_, n_rows_, seed_, reference_, last_quality_
        See :class:`~synthohive.ConditionalGenerativeModel`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from synthohive import TreeSynthesizer
    >>> iris = load_iris(as_frame=True).frame
    >>> TreeSynthesizer(random_state=0).fit(iris).sample(5).shape
    (5, 5)
    """

    def __init__(
        self,
        *,
        min_samples_leaf: int = 10,
        max_bins: int = 32,
        pruning_fraction: float = 0.25,
        max_fit_rows: int | None = 250_000,
        discrete_int_threshold: int = 10,
        n_jobs: int | None = None,
        verbose: int = 0,
        random_state: int | np.random.RandomState | None = None,
        roles: dict[str, str] | None = None,
        constraints: dict[str, dict[str, Any]] | None = None,
        privacy: PrivacyConfig | None = None,
    ) -> None:
        self.min_samples_leaf = min_samples_leaf
        self.max_bins = max_bins
        self.pruning_fraction = pruning_fraction
        self.max_fit_rows = max_fit_rows
        self.discrete_int_threshold = discrete_int_threshold
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.random_state = random_state
        self.roles = roles
        self.constraints = constraints
        self.privacy = privacy

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "min_samples_leaf": [Interval(Integral, 1, None, closed="left")],
        "max_bins": [Interval(Integral, 1, None, closed="left")],
        "pruning_fraction": [Interval(Real, 0, 1, closed="left")],
        "max_fit_rows": [Interval(Integral, 1, None, closed="left"), None],
        "discrete_int_threshold": [Interval(Integral, 0, None, closed="left")],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "roles": [dict, None],
        "constraints": [dict, None],
        "privacy": [PrivacyConfig, None],
    }

    # ------------------------------------------------------------------ fit

    def _fit(self, X: pd.DataFrame, context: pd.DataFrame | None) -> None:
        check_params(self)
        roles = check_roles(self.roles, [str(c) for c in X.columns], type(self).__name__)
        options = (int(self.discrete_int_threshold), int(self.min_samples_leaf))
        self.context_coders_ = [] if context is None else [
            ColumnCoder.fit(context[c], str(c), *options) for c in context.columns]
        self.coders_ = [ColumnCoder.fit(X[c], str(c), *options, role=roles.get(str(c)))
                        for c in X.columns]
        features, targets = self._features(X, context)
        grow, held = self._split_rows(len(X))
        offset = 1 + len(self.context_coders_)
        jobs = (delayed(self._fit_column)(step, features, offset + step, targets[step], grow,
                                          held)
                for step in range(len(self.coders_)))
        results = Parallel(n_jobs=self.n_jobs, prefer="threads", return_as="generator")(jobs)
        if self.verbose:
            results = tqdm(results, total=len(self.coders_), unit="column",
                           desc=type(self).__name__)
        with warnings.catch_warnings():
            # A discrete column of mostly distinct codes is still a classification target.
            warnings.filterwarnings("ignore", message=_MANY_CLASSES, category=UserWarning)
            self.column_models_ = list(results)
        logger.info("%s fitted %d trees on %d rows (%d context columns): %d leaves in all",
                    type(self).__name__, len(self.coders_), len(X), len(self.context_coders_),
                    sum(m.tree.n_leaves for m in self.column_models_))

    def _split_rows(self, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the rows the trees grow on and the held-out rows that prune them.

        At most ``max_fit_rows`` rows (evenly drawn) take part; ``pruning_fraction`` of them
        are held out.
        """
        rows = np.arange(n_rows)
        if self.max_fit_rows is not None and n_rows > self.max_fit_rows:
            rng = numpy_generator(derive_seed(self.seed_, "fit-rows"))
            rows = np.sort(rng.choice(n_rows, int(self.max_fit_rows), replace=False))
        rng = numpy_generator(derive_seed(self.seed_, "pruning"))
        held = rng.random(len(rows)) < float(self.pruning_fraction)
        return rows[~held], rows[held]

    def _features(self, X: pd.DataFrame, context: pd.DataFrame | None
                  ) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
        """Return the features ``[constant | context | columns]`` and each column's coding.

        The coding of a column is its ``(numbers, null_mask)`` from :meth:`ColumnCoder.encode`.
        """
        n_context = len(self.context_coders_)
        features = np.zeros((len(X), 1 + n_context + len(self.coders_)), dtype=np.float32)
        for i, coder in enumerate(self.context_coders_):
            features[:, 1 + i] = coder.feature(coder.encode(context[coder.name])[0])
        targets = []
        for i, coder in enumerate(self.coders_):
            numbers, null_mask = coder.encode(X[coder.name])
            features[:, 1 + n_context + i] = coder.feature(numbers)
            targets.append((numbers, null_mask))
        return features, targets

    def _fit_column(self, step: int, features: np.ndarray, width: int,
                    target: tuple[np.ndarray, np.ndarray], grow: np.ndarray,
                    held: np.ndarray) -> _ColumnModel:
        """Grow the tree of column ``step`` on features ``[:width]``, prune it, fill its leaves.

        The tree grows on the rows ``grow`` and is pruned on the rows ``held`` (see
        :mod:`synthohive.models.trees._prune`); its leaves count every row.
        """
        started = time.perf_counter()
        coder = self.coders_[step]
        numbers, null_mask = target
        seed = derive_seed(self.seed_, "tree", step)
        leaf_rows = int(self.min_samples_leaf)
        if coder.is_discrete:
            labels, n_labels = growth_labels(numbers.astype(np.int64), coder.null_code + 1)
            tree = DecisionTreeClassifier(min_samples_leaf=leaf_rows, random_state=seed)
            score = partial(class_scores, n_labels=n_labels)
        else:  # grown on present values only, so every leaf gets enough of them
            grow, held = grow[~null_mask[grow]], held[~null_mask[held]]
            labels = np.zeros(len(numbers))
            labels[~null_mask] = rankdata(numbers[~null_mask]) / np.count_nonzero(~null_mask)
            tree = DecisionTreeRegressor(min_samples_leaf=leaf_rows, random_state=seed)
            score = regression_scores
        if not grow.size:  # every present value was held out: grow on them, no pruning
            grow, held = held, held[:0]
        tree.fit(features[grow, :width], labels[grow])
        arrays = TreeArrays.from_estimator(tree)
        if held.size:
            arrays = prune(arrays, score(tree.decision_path(features[grow, :width]), labels[grow],
                                         tree.decision_path(features[held, :width]), labels[held]))
        leaves = arrays.apply(features)
        codes = coder.target_codes(numbers, null_mask)
        smoothing = (support_weight(leaves[grow], codes[grow], leaves[held], codes[held],
                                    coder.null_code + 1) if coder.is_discrete else 0.0)
        counts = CategoryLeaves.fit(leaves, codes, arrays.n_nodes, coder.null_code + 1,
                                    smoothing)
        histograms = None
        if not coder.is_discrete:
            spread = codes == coder.spread_code
            histograms = NumberLeaves.fit(leaves[spread], coder.to_quantile(numbers[spread]),
                                          arrays.n_nodes, leaf_rows, int(self.max_bins))
        metrics = {"step": step, "column": coder.name,
                   "kind": "discrete" if coder.is_discrete else "continuous",
                   "rows": len(grow), "held_out": len(held), "depth": arrays.depth,
                   "leaves": arrays.n_leaves, "smoothing": smoothing,
                   "fit_seconds": time.perf_counter() - started}
        logger.debug("Tree of column %r: %s", coder.name, metrics)
        return _ColumnModel(arrays, counts, histograms, metrics)

    def training_metrics(self) -> pd.DataFrame:
        """Return one row per fitted tree (one per column, in fitting order).

        Returns
        -------
        DataFrame
            ``step``, ``column``, ``kind`` (discrete/continuous), ``rows`` (rows the tree
            was grown on), ``held_out`` (rows that pruned it), ``depth``, ``leaves``,
            ``smoothing`` (weight added to each code a leaf holds, chosen on the held-out
            rows; 0 for a continuous column) and ``fit_seconds``.
        """
        self._check_fitted()
        return pd.DataFrame([m.metrics for m in self.column_models_], columns=_METRIC_COLUMNS)

    # --------------------------------------------------------------- sample

    def _check_conditions(self, conditions: Any) -> dict[int, int]:
        """Validate ``sample(conditions=...)``: discrete columns and values seen in training.

        Rows are drawn from the model's distribution given those values (rejection of the
        columns before the last conditioned one, by their leaves' probability of the
        values), and the conditioned columns hold them.

        Returns
        -------
        dict of int to int
            Column position to the value's code.

        Raises
        ------
        DataValidationError
            Not a non-empty dict, a column that is not discrete, or a value unseen in fit.
        """
        if not isinstance(conditions, Mapping) or not conditions:
            raise DataValidationError(
                f"conditions must be a non-empty dict {{column: value}}, got {conditions!r}."
            )
        discrete = [c.name for c in self.coders_ if c.is_discrete]
        codes = {}
        for column, value in conditions.items():
            if column not in discrete:
                raise DataValidationError(
                    f"conditions column {column!r} is not a discrete column of this table; "
                    f"discrete columns: {discrete}."
                )
            position = self.columns_.index(column)
            encoder = self.coders_[position].encoder
            code = int(encoder.encode(np.array([value], dtype=object))[0])
            if code < 0:
                raise DataValidationError(
                    f"conditions value {value!r} of column {column!r} was not seen in fit; "
                    f"seen values include {encoder.categories[:10].tolist()!r}."
                )
            codes[position] = code
        return codes

    def _sample(self, n_samples: int, context: pd.DataFrame | None, seed: int,
                conditions: Mapping[int, int] | None = None) -> pd.DataFrame:
        rng = numpy_generator(seed)
        n_context = len(self.context_coders_)
        features = np.zeros((n_samples, 1 + n_context + len(self.coders_)), dtype=np.float32)
        for i, coder in enumerate(self.context_coders_):
            features[:, 1 + i] = coder.feature(coder.encode(context[coder.name])[0])
        numbers = np.zeros((n_samples, len(self.coders_)))
        nulls = np.zeros((n_samples, len(self.coders_)), dtype=bool)
        first = 0
        if conditions:
            first = max(conditions) + 1
            self._draw_conditioned(features, numbers, nulls, dict(conditions), rng)
        everyone = np.arange(n_samples)
        for step in range(first, len(self.coders_)):
            self._draw(step, everyone, features, numbers, nulls, rng)
        return pd.DataFrame({coder.name: coder.decode(numbers[:, i], nulls[:, i])
                             for i, coder in enumerate(self.coders_)})

    def _draw(self, step: int, rows: np.ndarray, features: np.ndarray, numbers: np.ndarray,
              nulls: np.ndarray, rng: np.random.Generator,
              conditions: Mapping[int, int] | None = None) -> np.ndarray:
        """Draw column ``step`` for ``rows``; return the leaf of each row.

        A conditioned column takes its value instead of a draw.
        """
        model, coder = self.column_models_[step], self.coders_[step]
        column = 1 + len(self.context_coders_) + step
        # The tree splits on features before ``column`` only; all rows need no copy.
        leaves = model.tree.apply(features if len(rows) == len(features) else features[rows])
        if conditions is not None and step in conditions:
            codes = np.full(len(rows), conditions[step])
        else:
            codes = model.codes.sample(leaves, rng)
        missing = codes == coder.null_code
        if coder.is_discrete:
            drawn = codes.astype(np.float64)
        else:
            drawn = np.full(len(rows), coder.null_fill)
            atom = codes < coder.spread_code
            drawn[atom] = coder.atoms[codes[atom]]
            spread = codes == coder.spread_code
            drawn[spread] = coder.from_quantile(model.numbers.sample(leaves[spread], rng))
        numbers[rows, step], nulls[rows, step] = drawn, missing
        features[rows, column] = coder.feature(drawn)
        return leaves

    def _draw_conditioned(self, features: np.ndarray, numbers: np.ndarray, nulls: np.ndarray,
                          conditions: dict[int, int], rng: np.random.Generator) -> None:
        """Draw the columns up to the last conditioned one, given the conditions.

        A row's draw of those columns is accepted with probability ``prod_j p_j / max p_j``,
        ``p_j`` the share of the condition's value in the row's leaf of conditioned column
        ``j``: accepted rows follow the model's distribution given the conditions. Rejected
        rows are drawn again, up to ``MAX_CONDITION_ROUNDS`` rounds.
        """
        pending = np.arange(len(features))
        best = {step: self.column_models_[step].codes.probability(
                    np.arange(self.column_models_[step].tree.n_nodes), code).max()
                for step, code in conditions.items()}
        for _ in range(MAX_CONDITION_ROUNDS):
            accept = np.ones(len(pending))
            for step in range(max(conditions) + 1):
                leaves = self._draw(step, pending, features, numbers, nulls, rng, conditions)
                if step in conditions:
                    accept *= self.column_models_[step].codes.probability(
                        leaves, conditions[step]) / best[step]
            pending = pending[rng.random(len(pending)) >= accept]
            if not len(pending):
                return
        logger.warning("%s: %d of %d rows kept a draw that sample(conditions=...) rejected "
                       "%d times (the conditions are rare given the context); they hold the "
                       "conditioned values anyway.", type(self).__name__, len(pending),
                       len(features), MAX_CONDITION_ROUNDS)

    # ---------------------------------------------------------- persistence

    def _to_state(self) -> dict[str, Any]:
        random_state = self.random_state if isinstance(self.random_state, int) else None
        return {
            "params": {"min_samples_leaf": int(self.min_samples_leaf),
                       "max_bins": int(self.max_bins),
                       "pruning_fraction": float(self.pruning_fraction),
                       "max_fit_rows": None if self.max_fit_rows is None
                       else int(self.max_fit_rows),
                       "discrete_int_threshold": int(self.discrete_int_threshold),
                       "n_jobs": self.n_jobs, "verbose": int(self.verbose),
                       "random_state": random_state,
                       "constraints": None if self.constraints is None else {
                           str(c): dict(r) for c, r in self.constraints.items()}},
            **self._base_state(),
            "coders": [c.to_state() for c in self.coders_],
            "context_coders": [c.to_state() for c in self.context_coders_],
            "trees": [{"tree": m.tree.to_state(), "codes": m.codes.to_state(),
                       "numbers": None if m.numbers is None else m.numbers.to_state(),
                       "metrics": {k: (float(v) if k == "fit_seconds" else v)
                                   for k, v in m.metrics.items()}}
                      for m in self.column_models_],
        }

    @classmethod
    def _from_state(cls, state: dict[str, Any]) -> TreeSynthesizer:
        model = cls(**state["params"])
        model._restore_base_state(state)
        model.coders_ = [ColumnCoder.from_state(s) for s in state["coders"]]
        model.context_coders_ = [ColumnCoder.from_state(s) for s in state["context_coders"]]
        model.column_models_ = [
            _ColumnModel(TreeArrays.from_state(s["tree"]), CategoryLeaves.from_state(s["codes"]),
                         None if s["numbers"] is None else NumberLeaves.from_state(s["numbers"]),
                         dict(s["metrics"]))
            for s in state["trees"]]
        return model
