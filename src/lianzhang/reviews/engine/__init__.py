"""Pure engines for expert review and subsidies: conflicts, assignment, scoring, allocation (no Django)."""

from lianzhang.reviews.engine.assign import MODES, Assignment, AssignmentResult, Shortfall, assign, redraw
from lianzhang.reviews.engine.conflicts import Conflict, ConflictIndex, ConflictRules, find_conflicts
from lianzhang.reviews.engine.orgs import normalise_org, same_org
from lianzhang.reviews.engine.records import (
    Application,
    Expert,
    InputError,
    RelatedPerson,
    application_from_dict,
    expert_from_dict,
)
from lianzhang.reviews.engine.scoring import Aggregate, Criterion, ScoreError, aggregate, rank, sheet_total
from lianzhang.reviews.engine.subsidy import (
    Allocation,
    Applicant,
    ApplicantsError,
    Award,
    Programme,
    ProgrammeError,
    allocate_by_rank,
    allocate_optimal,
    explain_difference,
    load_programme,
    read_applicants,
    read_applicants_csv,
)

__all__ = [
    "MODES",
    "Aggregate",
    "Allocation",
    "Applicant",
    "ApplicantsError",
    "Application",
    "Assignment",
    "AssignmentResult",
    "Award",
    "Conflict",
    "ConflictIndex",
    "ConflictRules",
    "Criterion",
    "Expert",
    "InputError",
    "Programme",
    "ProgrammeError",
    "RelatedPerson",
    "ScoreError",
    "Shortfall",
    "aggregate",
    "allocate_by_rank",
    "allocate_optimal",
    "application_from_dict",
    "assign",
    "expert_from_dict",
    "explain_difference",
    "find_conflicts",
    "load_programme",
    "normalise_org",
    "rank",
    "read_applicants",
    "read_applicants_csv",
    "redraw",
    "same_org",
    "sheet_total",
]
