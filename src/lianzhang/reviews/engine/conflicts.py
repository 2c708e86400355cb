"""Conflicts of interest (回避), computed from the records, each with its reason."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from lianzhang.reviews.engine.orgs import org_keys
from lianzhang.reviews.engine.records import Application, Expert

SAME_ORG, LINKED, RELATED_PERSON, DECLARED, SAME_DISTRICT = (
    "same_org",
    "linked",
    "related_person",
    "declared",
    "same_district",
)
KIND_LABELS = {
    SAME_ORG: "同单位",
    LINKED: "关联企业",
    RELATED_PERSON: "关联人员",
    DECLARED: "本人申报回避",
    SAME_DISTRICT: "同区回避",
}


@dataclass(frozen=True)
class ConflictRules:
    """Programme-specific recusal rules on top of the ones that always apply."""

    same_district: bool = False


DEFAULT_RULES = ConflictRules()


@dataclass(frozen=True)
class Conflict:
    """One reason why an expert may not review an application."""

    application: str
    expert: str
    kind: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {
            "application": self.application,
            "expert": self.expert,
            "kind": self.kind,
            "reason": self.reason,
        }


_SPACE = re.compile(r"\s+")


def _token(value: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", value)).lower()


def _tokens(value: str) -> set[str]:
    """An identifier in every form it may be matched by: as written and, for names, as organisation keys."""
    return {_token(value), *org_keys(value)} - {""}


class ConflictIndex:
    """Experts indexed by everything a conflict can be found through, so each application is checked fast."""

    def __init__(self, experts: Sequence[Expert], rules: ConflictRules = DEFAULT_RULES) -> None:
        self.experts = experts
        self.rules = rules
        self._by_org: dict[str, list[int]] = defaultdict(list)
        self._by_link: dict[str, list[int]] = defaultdict(list)
        self._by_declared: dict[str, list[int]] = defaultdict(list)
        self._by_person: dict[str, list[int]] = defaultdict(list)
        self._by_district: dict[str, list[int]] = defaultdict(list)
        for index, expert in enumerate(experts):
            for key in org_keys(expert.org):
                self._by_org[key].append(index)
            for link in expert.related_enterprises:
                for key in _tokens(link):
                    self._by_link[key].append(index)
            for item in expert.declared_conflicts:
                for key in _tokens(item):
                    self._by_declared[key].append(index)
            if expert.name:
                self._by_person[_token(expert.name)].append(index)
            if expert.district:
                self._by_district[expert.district].append(index)

    def _applicant_tokens(self, app: Application) -> set[str]:
        tokens = {_token(app.id)} | org_keys(app.applicant_org)
        if app.applicant_id:
            tokens |= _tokens(app.applicant_id)
        return tokens - {""}

    def conflicts_for(self, app: Application) -> dict[int, list[Conflict]]:
        """Every conflicting expert (by position) for one application, with the reasons."""
        found: dict[int, list[Conflict]] = defaultdict(list)

        def add(index: int, kind: str, reason: str) -> None:
            if not any(c.kind == kind for c in found[index]):
                found[index].append(Conflict(app.id, self.experts[index].id, kind, reason))

        for key in org_keys(app.applicant_org):
            for i in self._by_org.get(key, ()):
                add(
                    i,
                    SAME_ORG,
                    f"同单位：专家单位“{self.experts[i].org}”与申报单位“{app.applicant_org}”为同一单位",
                )
        tokens = self._applicant_tokens(app)
        who = app.applicant_org or app.applicant_id or app.id
        for key in tokens:
            for i in self._by_link.get(key, ()):
                add(i, LINKED, f"关联企业：企业库登记专家与申报单位“{who}”存在关联")
            for i in self._by_declared.get(key, ()):
                add(i, DECLARED, f"本人申报回避：专家声明与“{who}”存在利益关系")
        for person in app.related_persons:
            for i in self._by_person.get(_token(person.name), ()):
                add(
                    i,
                    RELATED_PERSON,
                    f"关联人员：专家“{person.name}”登记为申报单位的{person.role}（按姓名匹配，需人工核实同名）",
                )
        if self.rules.same_district and app.district:
            for i in self._by_district.get(app.district, ()):
                add(i, SAME_DISTRICT, f"同区回避（本批规则）：专家与申报单位同在 {app.district}")
        return dict(found)


def find_conflicts(
    experts: Sequence[Expert], applications: Sequence[Application], rules: ConflictRules = DEFAULT_RULES
) -> list[Conflict]:
    """All conflicts between the experts and the applications, each with its reason."""
    index = ConflictIndex(experts, rules)
    return [c for app in applications for cs in index.conflicts_for(app).values() for c in cs]
