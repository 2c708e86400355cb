"""Rank suppliers for a scenario demand (and demands for a supplier), with a short reason for each match.

How it ranks, in short: every text is normalised (Traditional to Simplified, full width, case) and read
twice by Aho-Corasick automata. The first segments it into words by longest match over jieba's
dictionary plus the chain's keywords and the capability phrases (the user dictionary), feeding a BM25
index (Okapi BM25, the Lucene variant that bm25s also uses, built here in one sparse-matrix pass so that
indexing stays fast). The second finds capability phrases: what a supplier offers (视觉检测, 预测性维护)
and what a demand complains about (漏检, 停机), mapped by `data/capabilities.yaml` to capabilities and
chain nodes. A supplier's score mixes how much of the demand's needed capabilities it offers, chain-node
overlap and BM25 relevance of the demand expanded with the capabilities' own vocabulary. Shared words
alone count for little when the demand names needs the supplier does not offer, and a supplier that only
sells, rents or repairs is marked down. Locality and a track record add small bonuses.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick_rs
import numpy as np
from scipy import sparse

from lianzhang.classify.lexicon import load_lexicon
from lianzhang.classify.normalize import match_form
from lianzhang.scenarios.engine.knowledge import Knowledge, load_knowledge
from lianzhang.taxonomy import Chain, get_chain

NEED = "need"  # a scenario demand: problems and wanted capabilities
OFFER = "offer"  # a supplier profile: delivered capabilities

# Score mix. Set on the tuning half of tests/scenarios/data (see benchmarks/match_quality.py); the
# other half is only measured.
W_CAP = 0.50  # share of the demand's needed capabilities the supplier offers
W_NODE = 0.15  # chain-node overlap
W_TEXT = 0.50  # text relevance (words and character pairs), normalised by the best document
W_NODE_PLAIN = 0.20  # node weight when the demand names no known capability
W_TEXT_PLAIN = 0.80
TEXT_WITHOUT_CAPABILITY = 0.35  # text relevance kept when the supplier offers none of the needs
TRADE_FACTOR = 0.45  # a supplier that only trades, rents or repairs
EXPANSION = 0.3  # weight of the capability vocabulary added to the demand's own words
BIGRAM_SHARE = 0.5  # text relevance: this share from character pairs, the rest from words
LOCAL_BONUS = 0.04
RECORD_BONUS = 0.03
SUPPLIER_PROBLEM = 0.35  # a supplier naming a problem is weaker evidence than naming the capability
WEAK = 0.5
SATURATION = 1.2  # strength = 1 - exp(-SATURATION * evidence)
SECOND_NODE = 0.6  # a capability's later nodes count this much of its strength
# A demand's needs are weighted by strength to this power: cubed rather than squared, so a side remark (the
# VOC complaint in a spray-painting demand) does not share the score with the main need; nDCG@10 on the
# development set 0.865 → 0.871, on the blind set 0.861 → 0.866.
NEED_POWER = 3

_STOPWORDS = frozenset(
    (
        "我们",
        "公司",
        "企业",
        "提供",
        "需要",
        "希望",
        "进行",
        "相关",
        "以及",
        "主要",
        "目前",
        "没有",
        "可以",
        "通过",
        "实现",
        "问题",
        "服务",
        "能够",
        "已经",
        "包括",
        "这个",
        "一些",
        "工作",
        "情况",
        "方面",
        "其他",
        "技术",
        "产品",
        "有限公司",
        "一家",
        "自己",
        "现在",
        "每天",
        "经常",
        "比较",
        "非常",
        "如何",
        "为了",
        "导致",
        "由于",
        "因为",
        "所以",
        "但是",
        "帮助",
        "专注",
        "致力于",
        "领先",
        "行业",
        "客户",
        "用户",
        "项目",
        "系统",
        "方案",
        "解决方案",
        "平台",
    )
)
_ASCII_WORD = re.compile(r"[A-Z0-9][A-Z0-9+]*")
# Counts of clients or projects ("服务50余家"); words that speak of delivered cases are phrases instead.
_RECORD = re.compile(r"(\d+)\s*[余多个]?\s*[家个项所座]")
_RECORD_WORDS = ("案例", "标杆", "示范", "已服务", "落地", "交付")
CASE_WORDS_RECORD = 0.3  # track record when the text speaks of cases without a count
_MIN_DICT_FREQ = 10  # rarer jieba words are mostly names; leaving them out changes no dev-set ranking
_DICT_LINE = re.compile(r"^(\S\S+) (\d+)", re.MULTILINE)


@dataclass(frozen=True)
class Record:
    """One text to match: a demand (title + text) or a supplier (name + text), with optional facts."""

    id: str
    text: str
    title: str = ""
    nodes: tuple[str, ...] = ()
    place: str = ""
    cases: int | None = None


@dataclass(slots=True)
class Profile:
    """What the analyser read from one text."""

    norm: str  # the normalised text
    tokens: tuple[str, ...]
    caps: dict[int, float]  # capability index -> strength 0..1
    cap_terms: dict[int, tuple[str, ...]]  # capability index -> phrases found
    nodes: dict[str, float]
    trade_only: bool
    places: frozenset[str]
    record: float


@dataclass(frozen=True)
class Match:
    """One ranked result."""

    id: str
    score: float
    reason: str
    capabilities: tuple[str, ...] = ()
    nodes: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@functools.lru_cache(maxsize=1)
def _jieba_words() -> tuple[str, ...]:
    """Common words of jieba's main dictionary (two characters or more), read without importing jieba."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        return ()
    path = Path(spec.origin).parent / "dict.txt"
    if not path.is_file():
        return ()
    # One regular expression over the whole file is several times faster than splitting 350,000 lines.
    pairs = _DICT_LINE.findall(path.read_text(encoding="utf-8"))
    return tuple(word for word, freq in pairs if int(freq) >= _MIN_DICT_FREQ and not word.isascii())


