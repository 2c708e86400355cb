"""Industry chains as data: load, validate and look up chain definitions kept in YAML files."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

# Node ids of the AI chain fixed by the product specification; data elsewhere is keyed by them,
# so a chain file with id "ai" must keep every one of them (it may add more).
CANONICAL_AI_NODE_IDS: tuple[str, ...] = (
    "chip",
    "sensor",
    "motion",
    "display",
    "odm",
    "compute",
    "data",
    "basesoft",
    "models",
    "vision",
    "speech",
    "nlp",
    "biometrics",
    "hci",
    "decision",
    "robot",
    "phone",
    "wearable",
    "drone",
    "vehicle",
    "manufacturing",
    "home",
    "security",
    "health",
    "transport",
    "city",
    "education",
    "finance",
)

CHAINS_DIR = Path(__file__).parent / "chains"
CHAIN_SUFFIXES = (".yaml", ".yml")

_CHAIN_REQUIRED = ("id", "name", "version", "layers", "nodes")
_CHAIN_OPTIONAL = ("description", "segments", "tracks", "national_2018", "keywords", "exclude")
_NODE_REQUIRED = ("id", "name", "layer")
_NODE_OPTIONAL = (
    "segment",
    "track",
    "national_2018",
    "gb4754",
    "downstream",
    "description",
    "keywords",
    "exclude",
)
_GB4754_RE = re.compile(r"^\d{4}$")
_NATIONAL_RE = re.compile(r"^\d+(\.\d+)*$")
# Ids become URL parts and database keys, so keep them to plain identifiers.
_NODE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class TaxonomyError(ValueError):
    """A chain definition is invalid; the message lists every problem found."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = f"产业链定义有 {len(self.problems)} 处问题：\n" + "\n".join(
                f"- {p}" for p in self.problems
            )
        super().__init__(message)


@dataclass(frozen=True)
class Category:
    """A named value of one chain dimension: a layer, a segment (芯/器/端) or a track (造车健城)."""

    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class NationalItem:
    """One GB/T 4754 industry listed under a national 2018 AI category."""

    gb4754: str
    name: str
    partial: bool
    content: tuple[str, ...] = ()


@dataclass(frozen=True)
class NationalCategory:
    """A category of the national strategic emerging industries classification (2018), e.g. 1.5.1."""

    code: str
    name: str
    items: tuple[NationalItem, ...] = ()


@dataclass(frozen=True)
class ChainNode:
    """One link of an industry chain, with the keywords that recognise it in free text."""

    id: str
    name: str
    layer: str
    segment: str | None
    track: str | None
    national_2018: str | None
    gb4754: tuple[str, ...]
    downstream: tuple[str, ...]
    description: str
    keywords: tuple[str, ...]
    exclude: tuple[str, ...]


@dataclass(frozen=True)
class Chain:
    """A validated industry chain: its dimensions and its nodes in file order."""

    id: str
    name: str
    version: str
    layers: tuple[Category, ...]
    segments: tuple[Category, ...]
    tracks: tuple[Category, ...]
    national_2018: Mapping[str, NationalCategory]
    nodes: Mapping[str, ChainNode]
    description: str = ""
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    source: Path | None = field(default=None, compare=False)

    def node(self, node_id: str) -> ChainNode:
        """Return the node with this id or raise KeyError."""
        try:
            return self.nodes[node_id]
        except KeyError:
            raise KeyError(f'产业链 "{self.id}" 没有节点 "{node_id}"') from None

    def downstream(self, node_id: str) -> list[ChainNode]:
        """Return the nodes that node_id supplies, in the order the file lists them."""
        return [self.nodes[d] for d in self.node(node_id).downstream]

    def upstream(self, node_id: str) -> list[ChainNode]:
        """Return the nodes that list node_id among their downstream nodes, in file order."""
        self.node(node_id)
        return [n for n in self.nodes.values() if node_id in n.downstream]

    def nodes_in_layer(self, layer: str) -> list[ChainNode]:
        """Return the nodes of one layer (given by id or name), in file order."""
        ids = {c.id for c in self.layers if layer in (c.id, c.name)}
        return [n for n in self.nodes.values() if n.layer in ids]

    def edges(self) -> list[tuple[str, str]]:
        """Return all (upstream id, downstream id) pairs in file order."""
        return [(n.id, d) for n in self.nodes.values() for d in n.downstream]

    def layer(self, layer_id: str) -> Category:
        """Return the layer with this id or raise KeyError."""
        return _find(self.layers, layer_id, "层级")

    def segment(self, segment_id: str) -> Category:
        """Return the segment (芯/器/端) with this id or raise KeyError."""
        return _find(self.segments, segment_id, "环节")

    def track(self, track_id: str) -> Category:
        """Return the track (造/车/健/城) with this id or raise KeyError."""
        return _find(self.tracks, track_id, "赛道")

    def national_name(self, code: str) -> str:
        """Return the name of a national 2018 category code, e.g. 1.5.1 -> 人工智能软件开发."""
        return self.national_2018[code].name

    def __hash__(self) -> int:
        # The read-only node mapping is not hashable itself; id, version and node ids identify a chain
        # well enough for caches keyed by chain (equal chains always share them).
        return hash((self.id, self.version, tuple(self.nodes)))


