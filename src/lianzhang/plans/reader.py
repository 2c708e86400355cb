"""Read .txt, .docx and .pdf plan documents into paragraphs and tables, in reading order."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED_SUFFIXES = (".txt", ".text", ".md", ".docx", ".pdf")

# A line that opens a heading or a numbered item always starts a new paragraph when reflowing.
_OPENS_ITEM = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百零〇两\d]+[章节部分篇]|[一二三四五六七八九十百零〇两]+\s*[、．.]"
    r"|[（(]\s*[一二三四五六七八九十百零〇两\d]+\s*[)）]|\d{1,3}\s*[、．.](?!\d)|[①-⑳⑴-⒇]|专栏|專欄"
    r"|附件|——|[-•·●■◆▶]\s)"
)
_ENDS_PARAGRAPH = re.compile(r"[。！？；;：:!?”』」）)]\s*$")
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–－]\s*)?\d{1,4}(?:\s*[-—–－])?\s*$|^\s*第\s*\d+\s*页.*$")


class DocumentError(Exception):
    """A document that cannot be read: missing, of an unsupported type, or unreadable."""


@dataclass
class Paragraph:
    """One paragraph of running text, exactly as read."""

    text: str


@dataclass
class Table:
    """A table as rows of cell texts (merged cells repeated once per row they span)."""

    rows: list[list[str]] = field(default_factory=list)


Block = Paragraph | Table


@dataclass
class Document:
    """A read document: where it came from, its kind and its blocks in reading order."""

    path: str
    kind: str
    blocks: list[Block]

    @property
    def text(self) -> str:
        """The whole document as plain text, tables rendered one row a line with tab-separated cells."""
        parts: list[str] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                parts.append(block.text)
            else:
                parts.extend("\t".join(row) for row in block.rows)
        return "\n".join(parts)


def read_document(path: str | Path) -> Document:
    """Read a .txt, .docx or .pdf file; raise DocumentError with a readable message on failure."""
    path = Path(path)
    if not path.exists():
        raise DocumentError(f"文件不存在：{path}")
    if path.is_dir():
        raise DocumentError(f"这是一个目录，不是文件：{path}")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        if suffix == ".doc":
            raise DocumentError(f"不支持旧版 Word 格式 .doc，请另存为 .docx 后再试：{path}")
        raise DocumentError(
            f"不支持的文件类型 {suffix or '（无扩展名）'}，只支持 .txt、.docx 和 .pdf：{path}"
        )
    if suffix == ".docx":
        return Document(str(path), "docx", _read_docx(path))
    if suffix == ".pdf":
        return Document(str(path), "pdf", _read_pdf(path))
    return Document(str(path), "txt", text_blocks(_decode(path.read_bytes(), path)))


def read_text(text: str, name: str = "<text>") -> Document:
    """Treat a string as the contents of a .txt document."""
    return Document(name, "txt", text_blocks(text))


def _decode(data: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "gb18030", "big5"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError(f"无法识别文本编码（试过 UTF-8、GB18030、Big5）：{path}")


def text_blocks(text: str) -> list[Block]:
    """Split plain text into paragraphs: one a line, unless the text is hard-wrapped at a fixed width."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    width = _wrap_width([line.strip() for line in lines if line.strip()])
    paragraphs: list[str] = []
    current = ""
    last_length = 0
    for raw in lines:
        line = raw.strip()
        if not line:
            if current:
                paragraphs.append(current)
                current = ""
            continue
        # Only a line that ran to the full width can be continued by the next one.
        if current and width and last_length >= width - 1 and not _OPENS_ITEM.match(line):
            current = _join(current, line)
        else:
            if current:
                paragraphs.append(current)
            current = line
        last_length = len(line)
    if current:
        paragraphs.append(current)
    return [Paragraph(p) for p in paragraphs]


def _join(left: str, right: str) -> str:
    # Latin words split across lines need their space back; Chinese text has none.
    if left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum():
        return left + " " + right
    return left + right