class Analyzer:
    """Compiled vocabulary: a word segmenter and a capability/node/place phrase finder."""

    def __init__(self, knowledge: Knowledge | None = None, chain: Chain | None = None) -> None:
        self.knowledge = knowledge if knowledge is not None else load_knowledge()
        self.chain = chain if chain is not None else get_chain("ai")
        self.capabilities = self.knowledge.capabilities
        lexicon = load_lexicon(self.chain.id)
        # phrase -> targets: ("cap", index, kind) | ("node", id) | ("trade",) | ("make",) | ("place", name)
        targets: dict[str, list[tuple]] = {}

        def add(raw: str, target: tuple) -> None:
            key = match_form(raw.strip())
            if key and target not in targets.setdefault(key, []):
                targets[key].append(target)

        for index, cap in enumerate(self.capabilities):
            for raw in cap.offers:
                add(raw, ("cap", index, "offer"))
            for raw in cap.problems:
                add(raw, ("cap", index, "problem"))
            for raw in cap.weak:
                add(raw, ("cap", index, "weak"))
        for node in self.chain.nodes.values():
            for raw in (*node.keywords, *lexicon.aliases.get(node.id, ())):
                add(raw, ("node", node.id))
        for raw in self.knowledge.trade:
            add(raw, ("trade",))
        for raw in self.knowledge.make:
            add(raw, ("make",))
        for raw in self.knowledge.places:
            add(raw, ("place", match_form(raw)))
        self._phrases = list(targets)
        self._ascii_edges = [(_is_ascii_alnum(p[0]), _is_ascii_alnum(p[-1])) for p in self._phrases]
        self._latin_edge = [left or right for left, right in self._ascii_edges]
        # Per phrase and role, precomputed: (capability, evidence weight) pairs, nodes, and flags.
        self._cap_weights = {
            role: [
                tuple((t[1], _evidence_weight(role, t[2])) for t in targets[p] if t[0] == "cap")
                for p in self._phrases
            ]
            for role in (NEED, OFFER)
        }
        self._node_targets = [tuple(t[1] for t in targets[p] if t[0] == "node") for p in self._phrases]
        self._trade = [any(t[0] == "trade" for t in targets[p]) for p in self._phrases]
        self._make = [any(t[0] == "make" for t in targets[p]) for p in self._phrases]
        self._place = [next((t[1] for t in targets[p] if t[0] == "place"), None) for p in self._phrases]
        self._build_matrices(targets)
        # Leftmost-longest: a phrase inside a longer one (缺陷 in 缺陷检测) is part of it, not more evidence.
        self._phrase_automaton = ahocorasick_rs.AhoCorasick(
            self._phrases, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
        )
        # The user dictionary (chain keywords, capability phrases) joins jieba's words for segmentation.
        user = [p for p in self._phrases if not p.isascii()]
        words = sorted({*(w.upper() for w in _jieba_words()), *user})
        self._segmenter = ahocorasick_rs.AhoCorasick(
            words,
            matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
            store_patterns=True,  # returning stored strings is several times faster than rebuilding them
            implementation=ahocorasick_rs.Implementation.ContiguousNFA,
        )

    def _build_matrices(self, targets: dict[str, list[tuple]]) -> None:
        """Phrase → capability / node / flag matrices, so that many texts are profiled in a few products."""
        n_phrases, n_caps = len(self._phrases), len(self.capabilities)
        node_col = {n: i for i, n in enumerate(self.chain.nodes)}
        self.cap_matrix = {}
        for role, per_phrase in self._cap_weights.items():
            rows, cols, vals = [], [], []
            for p, pairs in enumerate(per_phrase):
                for cap, weight in pairs:
                    rows.append(p)
                    cols.append(cap)
                    vals.append(weight)
            self.cap_matrix[role] = sparse.csr_matrix((vals, (rows, cols)), shape=(n_phrases, n_caps))
        rows, cols = [], []
        for p, nodes in enumerate(self._node_targets):
            for node in nodes:
                rows.append(p)
                cols.append(node_col[node])
        self.node_matrix = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(n_phrases, len(node_col))
        )
        rows, cols, vals = [], [], []
        for c, cap in enumerate(self.capabilities):
            for rank, node in enumerate(cap.nodes):
                rows.append(c)
                cols.append(node_col[node])
                vals.append(1.0 if rank == 0 else SECOND_NODE)
        self.cap_node_matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(n_caps, len(node_col)))
        self.trade_vector = np.asarray(self._trade, dtype=np.float64)
        self.make_vector = np.asarray(self._make, dtype=np.float64)
        self.place_names = sorted({p for p in self._place if p is not None})
        place_col = {p: i for i, p in enumerate(self.place_names)}
        rows = [i for i, p in enumerate(self._place) if p is not None]
        cols = [place_col[self._place[i]] for i in rows]
        self.place_matrix = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(n_phrases, len(self.place_names))
        )

    def tokens(self, text: str) -> tuple[str, ...]:
        """Words of a text for BM25: dictionary words, chain terms and Latin words, without stopwords."""
        return self._tokens(match_form(text))

    def _tokens(self, norm: str) -> tuple[str, ...]:
        # Stopwords stay in documents (they count towards length, as in plain BM25) and are left out of
        # queries, which is cheaper than filtering every indexed word.
        words = self._segmenter.find_matches_as_strings(norm)
        words.extend(w for w in _ASCII_WORD.findall(norm) if not w.isdigit() or len(w) >= 5)
        return tuple(words)

    def _phrase_indexes(self, norm: str) -> dict[int, None]:
        """Indexes of the phrases found in a normalised text, each once, in order of first occurrence."""
        found: dict[int, None] = {}
        latin = self._latin_edge
        for index, start, end in self._phrase_automaton.find_matches_as_indexes(norm):
            # Latin phrases match whole words only: AR is not in CAR, BI is not in MOBILE.
            if latin[index] and not self._whole_word(norm, index, start, end):
                continue
            found[index] = None
        return found

    def _whole_word(self, norm: str, index: int, start: int, end: int) -> bool:
        left, right = self._ascii_edges[index]
        if left and start > 0 and _is_ascii_alnum(norm[start - 1]):
            return False
        return not (right and end < len(norm) and _is_ascii_alnum(norm[end]))

    def analyze(
        self, text: str, role: str, nodes: Iterable[str] = (), place: str = "", cases: int | None = None
    ) -> Profile:
        """Read one text as a demand (NEED) or a supplier (OFFER)."""
        norm = match_form(text)
        evidence: dict[int, float] = {}
        cap_terms: dict[int, list[str]] = {}
        node_mass: dict[str, float] = {}
        trade = make = False
        places: set[str] = set()
        cap_weights = self._cap_weights[role]
        for index in self._phrase_indexes(norm):
            for cap, weight in cap_weights[index]:
                evidence[cap] = evidence.get(cap, 0.0) + weight
                cap_terms.setdefault(cap, []).append(self._phrases[index])
            for node in self._node_targets[index]:
                node_mass[node] = node_mass.get(node, 0.0) + 1.0
            trade = trade or self._trade[index]
            make = make or self._make[index]
            if self._place[index] is not None:
                places.add(self._place[index])
        caps = {i: 1.0 - math.exp(-SATURATION * e) for i, e in evidence.items()}
        node_scores = {n: 1.0 - math.exp(-m) for n, m in node_mass.items()}
        from_caps: dict[str, float] = {}
        for i, strength in caps.items():
            for rank, node in enumerate(self.capabilities[i].nodes):
                from_caps[node] = from_caps.get(node, 0.0) + strength * (1.0 if rank == 0 else SECOND_NODE)
        for node, value in from_caps.items():
            node_scores[node] = max(node_scores.get(node, 0.0), min(1.0, value))
        for node in nodes:
            if node in self.chain.nodes:
                node_scores[node] = 1.0
        if place:
            places.add(match_form(place))
        return Profile(
            norm=norm,
            tokens=self._tokens(norm),
            caps=caps,
            cap_terms={i: tuple(t) for i, t in cap_terms.items()},
            nodes=node_scores,
            trade_only=trade and not make,
            places=frozenset(places),
            record=_record(norm, cases),
        )

    def expansion(self, caps: dict[int, float]) -> tuple[str, ...]:
        """Words of the offers of the clearly needed capabilities, to widen a demand's text query."""
        words: list[str] = []
        for i, strength in caps.items():
            if strength >= 0.5:
                for raw in self.capabilities[i].offers:
                    words.extend(self.tokens(raw))
        return tuple(dict.fromkeys(words))