def _find(items: tuple[Category, ...], item_id: str, what: str) -> Category:
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(f'没有{what} "{item_id}"')


class _Problems:
    """Collects problems so that one run reports all of them, each prefixed with the file name."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(f"{self.label}: {message}")

    def node(self, node_id: str, fld: str, reason: str) -> None:
        self.add(f'节点 "{node_id}" 的 {fld} {reason}')


def _describe(value: Any) -> str:
    if value is None:
        return "空值"
    return f"{type(value).__name__} {value!r}"


def _text(value: Any) -> str | None:
    """Return a non-empty string, or None when the value is not one."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _optional_code(value: Any) -> str | None:
    # Blank cells mean "none"; numbers are accepted because YAML turns unquoted codes into ints.
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return str(value)
    return str(value).strip()


def _string_list(value: Any, problems: _Problems, *, node_id: str | None, fld: str) -> tuple[str, ...]:
    """Read a list of non-empty strings, reporting every element that is not one."""

    def report(reason: str) -> None:
        if node_id is None:
            problems.add(f"{fld} {reason}")
        else:
            problems.node(node_id, fld, reason)

    if value is None:
        return ()
    if not isinstance(value, list):
        report(f"应为列表，实际是 {_describe(value)}")
        return ()
    out: list[str] = []
    for i, item in enumerate(value, start=1):
        if not isinstance(item, str):
            report(f"第 {i} 项不是字符串：{_describe(item)}")
        elif not item.strip():
            report(f"第 {i} 项是空字符串")
        elif item.strip() not in out:
            out.append(item.strip())
    return tuple(out)


def _categories(data: Mapping[str, Any], key: str, problems: _Problems) -> tuple[Category, ...]:
    raw = data.get(key)
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.add(f"{key} 应为列表，实际是 {_describe(raw)}")
        return ()
    out: list[Category] = []
    seen: set[str] = set()
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.add(f"{key} 第 {i} 项应为包含 id 和 name 的映射，实际是 {_describe(item)}")
            continue
        cid = _optional_code(item.get("id"))
        name = _text(item.get("name"))
        if cid is None:
            problems.add(f"{key} 第 {i} 项缺少必填字段 id")
            continue
        if name is None:
            problems.add(f'{key} 中 "{cid}" 缺少必填字段 name')
            name = cid
        if cid in seen:
            problems.add(f'{key} 中 id "{cid}" 重复')
            continue
        seen.add(cid)
        out.append(Category(cid, name, _text(item.get("description")) or ""))
    return tuple(out)