def _wrap_width(lines: list[str]) -> int:
    """The width a hard-wrapped text breaks at, or 0 when lines are whole paragraphs."""
    if len(lines) < 8:
        return 0
    lengths = Counter(len(line) for line in lines if len(line) >= 15)
    if not lengths:
        return 0

    def near_count(width: int) -> int:
        return sum(lengths[w] for w in (width - 1, width, width + 1))

    # Hard-wrapped text has many lines of (almost) the same length that do not end a sentence.
    width = max(lengths, key=lambda w: (near_count(w), w))
    near = [line for line in lines if abs(len(line) - width) <= 1]
    open_ended = [line for line in near if not _ENDS_PARAGRAPH.search(line)]
    if len(near) >= 0.3 * len(lines) and len(open_ended) >= 0.5 * len(near):
        return width
    return 0


# --- .docx -------------------------------------------------------------------------------------------


def _read_docx(path: Path) -> list[Block]:
    try:
        import docx
        from docx.oxml.ns import qn
    except ImportError as exc:  # pragma: no cover - python-docx is a declared dependency
        raise DocumentError("读取 .docx 需要 python-docx 包") from exc
    try:
        document = docx.Document(str(path))
    except Exception as exc:
        raise DocumentError(f"无法读取 Word 文档（文件损坏或不是 .docx）：{path}") from exc
    numbering = _Numbering(document)
    blocks: list[Block] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            text = numbering.prefix(child) + _paragraph_text(child)
            if text.strip():
                blocks.append(Paragraph(text.strip()))
        elif child.tag == qn("w:tbl"):
            rows = _table_rows(child)
            if rows:
                blocks.append(Table(rows))
    return blocks


def _paragraph_text(p) -> str:
    from docx.oxml.ns import qn

    parts: list[str] = []
    for node in p.iter():
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:tab"):
            parts.append("\t")
        elif node.tag in (qn("w:br"), qn("w:cr")):
            parts.append("\n")
    return "".join(parts)


def _table_rows(tbl) -> list[list[str]]:
    from docx.oxml.ns import qn

    rows: list[list[str]] = []
    above: dict[int, str] = {}
    for tr in tbl.iterchildren(qn("w:tr")):
        row: list[str] = []
        column = 0
        for tc in tr.iterchildren(qn("w:tc")):
            props = tc.find(qn("w:tcPr"))
            span = 1
            vmerge_continue = False
            if props is not None:
                grid = props.find(qn("w:gridSpan"))
                if grid is not None:
                    span = int(grid.get(qn("w:val"), "1"))
                vmerge = props.find(qn("w:vMerge"))
                vmerge_continue = vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue"
            text = "\n".join(
                _paragraph_text(p).strip() for p in tc.iterchildren(qn("w:p")) if _paragraph_text(p).strip()
            )
            # A vertically merged cell repeats the text of the cell it continues, as a reader sees it.
            if vmerge_continue:
                text = above.get(column, "")
            above[column] = text
            row.append(text)
            # Horizontally merged cells count once: the cell text is not duplicated across the span.
            column += span
        if any(cell.strip() for cell in row):
            rows.append(row)
    return rows


