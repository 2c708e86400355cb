"""The heading hierarchy of a plan: 第一章, 一、 （一） 1. （1） ① and 专栏 boxes, as a tree of nodes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lianzhang.plans.departments import trailing_annotation
from lianzhang.plans.numbers import parse_chinese_integer
from lianzhang.plans.reader import Block, Paragraph, Table
from lianzhang.plans.textnorm import normalize

CN = "[一二三四五六七八九十百零〇两]+"

# (kind, pattern) in the order they are tried; the first group is the label.
_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("chapter", re.compile(rf"^第\s*({CN}|\d+)\s*(?:章|部分|篇)[\s：:、.]*")),
    ("section", re.compile(rf"^第\s*({CN}|\d+)\s*节[\s：:、.]*")),
    ("article", re.compile(rf"^第\s*({CN}|\d+)\s*条[\s：:、.]*")),
    ("dec", re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,3})(?![\d%])\s*[、.．]?\s*(?=[^\d\s])")),
    ("box", re.compile(rf"^专栏\s*({CN}|\d+)?\s*[：:、.．]?\s*")),
    ("annex", re.compile(r"^附\s*(?:件|表)\s*(\d*)\s*[：:]?\s*")),
    ("cn", re.compile(rf"^({CN})\s*[、.．]\s*")),
    ("pcn", re.compile(rf"^[（(]\s*({CN})\s*[)）]\s*[、.．]?\s*")),
    ("pnum", re.compile(r"^[（(]\s*(\d{1,3})\s*[)）]\s*[、.．]?\s*")),
    ("pnum", re.compile(r"^([⑴-⒇])\s*")),
    ("num", re.compile(r"^(\d{1,3})\s*[、.．](?!\d)\s*")),
    ("rnum", re.compile(r"^(\d{1,3})\s*[)）]\s*")),
    ("circ", re.compile(r"^([①-⑳])\s*[、.．]?\s*")),
]
# Item levels: numbered points inside a section, as opposed to section headings.
ITEM_KINDS = ("num", "pnum", "rnum", "circ", "box", "dec1", "dec2", "dec3")
# Minor levels are sub-points of an item rather than items of their own when the item has text.
MINOR_KINDS = ("pnum", "rnum", "circ")
_TERMINAL = re.compile(r"[。！？；;!?]")


@dataclass
class Node:
    """A heading and what follows it up to the next heading: its own blocks and its sub-headings."""

    kind: str
    label: str
    title: str
    heading: str = ""
    source: str = ""
    blocks: list[Block] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    parent: Node | None = field(default=None, repr=False)
    ordinal: int = 0
    # True when the first paragraph is the rest of the heading line ('1、标题。正文…').
    inline_body: bool = False

    @property
    def path(self) -> list[Node]:
        """Nodes from the top heading down to this one (root and annex boundaries left out)."""
        nodes: list[Node] = []
        node: Node | None = self
        while node is not None and node.kind not in ("root",):
            if node.kind != "annex":
                nodes.append(node)
            node = node.parent
        return list(reversed(nodes))

    @property
    def number(self) -> str:
        """The number in the hierarchy, as the gold annotations write it: 二.(一).1, 六.(一).专栏1."""
        return ".".join(n.label for n in self.path)

    @property
    def paragraphs(self) -> list[str]:
        """The node's own paragraphs (normalised), the heading's remainder first."""
        return [b.text for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        """Tables placed directly under this heading."""
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def text(self) -> str:
        """Heading and own paragraphs as one text."""
        paragraphs = self.paragraphs[1:] if self.inline_body else self.paragraphs
        return "\n".join([self.heading, *paragraphs]).strip()

    def walk(self) -> Iterator[Node]:
        """This node and all nodes below it, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def ancestors(self) -> Iterator[Node]:
        """Parent, grandparent … up to the root."""
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


