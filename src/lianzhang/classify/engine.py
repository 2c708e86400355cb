"""Place an enterprise on a chain from its business scope and name, with the evidence for each decision.

How it decides, in short: the text is normalised (Traditional to Simplified, full-width to ASCII,
upper case; lengths kept so spans stay valid for the original), split into scope items without the
registration boilerplate, and scanned once with an Aho-Corasick automaton built from the chain's
keywords and exclusions plus the engine lexicon. Exclusion phrases void the keywords they cover and
longer keywords win over the shorter ones inside them. Every hit is weighted by the term's weight,
by what the item does (making or developing counts fully, selling or repairing only a little) and by
the item's rank in the list (registrations list the main business first). Those weights decide
whether the business is on the chain at all and rank the nodes; the name adds weight but never
decides on its own. The national 2018 code follows from the primary node, the official phrases and
the kind of item (device making, software, system service) that carries its evidence.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import ahocorasick_rs

from lianzhang.classify.lexicon import Lexicon, load_lexicon
from lianzhang.classify.normalize import match_form
from lianzhang.classify.scope import Items
from lianzhang.taxonomy import Chain, get_chain

GENERIC = "*"  # node key of evidence that says "AI" without naming a node

# Decision constants. They were set on the development half of tests/classify/data/dev.jsonl and
# are documented in docs/classification.md; change them together with that file.
AI_THRESHOLD = 0.5
RANK_DECAY = 0.12  # weight of the item at rank k is 1 / (1 + RANK_DECAY * k)
WEAK_ACTION = 0.3  # an item that only sells, rents, repairs, installs or trains
NAME_KEYWORD = 0.6  # a chain keyword in the name counts this much of its scope weight
GENERIC_NODE_SHARE = 0.5  # generic AI evidence counts this much towards the generic node's rank
SHARE_FULL = 0.3  # AI share of the weighted item list from which the scope counts fully
SHORT_ASCII_WEIGHT = 0.8  # short Latin abbreviations (CV, AR, ITS) are often ambiguous
REVIEW_BELOW = 0.65
SECONDARY_RATIO = 0.4
MAX_NODES = 5
_EXCLUDED_REASONS = ("命中的词语被排除说法覆盖",)

# What an item does, from words in it. Making or developing is where a business is; selling,
# repairing, installing or training around a product is not the same business.
_STRONG_ACTIONS = re.compile(
    "研发|研究|开发|制造|生产|设计|加工|集成|技术服务|系统服务|运营|运维|组装|代工|解决方案|平台|建设|研制|训练"
)
_WEAK_ACTIONS = re.compile(
    "销售|零售|批发|租赁|维修|修理|安装|回收|培训|代理|进出口|经纪|出租|展销|贴膜|充值"
)
# What kind of activity an item is, for the national code; device making outranks a system service,
# which outranks software (an item that develops and manufactures a device is a device maker).
_MODE_PATTERNS = (
    ("device", re.compile("制造|生产|加工|组装|代工|研制")),
    ("system", re.compile("系统|集成|解决方案|方案|技术服务|运营|运维|建设|服务")),
    ("software", re.compile("软件|算法|开发|研发|平台|引擎|框架|模型|程序|SAAS")),
)


# ------------------------------------------------------------------------------------ results


class Evidence(NamedTuple):
    """A term found in the scope or the name, with its span in the original text."""

    term: str  # the term as the chain or lexicon spells it (normalised)
    text: str  # the characters of the original text at [start, end)
    start: int
    end: int
    source: str  # "scope" or "name"
    weight: float  # contribution to the node's score

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for JSON output."""
        return {
            "term": self.term,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "source": self.source,
            "weight": round(self.weight, 3),
        }