def _national(data: Mapping[str, Any], problems: _Problems) -> dict[str, NationalCategory]:
    raw = data.get("national_2018")
    if raw is None:
        return {}
    if not isinstance(raw, list):
        problems.add(f"national_2018 应为列表，实际是 {_describe(raw)}")
        return {}
    out: dict[str, NationalCategory] = {}
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.add(f"national_2018 第 {i} 项应为映射，实际是 {_describe(item)}")
            continue
        code = _optional_code(item.get("code"))
        if code is None:
            problems.add(f"national_2018 第 {i} 项缺少必填字段 code")
            continue
        if not _NATIONAL_RE.match(code):
            problems.add(f'national_2018 代码 "{code}" 格式不正确（应形如 1.5.1）')
        if code in out:
            problems.add(f'national_2018 代码 "{code}" 重复')
            continue
        name = _text(item.get("name"))
        if name is None:
            problems.add(f'national_2018 "{code}" 缺少必填字段 name')
            name = code
        items: list[NationalItem] = []
        raw_items = item.get("items") or []
        if not isinstance(raw_items, list):
            problems.add(f'national_2018 "{code}" 的 items 应为列表')
            raw_items = []
        for j, sub in enumerate(raw_items, start=1):
            if not isinstance(sub, dict):
                problems.add(f'national_2018 "{code}" 的 items 第 {j} 项应为映射')
                continue
            gb = _optional_code(sub.get("gb4754"))
            if gb is None or not _GB4754_RE.match(gb):
                problems.add(f'national_2018 "{code}" 的 items 第 {j} 项 gb4754 "{gb}" 不是4位行业代码')
                continue
            content = _string_list(
                sub.get("content"),
                problems,
                node_id=None,
                fld=f'national_2018 "{code}" 的 items 第 {j} 项 content',
            )
            items.append(NationalItem(gb, _text(sub.get("name")) or "", bool(sub.get("partial")), content))
        out[code] = NationalCategory(code, name, tuple(items))
    return out


