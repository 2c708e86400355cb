"""Pure evaluation engine (numpy/scipy, no Django): frameworks, weights, aggregation, ranks, uncertainty."""

from lianzhang.evaluation.engine.aggregate import closeness, competition_ranks, topsis
from lianzhang.evaluation.engine.data import DataError, Table, read_table
from lianzhang.evaluation.engine.framework import (
    Framework,
    FrameworkError,
    Method,
    drop_indicators,
    framework_to_data,
    load_framework,
    loads_framework,
    parse_framework,
)
from lianzhang.evaluation.engine.pipeline import Evaluation, InconsistentJudgements, evaluate, with_overrides
from lianzhang.evaluation.engine.weights import AhpResult, ahp

__all__ = [
    "AhpResult",
    "DataError",
    "Evaluation",
    "Framework",
    "FrameworkError",
    "InconsistentJudgements",
    "Method",
    "Table",
    "ahp",
    "closeness",
    "competition_ranks",
    "drop_indicators",
    "evaluate",
    "framework_to_data",
    "load_framework",
    "loads_framework",
    "parse_framework",
    "read_table",
    "topsis",
    "with_overrides",
]
