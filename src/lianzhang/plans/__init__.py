"""Plan documents to targets, tasks and rules: a pure engine (no Django) used by the CLI and the platform."""

from lianzhang.plans.departments import Annotation, DepartmentRef, Directory, default_directory
from lianzhang.plans.engine import PlanParse, Task, parse_document, parse_file, parse_text
from lianzhang.plans.reader import Document, DocumentError, read_document, read_text
from lianzhang.plans.scoring import Score, score
from lianzhang.plans.targets import Target

__all__ = [
    "Annotation",
    "DepartmentRef",
    "Directory",
    "Document",
    "DocumentError",
    "PlanParse",
    "Score",
    "Target",
    "Task",
    "default_directory",
    "parse_document",
    "parse_file",
    "parse_text",
    "read_document",
    "read_text",
    "score",
]