def _find_cycles(graph: Mapping[str, tuple[str, ...]]) -> list[list[str]]:
    """Return each elementary cycle found by depth-first search, as a closed path of ids."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(graph, white)
    cycles: list[list[str]] = []
    seen_cycles: set[frozenset[str]] = set()
    for start in graph:
        if colour[start] != white:
            continue
        # Iterative DFS: the stack holds (node, iterator over its successors).
        path: list[str] = [start]
        stack = [(start, iter(graph[start]))]
        colour[start] = grey
        while stack:
            current, successors = stack[-1]
            nxt = next(successors, None)
            if nxt is None:
                colour[current] = black
                stack.pop()
                path.pop()
                continue
            if nxt not in graph or nxt == current:
                continue  # dangling edges and self-loops are reported separately
            if colour[nxt] == grey:
                cycle = [*path[path.index(nxt) :], nxt]
                key = frozenset(cycle)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    cycles.append(cycle)
            elif colour[nxt] == white:
                colour[nxt] = grey
                path.append(nxt)
                stack.append((nxt, iter(graph[nxt])))
    return cycles


def parse_chain(data: Any, label: str, *, expected_id: str | None = None) -> Chain:
    """Validate already-parsed YAML data and build a Chain; raise TaxonomyError listing all problems."""
    problems = _Problems(label)
    if not isinstance(data, dict):
        problems.add(f"顶层应为映射（id、name、layers、nodes 等），实际是 {_describe(data)}")
        raise TaxonomyError(problems.items)

    for key in _CHAIN_REQUIRED:
        if data.get(key) in (None, "", []):
            problems.add(f"缺少必填字段 {key}")
    for key in data:
        if key not in _CHAIN_REQUIRED and key not in _CHAIN_OPTIONAL:
            problems.add(f"未知的顶层字段 {key}")

    chain_id = _optional_code(data.get("id")) or ""
    if chain_id and expected_id is not None and chain_id != expected_id:
        problems.add(f'id "{chain_id}" 与文件名 "{expected_id}" 不一致')
    layers = _categories(data, "layers", problems)
    segments = _categories(data, "segments", problems)
    tracks = _categories(data, "tracks", problems)
    national = _national(data, problems)
    chain_keywords = _string_list(data.get("keywords"), problems, node_id=None, fld="keywords")
    chain_exclude = _string_list(data.get("exclude"), problems, node_id=None, fld="exclude")

    layer_ids = {c.id for c in layers}
    segment_ids = {c.id for c in segments}
    track_ids = {c.id for c in tracks}

    raw_nodes = data.get("nodes")
    if raw_nodes is not None and not isinstance(raw_nodes, list):
        problems.add(f"nodes 应为列表，实际是 {_describe(raw_nodes)}")
        raw_nodes = []
    nodes: dict[str, ChainNode] = {}
    for index, raw in enumerate(raw_nodes or [], start=1):
        node = _parse_node(raw, index, problems, layer_ids, segment_ids, track_ids, national)
        if node is None:
            continue
        if node.id in nodes:
            problems.add(f'节点 id "{node.id}" 重复（第 {index} 个节点）')
            continue
        nodes[node.id] = node

    for node in nodes.values():
        for target in node.downstream:
            if target == node.id:
                problems.node(node.id, "downstream", "指向自身（自环）")
            elif target not in nodes:
                problems.node(node.id, "downstream", f'指向不存在的节点 "{target}"')
    for cycle in _find_cycles({n.id: n.downstream for n in nodes.values()}):
        problems.node(cycle[0], "downstream", "形成环路：" + " → ".join(cycle))

    if chain_id == "ai":
        for canonical in CANONICAL_AI_NODE_IDS:
            if canonical not in nodes:
                problems.add(f'nodes 缺少规范节点 "{canonical}"（人工智能产业链必须保留全部规范节点）')

    if problems.items:
        raise TaxonomyError(problems.items)
    return Chain(
        id=chain_id,
        name=_text(data.get("name")) or chain_id,
        version=str(data.get("version")),
        layers=layers,
        segments=segments,
        tracks=tracks,
        national_2018=MappingProxyType(national),
        nodes=MappingProxyType(nodes),
        description=_text(data.get("description")) or "",
        keywords=chain_keywords,
        exclude=chain_exclude,
    )


def _parse_node(
    raw: Any,
    index: int,
    problems: _Problems,
    layer_ids: set[str],
    segment_ids: set[str],
    track_ids: set[str],
    national: Mapping[str, NationalCategory],
) -> ChainNode | None:
    if not isinstance(raw, dict):
        problems.add(f"第 {index} 个节点应为映射，实际是 {_describe(raw)}")
        return None
    node_id = _optional_code(raw.get("id"))
    if node_id is None:
        problems.add(f"第 {index} 个节点缺少必填字段 id")
        return None
    if not _NODE_ID_RE.match(node_id):
        problems.node(node_id, "id", "只能使用小写字母、数字和下划线，并以字母开头")
    for key in _NODE_REQUIRED[1:]:
        if _text(raw.get(key)) is None:
            problems.node(node_id, key, "缺失或为空（必填字段）")
    for key in raw:
        if key not in _NODE_REQUIRED and key not in _NODE_OPTIONAL:
            problems.node(node_id, key, "是未知字段")

    layer = _text(raw.get("layer")) or ""
    if layer and layer not in layer_ids:
        problems.node(node_id, "layer", f'"{layer}" 不是已定义的层级（{"、".join(sorted(layer_ids))}）')

    def checked(key: str, allowed: Iterable[str], what: str) -> str | None:
        value = _optional_code(raw.get(key))
        allowed = list(allowed)
        if value is not None and value not in allowed:
            choices = "、".join(allowed) or "无"
            problems.node(node_id, key, f'"{value}" 不是已定义的{what}（可选：{choices}）')
        return value

    segment = checked("segment", sorted(segment_ids), "环节")
    track = checked("track", sorted(track_ids), "赛道")
    national_code = checked("national_2018", national, "国家分类代码")

    gb_raw = raw.get("gb4754")
    gb: list[str] = []
    if gb_raw is not None and not isinstance(gb_raw, list):
        problems.node(node_id, "gb4754", f"应为4位行业代码的列表，实际是 {_describe(gb_raw)}")
    else:
        for item in gb_raw or []:
            code = _optional_code(item) or ""
            if isinstance(item, bool) or not _GB4754_RE.match(code):
                problems.node(node_id, "gb4754", f'"{item}" 不是4位国民经济行业代码（如 "6513"）')
            elif code not in gb:
                gb.append(code)

    downstream_raw = raw.get("downstream")
    downstream: list[str] = []
    if downstream_raw is not None and not isinstance(downstream_raw, list):
        problems.node(node_id, "downstream", f"应为节点 id 的列表，实际是 {_describe(downstream_raw)}")
    else:
        for item in downstream_raw or []:
            if not isinstance(item, str) or not item.strip():
                problems.node(node_id, "downstream", f"含有非节点 id 的值 {_describe(item)}")
            elif item.strip() not in downstream:
                downstream.append(item.strip())

    keywords = _string_list(raw.get("keywords"), problems, node_id=node_id, fld="keywords")
    exclude = _string_list(raw.get("exclude"), problems, node_id=node_id, fld="exclude")
    # A term cannot both indicate and rule out the same node; the classifier would flip-flop.
    for term in sorted(set(keywords) & set(exclude)):
        problems.node(node_id, "exclude", f'与 keywords 含有相同的词 "{term}"')

    return ChainNode(
        id=node_id,
        name=_text(raw.get("name")) or node_id,
        layer=layer,
        segment=segment,
        track=track,
        national_2018=national_code,
        gb4754=tuple(gb),
        downstream=tuple(downstream),
        description=_text(raw.get("description")) or "",
        keywords=keywords,
        exclude=exclude,
    )


def load_chain(path: str | Path) -> Chain:
    """Read and validate one chain file; raise TaxonomyError listing all problems."""
    path = Path(path)
    label = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TaxonomyError([f"{label}: 文件不存在（{path}）"]) from None
    except UnicodeDecodeError as exc:
        raise TaxonomyError([f"{label}: 文件不是 UTF-8 编码（{exc.reason}）"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TaxonomyError([f"{label}: {_yaml_error_message(exc)}"]) from None
    chain = parse_chain(data, label, expected_id=path.stem)
    return dataclasses.replace(chain, source=path)


def _yaml_error_message(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    detail = f"{context}，{problem}" if context else problem
    if mark is not None:
        # PyYAML counts lines and columns from zero; editors count from one.
        return f"YAML 语法错误（第 {mark.line + 1} 行第 {mark.column + 1} 列）：{detail}"
    return f"YAML 语法错误：{detail}"


def chain_files(extra_dirs: Iterable[str | Path] = ()) -> dict[str, Path]:
    """Map chain id (file stem) to file: the shipped chains, then extra directories, later ones winning."""
    files: dict[str, Path] = {}
    dirs = [CHAINS_DIR, *(Path(d) for d in extra_dirs)]
    for directory in dirs:
        if not directory.is_dir():
            raise TaxonomyError([f"产业链定义目录不存在：{directory}"])
        for path in sorted(directory.iterdir()):
            if path.suffix in CHAIN_SUFFIXES and path.is_file():
                # A city may override a shipped chain (e.g. add nodes) by reusing its file name.
                files[path.stem] = path
    return files


@functools.lru_cache(maxsize=64)
def _load_cached(path: str, mtime_ns: int, size: int) -> Chain:
    # mtime and size are part of the key so that an edited file is read again.
    return load_chain(path)


def get_chain(chain_id: str = "ai", extra_dirs: Iterable[str | Path] = ()) -> Chain:
    """Return the chain with this id from the shipped or extra chain files (cached until the file changes)."""
    files = chain_files(extra_dirs)
    path = files.get(chain_id)
    if path is None:
        available = "、".join(sorted(files)) or "无"
        raise TaxonomyError([f'未找到产业链 "{chain_id}"（可用：{available}）'])
    stat = path.stat()
    return _load_cached(str(path), stat.st_mtime_ns, stat.st_size)


def list_chains(extra_dirs: Iterable[str | Path] = ()) -> list[Chain]:
    """Return every available chain, ordered by id."""
    extra = tuple(extra_dirs)
    return [get_chain(chain_id, extra) for chain_id in sorted(chain_files(extra))]