def match_heading(text: str) -> tuple[str, str, str] | None:
    """(kind, label, rest) when a normalised paragraph opens with a heading marker, else None."""
    for kind, pattern in _MARKERS:
        match = pattern.match(text)
        if not match:
            continue
        rest = text[match.end() :]
        raw = match.group(1) or ""
        if kind == "annex" and (len(text) > 60 or "。" in text):
            continue
        if kind == "dec" and re.match(r"[万亿千百%元个家倍年]", rest):
            continue
        if kind == "box" and not raw and not re.match(r"^专栏\s*[：:]", text):
            continue
        if kind in ("cn", "pcn", "num", "pnum", "rnum", "circ", "dec") and not rest.strip():
            # A bare number on its own line is a page number or a table cell, not a heading.
            continue
        return kind, _label(kind, raw), rest
    return None


def _label(kind: str, raw: str) -> str:
    if kind == "chapter":
        return f"第{raw}章"
    if kind == "section":
        return f"第{raw}节"
    if kind == "article":
        return f"第{raw}条"
    if kind == "pcn":
        return f"({raw})"
    if kind == "pnum":
        if raw and "⑴" <= raw <= "⒇":
            raw = str(ord(raw) - ord("⑴") + 1)
        return f"({raw})"
    if kind == "rnum":
        return f"{raw})"
    if kind == "box":
        return f"专栏{raw}"
    if kind == "annex":
        return f"附件{raw}"
    return raw


def split_title(rest: str) -> tuple[str, str]:
    """Split a heading's text into its title and the body that follows it on the same line."""
    rest = rest.strip()
    found = trailing_annotation(rest)
    core = rest[: found[1]].rstrip() if found else rest
    terminal = _TERMINAL.search(core)
    colon = re.search(r"[：:]", core)
    if terminal is None and len(core) <= 60:
        return core.rstrip("：:，,"), rest[len(core) :].strip()
    if colon and (terminal is None or colon.start() < terminal.start()) and 0 < colon.start() <= 30:
        return core[: colon.start()], rest[colon.end() :].strip()
    if terminal is not None:
        return core[: terminal.start()], rest[terminal.end() :].strip()
    # A long heading with no full stop: the title is its first clause.
    comma = re.search(r"[，,]", core)
    if comma and comma.start() <= 40:
        return core[: comma.start()], rest[comma.end() :].strip()
    return core, rest[len(core) :].strip()


def build_tree(blocks: list[Block]) -> Node:
    """Arrange blocks under their headings; each heading kind keeps the level it first appeared at."""
    root = Node("root", "", "")
    stack: list[Node] = [root]
    ordinal = 0
    for block in blocks:
        if isinstance(block, Table):
            stack[-1].blocks.append(block)
            continue
        source = block.text
        text = normalize(source)
        if not text:
            continue
        found = match_heading(text)
        if found is None:
            stack[-1].blocks.append(Paragraph(text))
            stack[-1].sources.append(source)
            continue
        kind, label, rest = found
        if kind == "dec":
            # 1.1, 1.1.1: each depth is a level of its own.
            kind = f"dec{label.count('.')}"
        title, body = split_title(rest)
        ordinal += 1
        if kind == "annex":
            stack = [root]
            parent = root
        elif kind == "box":
            # A box stands beside the numbered items of a section, not inside the last item.
            while len(stack) > 1 and stack[-1].kind in ITEM_KINDS:
                stack.pop()
            parent = stack[-1]
        else:
            # After a box, the next item of the section's own kind closes the box.
            for i in range(len(stack) - 1, 0, -1):
                box = stack[i]
                if (
                    box.kind == "box"
                    and box.parent is not None
                    and kind not in [n.kind for n in stack[i:]]
                    and any(c.kind == kind for c in box.parent.children)
                ):
                    stack = stack[:i]
                    break
            same = [i for i, node in enumerate(stack) if node.kind == kind]
            if same:
                stack = stack[: same[-1]]
            parent = stack[-1]
        node = Node(kind, label, title, heading=text, source=source, parent=parent, ordinal=ordinal)
        if body:
            node.blocks.append(Paragraph(body))
            node.inline_body = True
        parent.children.append(node)
        stack.append(node)
    return root


def chinese_value(label: str) -> int | None:
    """The integer a label stands for (二 → 2, (三) → 3, 12 → 12), or None."""
    core = label.strip("()（）").removeprefix("专栏")
    if core.isdigit():
        return int(core)
    try:
        return parse_chinese_integer(core)
    except ValueError:
        return None