class _Numbering:
    """Word's automatic list numbers (一、 （一） 1. ①), which are not part of the paragraph text."""

    def __init__(self, document) -> None:
        from docx.oxml.ns import qn

        self._qn = qn
        self._formats: dict[tuple[str, int], tuple[str, str, int]] = {}
        self._counters: dict[str, list[int]] = {}
        # List styles ('List Number', custom heading styles) carry the numbering instead of the paragraph.
        self._style_numbering: dict[str, tuple[str | None, str | None, str | None]] = {}
        try:
            for style in document.styles.element.iterchildren(qn("w:style")):
                style_id = style.get(qn("w:styleId"))
                based = style.find(qn("w:basedOn"))
                num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
                num_id = ilvl = None
                if num_pr is not None:
                    num_node, ilvl_node = num_pr.find(qn("w:numId")), num_pr.find(qn("w:ilvl"))
                    num_id = num_node.get(qn("w:val")) if num_node is not None else None
                    ilvl = ilvl_node.get(qn("w:val")) if ilvl_node is not None else None
                self._style_numbering[style_id] = (
                    num_id,
                    ilvl,
                    based.get(qn("w:val")) if based is not None else None,
                )
        except Exception:
            self._style_numbering = {}
        try:
            part = document.part.numbering_part
        except Exception:
            return
        root = part.element
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in root.iterchildren(qn("w:abstractNum")):
            levels: dict[int, tuple[str, str, int]] = {}
            for lvl in node.iterchildren(qn("w:lvl")):
                ilvl = int(lvl.get(qn("w:ilvl"), "0"))
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                levels[ilvl] = (
                    fmt.get(qn("w:val"), "decimal") if fmt is not None else "decimal",
                    text.get(qn("w:val"), "") if text is not None else "",
                    int(start.get(qn("w:val"), "1")) if start is not None else 1,
                )
            abstract[node.get(qn("w:abstractNumId"))] = levels
        for num in root.iterchildren(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(qn("w:val")), {}).items():
                self._formats[(num.get(qn("w:numId")), ilvl)] = spec

    def _from_style(self, style_id: str | None) -> tuple[str | None, str | None]:
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            num_id, ilvl, based = self._style_numbering.get(style_id, (None, None, None))
            if num_id is not None:
                return num_id, ilvl
            style_id = based
        return None, None

    def prefix(self, p) -> str:
        """The number Word would draw before this paragraph, advancing the list's counters."""
        qn = self._qn
        props = p.find(qn("w:pPr"))
        num_pr = props.find(qn("w:numPr")) if props is not None else None
        style = props.find(qn("w:pStyle")) if props is not None else None
        style_num, style_ilvl = self._from_style(style.get(qn("w:val")) if style is not None else None)
        num_id_node = num_pr.find(qn("w:numId")) if num_pr is not None else None
        ilvl_node = num_pr.find(qn("w:ilvl")) if num_pr is not None else None
        num_id = num_id_node.get(qn("w:val")) if num_id_node is not None else style_num
        if num_id is None or num_id == "0":
            return ""
        raw_ilvl = ilvl_node.get(qn("w:val")) if ilvl_node is not None else style_ilvl
        ilvl = int(raw_ilvl or 0)
        spec = self._formats.get((num_id, ilvl))
        if spec is None:
            return ""
        counters = self._counters.setdefault(num_id, [0] * 10)
        counters[ilvl] += 1
        for deeper in range(ilvl + 1, len(counters)):
            counters[deeper] = 0
        fmt, pattern, _start = spec
        if fmt == "bullet" or not pattern:
            return ""

        def level_value(match: re.Match) -> str:
            level = int(match.group(1)) - 1
            level_spec = self._formats.get((num_id, level), spec)
            value = counters[level] + level_spec[2] - 1 if level < len(counters) else 0
            return _format_number(max(value, 1), level_spec[0])

        return re.sub(r"%(\d)", level_value, pattern)


_CN_DIGITS = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "japaneseCounting"):
        return _chinese(n)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    return str(n)


# --- .pdf --------------------------------------------------------------------------------------------


def _read_pdf(path: Path) -> list[Block]:
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover - pdfplumber is a declared dependency
        raise DocumentError("读取 .pdf 需要 pdfplumber 包") from exc
    items: list[tuple[int, float, Block | dict]] = []
    try:
        with pdfplumber.open(str(path)) as pdf:
            for page_no, page in enumerate(pdf.pages):
                tables = page.find_tables()
                boxes = [table.bbox for table in tables]
                for table in tables:
                    rows = [[(cell or "").strip() for cell in row] for row in table.extract()]
                    rows = [row for row in rows if any(row)]
                    if rows:
                        items.append((page_no, table.bbox[1], Table(rows)))
                lines = page.extract_text_lines(strip=True, return_chars=False)
                for line in lines:
                    middle = (line["top"] + line["bottom"]) / 2
                    centre = (line["x0"] + line["x1"]) / 2
                    if any(b[0] <= centre <= b[2] and b[1] <= middle <= b[3] for b in boxes):
                        continue
                    if _PAGE_NUMBER.match(line["text"]):
                        continue
                    items.append((page_no, line["top"], {**line, "page": page_no, "width": page.width}))
    except DocumentError:
        raise
    except Exception as exc:
        raise DocumentError(f"无法读取 PDF（文件损坏、加密或不是 PDF）：{path}") from exc
    items.sort(key=lambda item: (item[0], item[1]))
    items = _drop_running_lines(items)
    blocks = _reflow_pdf([item[2] for item in items])
    if not any(isinstance(b, Paragraph) and b.text.strip() for b in blocks) and not any(
        isinstance(b, Table) for b in blocks
    ):
        raise DocumentError(f"PDF 中没有可提取的文字（可能是扫描件，需要先做文字识别）：{path}")
    return blocks


