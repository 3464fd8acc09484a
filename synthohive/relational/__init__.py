"""Multi-table synthesis: the :class:`RelationalSynthesizer` meta-estimator."""

from synthohive.relational._plan import RelationPlan, TablePlan
from synthohive.relational._synthesizer import RelationalSynthesizer

__all__ = ["RelationPlan", "RelationalSynthesizer", "TablePlan"]