def _evidence_weight(role: str, kind: str) -> float:
    if kind == "offer":
        return 1.0
    base = 1.0 if role == NEED else SUPPLIER_PROBLEM
    return base * (WEAK if kind == "weak" else 1.0)


def _record(norm: str, cases: int | None) -> float:
    """Track record 0..1: given case count, or counts and case words found in the text."""
    if cases is not None:
        return min(1.0, math.log1p(max(cases, 0)) / math.log(51))
    counts = _RECORD.findall(norm)
    if counts:
        return min(1.0, math.log1p(max(int(c[:6]) for c in counts)) / math.log(51))
    return CASE_WORDS_RECORD if any(word in norm for word in _RECORD_WORDS) else 0.0


@functools.lru_cache(maxsize=2)
def get_analyzer() -> Analyzer:
    """The analyser for the shipped knowledge and the AI chain, built once (about two seconds)."""
    return Analyzer()


def _demand_text(record: Record) -> str:
    return f"{record.title}。{record.text}" if record.title else record.text


_CJK_FIRST, _CJK_LAST = 0x3400, 0x9FFF


def _bigram_codes(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Adjacent CJK character pairs of a text as integer codes, with each pair's position."""
    chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if len(chars) < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    cjk = (chars >= _CJK_FIRST) & (chars <= _CJK_LAST)
    keep = np.flatnonzero(cjk[:-1] & cjk[1:])
    return (chars[keep].astype(np.int64) << 21) | chars[keep + 1], keep


BM25_K1 = 1.5
BM25_B = 0.75


class BM25:
    """Okapi BM25 weights precomputed into a sparse documents × terms matrix (column-sliced per query)."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, n_docs: int, n_terms: int) -> None:
        tf = sparse.csr_matrix(
            (np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(n_docs, n_terms)
        )  # repeated (document, term) pairs add up to the term frequency
        tf.sum_duplicates()
        doc_len = np.bincount(rows, minlength=n_docs).astype(np.float32)
        self.df = np.bincount(tf.indices, minlength=n_terms)
        idf = np.log1p((n_docs - self.df + 0.5) / (self.df + 0.5)).astype(np.float32)
        avg = float(doc_len.mean()) if n_docs and doc_len.mean() > 0 else 1.0
        length_norm = BM25_K1 * (1.0 - BM25_B + BM25_B * doc_len / avg)
        per_entry = np.repeat(length_norm, np.diff(tf.indptr))
        tf.data = tf.data * (BM25_K1 + 1.0) / (tf.data + per_entry) * idf[tf.indices]
        self.matrix = tf.tocsc()

    def scores(self, term_ids: Sequence[int]) -> np.ndarray:
        """BM25 score of every document for a query given as distinct term ids."""
        return np.asarray(self.matrix[:, list(term_ids)].sum(axis=1), dtype=np.float32).ravel()


def _factorize_sorted(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct codes in ascending order and each code's position among them (np.unique's answer, by
    hashing: several times faster on millions of codes)."""
    import pandas as pd

    labels, distinct = pd.factorize(codes)
    order = np.argsort(distinct)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return distinct[order], rank[labels]


def _by_best(scores: np.ndarray) -> np.ndarray:
    """Scores divided by the best one (all zeros stay zeros)."""
    top = float(scores.max()) if len(scores) else 0.0
    return scores / top if top > 0 else scores


def _saturate(matrix: sparse.csr_matrix, rate: float) -> sparse.csr_matrix:
    """1 - exp(-rate * x) on the stored values (zeros stay zero)."""
    matrix = matrix.tocsr()
    matrix.data = (1.0 - np.exp(-rate * matrix.data)).astype(np.float32)
    return matrix


@dataclass
class Index:
    """One side (suppliers or demands) compiled into matrices for fast ranking."""

    role: str
    ids: list[str]
    records: list[Record]
    analyzer: Analyzer
    bm25: BM25
    vocab: dict[str, int]
    bigram_bm25: BM25  # the same texts as character pairs: robust where segmentation differs
    bigram_codes: np.ndarray  # sorted pair codes; a code's position is its column
    caps: sparse.csr_matrix  # documents × capabilities (row-normalised when documents are demands)
    need_mass: np.ndarray  # per document: total need strength (demands); zeros for suppliers
    need_confidence: np.ndarray  # per document: strength of its strongest need (demands); zeros for suppliers
    nodes: sparse.csr_matrix  # documents × nodes
    trade: np.ndarray
    record: np.ndarray
    by_place: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def build(cls, records: Sequence[Record], role: str = OFFER, analyzer: Analyzer | None = None) -> Index:
        """Analyse and index suppliers (role OFFER) or demands (role NEED)."""
        analyzer = analyzer or get_analyzer()
        n = len(records)
        # A new word gets the next id from the counter, without a Python-level length check per word.
        vocab: dict[str, int] = defaultdict(itertools.count().__next__)
        term_ids: list[int] = []
        lengths: list[int] = []
        indptr = [0]
        phrase_ids: list[int] = []
        records_found: list[float] = []
        norms: list[str] = []
        tokens, phrases = analyzer._tokens, analyzer._phrase_indexes
        # One pass over the texts collects words and phrase hits; the profiles are then matrix products.
        for rec in records:
            norm = match_form(_demand_text(rec))
            norms.append(norm)
            words = tokens(norm)
            term_ids.extend([vocab[t] for t in words])
            lengths.append(len(words))
            phrase_ids.extend(phrases(norm))
            indptr.append(len(phrase_ids))
            records_found.append(_record(norm, rec.cases))
        record = np.asarray(records_found, dtype=np.float32)
        hits = sparse.csr_matrix(
            (np.ones(len(phrase_ids), dtype=np.float32), phrase_ids, indptr),
            shape=(n, len(analyzer._phrases)),
        )
        caps = _saturate(hits @ analyzer.cap_matrix[role], SATURATION)
        keyword_nodes = _saturate(hits @ analyzer.node_matrix, 1.0)
        cap_nodes = (caps @ analyzer.cap_node_matrix).tocsr()
        cap_nodes.data = np.minimum(cap_nodes.data, 1.0)
        # Nodes given with a record, and for demands the classifier's nodes, join by maximum.
        node_col = {nid: i for i, nid in enumerate(analyzer.chain.nodes)}
        given_rows: list[int] = []
        given_cols: list[int] = []
        given_vals: list[float] = []
        for row, rec in enumerate(records):
            found = _classified_nodes(_demand_text(rec)) if role == NEED else {}
            found.update({node: 1.0 for node in rec.nodes if node in node_col})
            for node, score in found.items():
                given_rows.append(row)
                given_cols.append(node_col[node])
                given_vals.append(score)
        given = sparse.csr_matrix((given_vals, (given_rows, given_cols)), shape=cap_nodes.shape)
        nodes = sparse.csr_matrix(keyword_nodes.maximum(cap_nodes).maximum(given), dtype=np.float32)
        trade = (hits @ analyzer.trade_vector > 0) & ~(hits @ analyzer.make_vector > 0)
        places = (hits @ analyzer.place_matrix).tocsc()
        by_place: dict[str, np.ndarray] = {}
        for col, name in enumerate(analyzer.place_names):
            rows = places.indices[places.indptr[col] : places.indptr[col + 1]]
            if len(rows):
                by_place[name] = rows.astype(np.int64)
        for row, rec in enumerate(records):
            if rec.place:
                key = match_form(rec.place)
                by_place[key] = np.union1d(by_place.get(key, np.zeros(0, dtype=np.int64)), [row])
        need_mass = np.zeros(n, dtype=np.float32)
        need_confidence = np.zeros(n, dtype=np.float32)
        caps = caps.astype(np.float32)
        if role == NEED:
            need_confidence = np.asarray(caps.max(axis=1).toarray(), dtype=np.float32).ravel()
            # A demand's capability score is the share of its needs covered, each need weighted by its
            # strength to NEED_POWER (so the main need outweighs a side remark), then divided by the row sum.
            caps = caps.power(NEED_POWER).tocsr()
            need_mass = np.asarray(caps.sum(axis=1), dtype=np.float32).ravel()
            scale = np.divide(1.0, need_mass, out=np.zeros_like(need_mass), where=need_mass > 0)
            caps = sparse.csr_matrix(sparse.diags(scale) @ caps, dtype=np.float32)
        retriever = BM25(
            np.repeat(np.arange(n), np.asarray(lengths, dtype=np.int64)),
            np.asarray(term_ids, dtype=np.int64),
            n,
            len(vocab),
        )
        # Character pairs of all texts at once: joined by a newline, so no pair spans two documents.
        codes, positions = _bigram_codes("\n".join(norms))
        row_of_char = np.repeat(np.arange(n), np.fromiter(map(len, norms), dtype=np.int64, count=n) + 1)
        bigram_codes, columns = _factorize_sorted(codes)
        bigrams = BM25(row_of_char[positions], columns, n, len(bigram_codes))
        return cls(
            role=role,
            ids=[r.id for r in records],
            records=list(records),
            analyzer=analyzer,
            bm25=retriever,
            vocab=dict(vocab),
            bigram_bm25=bigrams,
            bigram_codes=bigram_codes,
            caps=caps,
            need_mass=need_mass,
            need_confidence=need_confidence,
            nodes=nodes,
            trade=np.asarray(trade, dtype=bool).ravel(),
            record=record,
            by_place=by_place,
        )

    def __len__(self) -> int:
        return len(self.ids)

    def _text_scores(self, words: Sequence[str]) -> np.ndarray:
        ids = [self.vocab[w] for w in dict.fromkeys(words) if w in self.vocab and w not in _STOPWORDS]
        if not ids:
            return np.zeros(len(self), dtype=np.float32)
        return self.bm25.scores(ids)

    def _relevance(self, words: Sequence[str], text: str) -> np.ndarray:
        """Text relevance 0..1 of every document: words and character pairs, each scaled by its best."""
        pairs = self._bigram_scores(text)
        return (1.0 - BIGRAM_SHARE) * _by_best(self._text_scores(words)) + BIGRAM_SHARE * _by_best(pairs)

    def _bigram_scores(self, text: str) -> np.ndarray:
        codes = np.unique(_bigram_codes(text)[0])
        at = np.searchsorted(self.bigram_codes, codes)
        found = at < len(self.bigram_codes)
        found[found] = self.bigram_codes[at[found]] == codes[found]
        if not found.any():
            return np.zeros(len(self), dtype=np.float32)
        return self.bigram_bm25.scores(at[found].tolist())

    def query_profile(self, record: Record) -> Profile:
        """Analyse the query from the other side of the index."""
        role = NEED if self.role == OFFER else OFFER
        text = _demand_text(record)
        profile = self.analyzer.analyze(text, role, record.nodes, record.place, record.cases)
        return _with_classified_nodes(profile, text) if role == NEED else profile

    def scores(self, query: Profile) -> np.ndarray:
        """Score every indexed document against an analysed query."""
        n = len(self)
        n_caps = len(self.analyzer.capabilities)
        qcaps = np.zeros(n_caps, dtype=np.float32)
        for i, s in query.caps.items():
            qcaps[i] = s
        node_ids = list(self.analyzer.chain.nodes)
        qnodes = np.asarray([query.nodes.get(nid, 0.0) for nid in node_ids], dtype=np.float32)
        text = self._relevance(query.tokens, query.norm)
        expansion = self.analyzer.expansion(query.caps) if self.role == OFFER else ()
        if expansion:
            # Scaled on their own: a demand whose words match nobody must not have its expansion words
            # promoted to full relevance by the division by the best score.
            text = (1.0 - EXPANSION) * text + EXPANSION * self._relevance(expansion, "\n".join(expansion))
        node_overlap = self.nodes @ qnodes
        if self.role == OFFER:
            weights = qcaps**NEED_POWER  # the same weighting as for indexed demands
            need = float(weights.sum())
            cap = (self.caps @ weights) / need if need > 0 else np.zeros(n, dtype=np.float32)
            node_mass = float(qnodes.sum())
            has_need = np.full(n, need > 0)
            confidence = float(qcaps.max()) if n_caps else 0.0
        else:
            cap = self.caps @ qcaps
            node_mass_docs = np.asarray(self.nodes.sum(axis=1), dtype=np.float32).ravel()
            node_overlap = np.divide(
                node_overlap, node_mass_docs, out=np.zeros(n, dtype=np.float32), where=node_mass_docs > 0
            )
            node_mass = 1.0
            has_need = self.need_mass > 0
            confidence = self.need_confidence
        if self.role == OFFER:
            node_overlap = node_overlap / node_mass if node_mass > 0 else node_overlap
        node_overlap = np.minimum(node_overlap, 1.0)
        # How sure we are of the demand's needs (its strongest capability): a need read from one loose
        # phrase should neither crown the suppliers that offer it nor bury those that share its words.
        text_weight = np.where(cap > 0, 1.0, 1.0 - (1.0 - TEXT_WITHOUT_CAPABILITY) * confidence**2)
        score = np.where(
            has_need,
            W_CAP * cap * confidence + W_NODE * node_overlap + W_TEXT * text * text_weight,
            W_NODE_PLAIN * node_overlap + W_TEXT_PLAIN * text,
        )
        if self.role == OFFER:
            score = np.where(self.trade, score * TRADE_FACTOR, score)
            score = score + RECORD_BONUS * self.record
        elif query.trade_only:
            score = score * TRADE_FACTOR
        for place in query.places:
            rows = self.by_place.get(place)
            if rows is not None:
                score[rows] += LOCAL_BONUS
        return score.astype(np.float32, copy=False)

    def rank(self, record: Record, top: int = 10) -> list[Match]:
        """Return the best `top` documents for one query record, best first, each with a reason."""
        if not len(self) or top <= 0:
            return []
        query = self.query_profile(record)
        score = self.scores(query)
        k = min(top, len(self))
        # Sort the candidates by score, ties by input order, so the output is stable.
        candidates = np.argpartition(-score, k - 1)[:k] if k < len(self) else np.arange(len(self))
        order = sorted(candidates.tolist(), key=lambda i: (-float(score[i]), i))
        return [self._match(query, i, float(score[i])) for i in order]

    def profile(self, row: int) -> Profile:
        """The analysed profile of one indexed document (recomputed: only the shown matches need it)."""
        rec = self.records[row]
        text = _demand_text(rec)
        profile = self.analyzer.analyze(text, self.role, rec.nodes, rec.place, rec.cases)
        return _with_classified_nodes(profile, text) if self.role == NEED else profile

    def _match(self, query: Profile, row: int, score: float) -> Match:
        doc = self.profile(row)
        demand, supplier = (query, doc) if self.role == OFFER else (doc, query)
        caps = self.analyzer.capabilities
        shared_caps = sorted(
            (i for i in demand.caps if i in supplier.caps), key=lambda i: -demand.caps[i] * supplier.caps[i]
        )
        shared_nodes = sorted(
            (
                n
                for n in demand.nodes
                if n in supplier.nodes and min(demand.nodes[n], supplier.nodes[n]) >= 0.3
            ),
            key=lambda n: -demand.nodes[n] * supplier.nodes[n],
        )
        doc_words = set(doc.tokens)
        terms = [
            w for w in dict.fromkeys(query.tokens) if w in doc_words and w not in _STOPWORDS and len(w) >= 2
        ]
        terms.sort(key=lambda w: self.bm25.df[self.vocab[w]])  # rarer words say more
        parts = []
        if shared_caps:
            first = shared_caps[0]
            need_terms = "、".join(demand.cap_terms.get(first, ())[:3])
            offer_terms = "、".join(supplier.cap_terms.get(first, ())[:3])
            names = "、".join(caps[i].name for i in shared_caps[:3])
            parts.append(f"能力对口：{names}（需求：{need_terms}；供给：{offer_terms}）")
        elif demand.caps:
            wanted = "、".join(caps[i].name for i in sorted(demand.caps, key=lambda i: -demand.caps[i])[:2])
            parts.append(f"未见所需能力：{wanted}")
        if shared_nodes:
            parts.append(
                "共同节点：" + "、".join(self.analyzer.chain.nodes[n].name for n in shared_nodes[:3])
            )
        if terms:
            parts.append("命中词：" + "、".join(terms[:5]))
        if supplier.trade_only:
            parts.append("只见销售、代理或维修，未见研发交付能力")
        near = sorted(query.places & doc.places)
        if near:
            parts.append("同在" + "、".join(near[:2]))
        if supplier.record >= 0.3:
            parts.append("有落地案例")
        return Match(
            id=self.ids[row],
            score=round(score, 4),
            reason="；".join(parts) or ("文本相近" if score > 0 else "未见关联"),
            capabilities=tuple(caps[i].id for i in shared_caps),
            nodes=tuple(shared_nodes),
            terms=tuple(terms[:5]),
        )


def _classified_nodes(text: str) -> dict[str, float]:
    """Nodes the enterprise classifier finds in a demand's text, with their scores."""
    from lianzhang.classify import classify

    result = classify(text)
    return {node.node: node.score for node in (*result.candidates, *result.nodes)}


def _with_classified_nodes(profile: Profile, text: str) -> Profile:
    """Add the classifier's nodes to a demand's profile (demands often name technologies too)."""
    for node, score in _classified_nodes(text).items():
        if score > profile.nodes.get(node, 0.0):
            profile.nodes[node] = score
    return profile


def rank_suppliers(
    demands: Sequence[Record], suppliers: Sequence[Record], top: int = 10
) -> dict[str, list[Match]]:
    """Rank the suppliers for each demand: {demand id: matches best first}."""
    index = Index.build(suppliers, OFFER)
    return {d.id: index.rank(d, top) for d in demands}


def rank_demands(
    suppliers: Sequence[Record], demands: Sequence[Record], top: int = 10
) -> dict[str, list[Match]]:
    """Rank the demands for each supplier: {supplier id: matches best first}."""
    index = Index.build(demands, NEED)
    return {s.id: index.rank(s, top) for s in suppliers}
