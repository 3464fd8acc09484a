"""Generation of a fitted :class:`~synthohive.RelationalSynthesizer` on Spark executors.

Public entry: :func:`sample_on_spark` (what ``RelationalSynthesizer.sample(engine=spark)``
calls; see ``doc/spark.md``). Nothing here is imported by ``import synthohive``; pyspark is
imported only by this subpackage.

Internal interface. This subpackage depends on the rest of :mod:`synthohive.relational`
through these names only, and nothing outside it imports from it except
``RelationalSynthesizer.sample``, so there is no import cycle:

- the fitted attributes of the synthesizer: ``order_``, ``plans_``, ``schema_``,
  ``dtypes_``, ``models_``, ``cardinality_``, ``chunk_size``, ``seed_`` and
  ``n_sample_calls_`` (the seed of a call, through :func:`~synthohive.utils._random.sample_seed`);
- :func:`synthohive.relational._checks.check_fitted` and ``check_scale``: the argument checks
  of ``sample``;
- :func:`synthohive.relational._fitting.parent_context`: the context a cardinality estimator
  gets from parent rows;
- :func:`synthohive.relational._sampling.generate_chunk`: the per-chunk step of the
  single-machine sampler (keys, model, id-like and copied columns, dtypes, integrity check),
  run by the executors on each block, so both engines make rows the same way;
- :func:`synthohive.relational._keys.driving_positions`,
  :func:`synthohive.relational._inherit.parent_columns` and
  :func:`synthohive.relational._writer.empty_frame`.

Modules: ``_driver`` (the plan on the driver), ``_tasks`` (executor side: task context,
root and single-parent blocks), ``_secondary`` (tables with several parents), ``_output``
(destinations).
"""

from synthohive.relational.spark._driver import sample_on_spark

__all__ = ["sample_on_spark"]