class NodeScore(NamedTuple):
    """One chain node with its score (0..1) and the evidence behind it, strongest first."""

    node: str
    score: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Classification:
    """The engine's decision for one enterprise."""

    is_ai_chain: bool
    nodes: tuple[NodeScore, ...]
    national_2018: str
    confidence: float
    needs_review: bool
    ai_score: float
    candidates: tuple[NodeScore, ...] = ()
    excluded: tuple[Evidence, ...] = ()
    chain: str = "ai"
    chain_version: str = ""
    reasons: tuple[str, ...] = field(default=())

    @property
    def primary(self) -> str | None:
        """The best node id, or None when the enterprise is not on the chain."""
        return self.nodes[0].node if self.nodes else None

    @property
    def evidence(self) -> dict[str, list[Evidence]]:
        """Evidence per node: the chosen nodes, or the near-miss candidates when not on the chain."""
        return {n.node: list(n.evidence) for n in (self.nodes or self.candidates)}

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for JSON output (the command-line contract)."""
        return {
            "is_ai_chain": self.is_ai_chain,
            "nodes": [n.node for n in self.nodes],
            "scores": {n.node: round(n.score, 3) for n in self.nodes},
            "national_2018": self.national_2018,
            "confidence": round(self.confidence, 3),
            "needs_review": self.needs_review,
            "ai_score": round(self.ai_score, 3),
            "evidence": {node: [e.to_dict() for e in items] for node, items in self.evidence.items()},
            "excluded": [e.to_dict() for e in self.excluded],
            "reasons": list(self.reasons),
            "chain": self.chain,
            "chain_version": self.chain_version,
        }


# ------------------------------------------------------------------------------------ compiled chain


@dataclass(slots=True)
class _Term:
    text: str
    include: list[tuple[str, float]] = field(default_factory=list)
    exclude: bool = False
    cues: list[tuple[str, float]] = field(default_factory=list)
    national: str | None = None
    ascii_left: bool = False
    ascii_right: bool = False


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _default_weight(term: str) -> float:
    # Latin abbreviations of three letters or fewer (AI, CV, AR, ITS) collide with other meanings.
    return SHORT_ASCII_WEIGHT if term.isascii() and len(term.replace("-", "")) <= 3 else 1.0


_Hit = tuple[int, int, _Term]


def _outermost(hits: list[_Hit]) -> list[_Hit]:
    """Drop hits that lie inside a longer hit of the same list."""
    if len(hits) < 2:
        return hits
    # Sorted by start, longest first: a hit is inside a longer one when an earlier hit reaches at least
    # as far (two different terms never share a span).
    hits.sort(key=lambda h: (h[0], -h[1]))
    kept = []
    reach = -1
    for hit in hits:
        if hit[1] > reach:
            kept.append(hit)
            reach = hit[1]
    return kept


class Classifier:
    """A chain compiled once into Aho-Corasick automata; call classify() for each record."""

    def __init__(self, chain: Chain, lexicon: Lexicon | None = None) -> None:
        self.chain = chain
        self.lexicon = lexicon if lexicon is not None else load_lexicon(chain.id)
        lex = self.lexicon
        self.generic_node = lex.generic_node if lex.generic_node in chain.nodes else None
        terms: dict[str, _Term] = {}

        def term(raw: str) -> _Term:
            key = match_form(raw.strip())
            found = terms.get(key)
            if found is None:
                found = terms[key] = _Term(key)
                found.ascii_left = _is_ascii_alnum(key[0])
                found.ascii_right = _is_ascii_alnum(key[-1])
            return found

        weights = {match_form(k): v for k, v in lex.weights.items()}

        def include(raw: str, node: str) -> None:
            t = term(raw)
            if all(n != node for n, _ in t.include):
                t.include.append((node, weights.get(t.text, _default_weight(t.text))))

        for raw in chain.keywords:
            include(raw, GENERIC)
        for node in chain.nodes.values():
            for raw in node.keywords:
                include(raw, node.id)
            for raw in lex.aliases.get(node.id, ()):
                include(raw, node.id)
        for raw in (*chain.exclude, *(x for n in chain.nodes.values() for x in n.exclude)):
            term(raw).exclude = True
        for node_id, cues in lex.name_cues.items():
            if node_id != GENERIC and node_id not in chain.nodes:
                continue
            for raw, weight in cues.items():
                term(raw).cues.append((node_id, weight))
        # Official phrases of the national classification decide the code of the item they sit in.
        for code, category in chain.national_2018.items():
            for item in category.items:
                for raw in item.content:
                    term(raw).national = code
                if not item.partial:
                    term(item.name).national = code
        for raw, code in lex.national_terms.items():
            term(raw).national = code

        # Two automata: name cues (智能, 视觉 …) would flood a scope with hits that mean nothing there.
        all_terms = list(terms.values())
        self._scope_terms = [t for t in all_terms if t.include or t.exclude or t.national]
        self._name_terms = [t for t in all_terms if t.include or t.exclude or t.cues]
        kind = ahocorasick_rs.MatchKind.Standard
        self._scope_automaton = ahocorasick_rs.AhoCorasick(
            [t.text for t in self._scope_terms], matchkind=kind
        )
        self._name_automaton = ahocorasick_rs.AhoCorasick([t.text for t in self._name_terms], matchkind=kind)
        self._rank_weights = [1.0 / (1.0 + RANK_DECAY * k) for k in range(4096)]
        self._rank_totals = [0.0]
        for weight in self._rank_weights:
            self._rank_totals.append(self._rank_totals[-1] + weight)
        self._national_defaults = {
            n.id: lex.national_rules.get(n.id, {}).get("default", n.national_2018 or "none")
            for n in chain.nodes.values()
        }
        self._off_chain = Classification(
            is_ai_chain=False,
            nodes=(),
            national_2018="none",
            confidence=1.0,
            needs_review=False,
            ai_score=0.0,
            chain=chain.id,
            chain_version=chain.version,
        )

    @property
    def terms(self) -> list[str]:
        """Every term the scope automaton looks for (normalised), for inspection and tests."""
        return [t.text for t in self._scope_terms]

    # -------------------------------------------------------------------------------- matching

    def _scan(self, norm: str, name: bool = False) -> list[_Hit]:
        automaton, terms = (
            (self._name_automaton, self._name_terms) if name else (self._scope_automaton, self._scope_terms)
        )
        hits = []
        size = len(norm)
        for index, start, end in automaton.find_matches_as_indexes(norm, overlapping=True):
            t = terms[index]
            # Latin terms match whole words only: AI is not in MAIL, EMS is not in MEMS.
            if t.ascii_left and start > 0 and _is_ascii_alnum(norm[start - 1]):
                continue
            if t.ascii_right and end < size and _is_ascii_alnum(norm[end]):
                continue
            hits.append((start, end, t))
        return hits

    @staticmethod
    def _resolve(hits: list[_Hit]) -> tuple[list[_Hit], list[_Hit]]:
        """Drop includes covered by an exclusion or a longer include; return (includes, exclusions)."""
        includes: list[_Hit] = []
        excludes: list[_Hit] = []
        for hit in hits:
            if hit[2].include:
                includes.append(hit)
            elif hit[2].exclude:
                excludes.append(hit)
        # Most registry scopes hit only one kind (trade items matching exclusions, or chain terms alone):
        # then nothing can cover anything across the two lists.
        if not excludes:
            return _outermost(includes), excludes
        if not includes:
            return includes, _outermost(excludes)
        # An exclusion inside a longer keyword is part of that keyword, not a look-alike. (Plain loops:
        # any() over a generator costs a frame per hit pair, and this runs for every record with both.)
        kept_excludes = []
        for x in excludes:
            x_start, x_end = x[0], x[1]
            for i in includes:
                if i[0] <= x_start and x_end <= i[1] and i[1] - i[0] > x_end - x_start:
                    break
            else:
                kept_excludes.append(x)
        kept_includes = []
        for i in includes:
            i_start, i_end = i[0], i[1]
            for x in kept_excludes:
                if x[0] <= i_start and i_end <= x[1]:
                    break
            else:
                kept_includes.append(i)
        return _outermost(kept_includes), _outermost(kept_excludes)

    # -------------------------------------------------------------------------------- decision

    def classify(self, text: str, name: str | None = None, *, exclusions: bool = True) -> Classification:
        """Classify one enterprise from its business scope (or product text) and optional name.

        exclusions=False leaves `excluded` empty on off-chain results: batch screening never prints that
        counter-evidence, and building it is a tenth of the time spent on an ordinary registry record.
        """
        text = text or ""
        norm = match_form(text)
        includes, excludes = self._resolve(self._scan(norm))
        if not includes:
            # No chain evidence in the scope: the name alone never puts an enterprise on the chain.
            if not excludes:
                return self._off_chain
            # The off-chain result with the exclusions as counter-evidence; built directly, because
            # dataclasses.replace costs more than the rest of this path (most registry records end here).
            return Classification(
                is_ai_chain=False,
                nodes=(),
                national_2018="none",
                confidence=1.0,
                needs_review=False,
                ai_score=0.0,
                excluded=self._evidence(text, excludes) if exclusions else (),
                chain=self.chain.id,
                chain_version=self.chain.version,
                reasons=_EXCLUDED_REASONS,
            )
        items = Items(norm)
        rank_weights = self._rank_weights
        generic_node = self.generic_node

        # Per item: its action factor and strongest AI evidence; per node and item, the strongest evidence.
        action: dict[int, float] = {}
        item_strength: dict[int, float] = {}
        node_item: dict[str, dict[int, float]] = {}
        raw_evidence: list[tuple[str, float, int, int, str]] = []
        located = []
        item_spans: dict[int, list[tuple[int, int]]] = {}
        for hit in includes:
            i = items.index(hit[0], hit[1])
            if i >= 0:  # otherwise inside boilerplate or across items
                located.append((i, hit))
                item_spans.setdefault(i, []).append((hit[0], hit[1]))
        for i, spans in item_spans.items():
            # Verbs inside the keywords themselves (算力租赁, 智能制造) are part of the product, not
            # what the item does with it: look for verbs only in the rest of the item.
            parts = []
            pos = i
            for start, end in spans:
                if start > pos:
                    parts.append(norm[pos:start])
                pos = max(pos, end)
            parts.append(items.text(i)[pos - i :])
            piece = "|".join(parts)
            weak = _WEAK_ACTIONS.search(piece) is not None
            action[i] = WEAK_ACTION if weak and _STRONG_ACTIONS.search(piece) is None else 1.0
        for i, (start, end, t) in located:
            factor = action[i]
            rank = items.rank(i)
            rank_weight = rank_weights[rank] if rank < 4096 else rank_weights[-1]
            for node, weight in t.include:
                value = weight * factor
                if value > item_strength.get(i, 0.0):
                    item_strength[i] = value
                if node == GENERIC:
                    if generic_node is None:
                        continue
                    node = generic_node
                    value *= GENERIC_NODE_SHARE
                contribution = value * rank_weight
                per_item = node_item.setdefault(node, {})
                if contribution > per_item.get(i, 0.0):
                    per_item[i] = contribution
                raw_evidence.append((node, contribution, start, end, t.text))

        scope_score = 0.0
        if item_strength:
            miss = 1.0
            share = 0.0
            for i, strength in item_strength.items():
                rank = items.rank(i)
                value = strength * (rank_weights[rank] if rank < 4096 else rank_weights[-1])
                miss *= 1.0 - value
                share += value
            total = self._rank_totals[min(items.substantive, 4096)] or 1.0
            # Decide by where the business is: evidence buried in a long list of other trades counts less.
            scope_score = (1.0 - miss) * (0.55 + 0.45 * min(1.0, share / total / SHARE_FULL))

        name_score, name_nodes, name_hits = self._name_signal(name) if name else (0.0, {}, [])
        amplify = min(1.0, scope_score / 0.15)
        ai_score = 1.0 - (1.0 - scope_score) * (1.0 - name_score * amplify)
        is_ai = ai_score > AI_THRESHOLD

        # Nodes rank by the sum of their per-item evidence (a node carried by several items beats one
        # carried by a single item); the score shown is that sum squashed into 0..1.
        mass = {node: sum(per_item.values()) for node, per_item in node_item.items()}
        for node, value in name_nodes.items():
            if node in mass or value >= 0.3:
                mass[node] = mass.get(node, 0.0) + value * 0.5
        ranked = sorted(mass.items(), key=lambda kv: (-round(kv[1], 6), kv[0]))

        reasons: list[str] = []
        if is_ai:
            top = ranked[0][1]
            shown = [
                node
                for k, (node, value) in enumerate(ranked[:MAX_NODES])
                if k == 0 or value >= SECONDARY_RATIO * top
            ]
            primary = shown[0]
            national = self._national(primary, node_item.get(primary, {}), items, includes)
            second = ranked[1][1] if len(ranked) > 1 else 0.0
            margin = (top - second) / top if top else 0.0
            confidence = (0.5 + abs(ai_score - AI_THRESHOLD)) * (0.75 + 0.25 * margin)
            if margin < 0.15:
                reasons.append("主节点与次节点得分接近")
            if scope_score < 0.3:
                reasons.append("经营范围中的证据较弱，主要依据企业名称")
        else:
            shown = [node for node, _ in ranked[:3]]
            national = "none"
            margin = 1.0
            confidence = 0.5 + abs(ai_score - AI_THRESHOLD)
            if excludes:
                reasons.append("命中的词语被排除说法覆盖")
        if abs(ai_score - AI_THRESHOLD) < REVIEW_BELOW - 0.5:
            reasons.append("是否属于产业链的得分接近阈值")
        node_scores = self._node_scores(shown, mass, raw_evidence, name_hits, text, name or "")
        confidence = max(0.0, min(1.0, confidence))
        return Classification(
            is_ai_chain=is_ai,
            nodes=node_scores if is_ai else (),
            national_2018=national,
            confidence=confidence,
            needs_review=confidence < REVIEW_BELOW or (is_ai and margin < 0.15),
            ai_score=ai_score,
            candidates=() if is_ai else node_scores,
            excluded=self._evidence(text, excludes) if excludes else (),
            chain=self.chain.id,
            chain_version=self.chain.version,
            reasons=tuple(reasons),
        )

    @staticmethod
    def _evidence(text: str, hits: list[_Hit]) -> tuple[Evidence, ...]:
        return tuple(Evidence(t.text, text[s:e], s, e, "scope", 0.0) for s, e, t in hits)

    @staticmethod
    def _node_scores(
        shown: list[str],
        mass: Mapping[str, float],
        raw_evidence: list[tuple[str, float, int, int, str]],
        name_hits: list[tuple[str, float, int, int, str]],
        text: str,
        name: str,
    ) -> tuple[NodeScore, ...]:
        """Build the ranked node list with evidence, only for the nodes shown."""
        wanted = set(shown)
        found: dict[str, list[Evidence]] = {node: [] for node in shown}
        for node, weight, start, end, term in raw_evidence:
            if node in wanted:
                found[node].append(Evidence(term, text[start:end], start, end, "scope", weight))
        for node, weight, start, end, term in name_hits:
            if node in wanted:
                found[node].append(Evidence(term, name[start:end], start, end, "name", weight))
        return tuple(
            NodeScore(
                node, 1.0 - math.exp(-2.0 * mass[node]), tuple(sorted(found[node], key=lambda e: -e.weight))
            )
            for node in shown
        )

    def _name_signal(
        self, name: str
    ) -> tuple[float, dict[str, float], list[tuple[str, float, int, int, str]]]:
        """Return how strongly the name says AI, per-node name weights, and the name hits."""
        norm = match_form(name)
        hits = self._scan(norm, name=True)
        includes, _ = self._resolve(hits)
        per_node: dict[str, float] = {}
        found: list[tuple[str, float, int, int, str]] = []
        for start, end, t in includes:
            for node, weight in t.include:
                value = weight * NAME_KEYWORD
                per_node[node] = max(per_node.get(node, 0.0), value)
                found.append((node, value, start, end, t.text))
        for start, end, t in hits:
            if not t.cues or any(s <= start and end <= e for s, e, _ in includes):
                continue
            for node, weight in t.cues:
                per_node[node] = max(per_node.get(node, 0.0), weight)
                found.append((node, weight, start, end, t.text))
        generic = per_node.pop(GENERIC, 0.0)
        strength = 1.0 - (1.0 - generic) * math.prod(1.0 - w for w in per_node.values())
        return min(strength, 0.9), per_node, found

    def _national(self, node: str, per_item: Mapping[int, float], items: Items, hits: list[_Hit]) -> str:
        """Vote the national 2018 code over the items that carry the primary node's evidence."""
        rules = self.lexicon.national_rules.get(node, {})
        default = self._national_defaults.get(node, "none")
        official: dict[int, tuple[int, str]] = {}
        for start, end, t in hits:
            if t.national is None:
                continue
            i = items.index(start, end)
            if i in per_item and end - start > official.get(i, (0, ""))[0]:
                official[i] = (end - start, t.national)
        votes: dict[str, float] = {}
        for i, weight in per_item.items():
            if i in official:
                code = official[i][1]
                weight *= 1.5  # an official phrase or a rule term says more than the item's verb
            else:
                piece = items.text(i)
                mode = next((m for m, pattern in _MODE_PATTERNS if pattern.search(piece)), None)
                code = rules.get(mode, default) if mode else default
            votes[code] = votes.get(code, 0.0) + weight
        if not votes:
            return default
        return max(votes.items(), key=lambda kv: (kv[1], kv[0] != "none"))[0]


# ------------------------------------------------------------------------------------ module API


@functools.lru_cache(maxsize=8)
def get_classifier(chain: Chain | None = None) -> Classifier:
    """Return the compiled classifier for a chain (default: the shipped AI chain), built once."""
    return Classifier(chain if chain is not None else get_chain("ai"))


def classify(text: str, name: str | None = None, chain: Chain | None = None) -> Classification:
    """Classify one enterprise's business scope (and name) onto the chain."""
    return get_classifier(chain).classify(text, name)


def classify_many(
    records: Iterable[tuple[str, str | None]], chain: Chain | None = None
) -> list[Classification]:
    """Classify (text, name) pairs with one compiled classifier."""
    classifier = get_classifier(chain)
    return [classifier.classify(text, name) for text, name in records]