def _drop_running_lines(items: list) -> list:
    """Remove running headers and footers: the same line first or last on most pages."""
    pages: dict[int, list[str]] = {}
    for page, _, item in items:
        if isinstance(item, dict):
            pages.setdefault(page, []).append(item["text"])
    if len(pages) < 2:
        return items
    edges = Counter(text for lines in pages.values() for text in {lines[0], lines[-1]})
    running = {text for text, count in edges.items() if count >= max(2, len(pages) // 2 + 1)}
    return [item for item in items if not (isinstance(item[2], dict) and item[2]["text"] in running)]


def _open_brackets(text: str) -> int:
    return sum(text.count(c) for c in "（(") - sum(text.count(c) for c in "）)")


def _symmetric(line: dict, left: float, right: float, char: float) -> bool:
    return abs((line["x0"] - left) - (right - line["x1"])) < 2 * char


def _centred(line: dict, left: float, right: float, char: float) -> bool:
    return line["x0"] - left > 2 * char and _symmetric(line, left, right, char)


def _reflow_pdf(items: list) -> list[Block]:
    """Join PDF lines into paragraphs: a line that reaches the right margin continues on the next."""
    lines = [item for item in items if isinstance(item, dict)]
    margins: dict[int, tuple[float, float, float]] = {}
    by_page: dict[int, list[dict]] = {}
    for line in lines:
        by_page.setdefault(line["page"], []).append(line)
    for page, page_lines in by_page.items():
        lefts = [ln["x0"] for ln in page_lines]
        rights = [ln["x1"] for ln in page_lines]
        widths = [(ln["x1"] - ln["x0"]) / max(len(ln["text"]), 1) for ln in page_lines if len(ln["text"]) > 4]
        char = statistics.median(widths) if widths else 10.0
        margins[page] = (min(lefts), max(rights), char)
    blocks: list[Block] = []
    current: dict | None = None
    text = ""
    for item in items:
        if not isinstance(item, dict):
            if text:
                blocks.append(Paragraph(text))
                text, current = "", None
            blocks.append(item)
            continue
        left, right, char = margins[item["page"]]
        if current is not None:
            c_left, c_right, c_char = margins[current["page"]]
            reached_margin = current["x1"] >= c_right - 1.5 * c_char
            indented = item["x0"] > left + 1.2 * char
            # A centred title wrapped over two lines: both lines centred, one right below the other.
            centred_pair = (
                _centred(item, left, right, char)
                and _symmetric(current, c_left, c_right, c_char)
                and not _ENDS_PARAGRAPH.search(current["text"])
                and current["page"] == item["page"]
                and 0 <= item["top"] - current["bottom"] < (current["bottom"] - current["top"])
            )
            opens_item = bool(_OPENS_ITEM.match(item["text"]))
            # Ragged-right text: a long line that stops mid-sentence, or inside an open bracket, goes on.
            long_open = current["x1"] - c_left >= 0.6 * (c_right - c_left) and not _ENDS_PARAGRAPH.search(
                current["text"]
            )
            inside_bracket = _open_brackets(text) > 0
            if (
                ((reached_margin or long_open) and not indented and not opens_item)
                or (inside_bracket and not opens_item)
                or centred_pair
            ):
                text = _join(text, item["text"])
                current = item
                continue
            blocks.append(Paragraph(text))
        text = item["text"]
        current = item
    if text:
        blocks.append(Paragraph(text))
    return blocks
