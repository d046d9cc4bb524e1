"""Parse seed 000, the Nishitokyo council's action plan (アクションプラン), into interchange JSON.

The seed is text extracted from a PDF: tables lost their borders, cells are separated by tabs,
some pages carry HTML list markup and PDF line breaks left spaces inside Japanese words.

What is read, and from where:

- the cover: title and period (平成31（2019）年度～2023年度);
- chapter 1: plan sections (策定の背景と目的, 基本的な考え方, 使命, 位置づけ, 期間, 推進方法,
  SDGs); the activity plan's 基本目標 descriptions are skipped (seeds 001/002 carry them);
- the table of contents and the overview table (施策の体系, 実施項目、実施内容の一覧): only compared
  with the detail pages, every difference is reported and the detail page's version is kept;
- chapter 2, one detail page per 実施項目: the tree 基本方針 → heading (1)… → 実施項目 with its
  sections, 実施内容 rows, schedule and 目標(数値) indicators;
- the appendix (資料編) and the back cover are skipped and reported once.

Schedule (実施時期) interpretation. After the label and the text of a 実施内容 row come up to
five tab-separated cells, one per fiscal year from FY2019 to FY2023. The cells are positional.
A non-empty cell starts a span that runs through the following empty cells up to the next
non-empty cell or the plan's last FY; empty cells before the first non-empty one mean no phase
in those FYs. A cell is one phase text exactly as printed, even when it names several steps
("検討・実施・評価・充実"), and a truncated cell ("評価・充") is kept as printed and reported.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from shinchoku.core.values import comparable, parse_value
from shinchoku.plans.seeds.doc import empty_node
from shinchoku.plans.seeds.report import ImportReport

SOURCE = "000"
ACTIVITY_PLAN_SLUG = "nishitokyo-katsudo-4"
PLAN_SLUG = "nishitokyo-action-plan-2019"
ORGANIZATION = {"slug": "nishitokyo-shakyo", "name": "西東京市社会福祉協議会", "kind": "council"}
LEVEL_NAMES = ["基本方針", "施策", "実施項目"]
ROMAN = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5}
GOALS_MARKER = "第四次地域福祉活動計画"
TAGS = ("新規", "継続", "充実・強化")

_CJK = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])[ \u3000]+(?=[{_CJK}])")
_TAG_RE = re.compile(r"^(.*?)\s*[(（](新規|継続|充実・強化)[)）]\s*$", re.S)
_REPOST_RE = re.compile(r"^(.*?)\s*[(（]再掲[)）]\s*$", re.S)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_SHARED_LABEL_RE = re.compile(r"^(?:事業\s*)?共通\s*(\d+)$")
_POLICY_RE = re.compile(r"^基本方針\s*([ⅠⅡⅢⅣⅤ])\s*(.+)$")
_HEADING_RE = re.compile(r"^\((\d+)\)\s*(.+)$")
_ERA_BASE = {"平成": 1988, "令和": 2018}


def cjk_join(text: str) -> str:
    """Remove the spaces a PDF line break left between two Japanese characters."""
    return _CJK_SPACE.sub("", text)


def _half_parens(text: str) -> str:
    """Turn full-width parentheses into half-width ones."""
    return text.replace("（", "(").replace("）", ")")


def _squash(text: str) -> str:
    """Return a comparison key: no whitespace, half-width parentheses, no trailing 、。."""
    return _half_parens(re.sub(r"\s+", "", text))


def _strip_markdown(line: str) -> str:
    """Strip markdown heading marks, list dashes and bold marks from a line."""
    text = re.sub(r"^[#\s]+", "", line).strip()
    return text.replace("**", "").strip()


def _western_year(era: str, year: int) -> int:
    """Convert a Japanese era year to a western year."""
    return _ERA_BASE[era] + year


def split_tag(text: str) -> tuple[str, str, bool]:
    """Split a 実施内容 text into (text, tag, repost)."""
    tag = ""
    m = _TAG_RE.match(text)
    if m:
        text, tag = m.group(1), m.group(2)
    repost = False
    m = _REPOST_RE.match(text)
    if m:
        text, repost = m.group(1), True
    return text.strip(), tag, repost


def schedule_spans(cells: list[str], years: list[int], track: str = "") -> list[dict[str, Any]]:
    """Turn positional FY cells into phase spans (see the module docstring)."""
    spans: list[dict[str, Any]] = []
    for index, fy in enumerate(years):
        phase = cells[index].strip() if index < len(cells) else ""
        if phase:
            spans.append({"track": track, "from": fy, "to": fy, "phase": phase})
        elif spans:
            spans[-1]["to"] = fy
    return spans


def _goal_numbers(text: str) -> list[int]:
    """Return the 基本目標 numbers named in a cell, in order, without repeats."""
    numbers: list[int] = []
    for digits in re.findall(r"\d+", text):
        if int(digits) not in numbers:
            numbers.append(int(digits))
    return numbers


def _common_suffix(texts: list[str]) -> str:
    """Return the longest common suffix of several strings."""
    if not texts:
        return ""
    suffix = texts[0]
    for text in texts[1:]:
        while suffix and not text.endswith(suffix):
            suffix = suffix[1:]
    return suffix


def parse_body(cell: str) -> tuple[str, list[str]]:
    """Parse one section cell (HTML list, paragraphs or plain text) into (style, entries)."""
    cell = cell.strip()
    if "<li>" in cell:
        entries = re.findall(r"<li>(.*?)</li>", cell, re.S)
    elif "<p>" in cell:
        entries = re.findall(r"<p>(.*?)</p>", cell, re.S)
    elif cell.startswith(tuple(_CIRCLED)):
        entries = re.split(rf"\s*(?=[{_CIRCLED}])", cell)
    elif cell.startswith(("・", "•")):
        entries = re.split(r"\s+(?=[・•])", cell)
    else:
        return "paragraphs", [cell]
    cleaned = []
    for entry in entries:
        entry = re.sub(r"<[^>]+>", "", entry).strip()
        entry = entry.lstrip("・•").strip()
        if entry.startswith(tuple(_CIRCLED)):
            entry = entry[0] + entry[1:].strip()
        if entry:
            cleaned.append(entry)
    if cleaned and all(e.startswith(tuple(_CIRCLED)) for e in cleaned):
        return "numbered", cleaned
    return "bullets", cleaned


@dataclass
class _Content:
    """One 実施内容 row of a detail page, possibly with several schedule tracks."""

    label: str
    line: int
    texts: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    reposts: list[bool] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)
    goals: list[int] | None = None


@dataclass
class _Item:
    """One 実施項目 detail page while it is being read."""

    number: int
    line: int
    departments: list[str]
    kinds: list[str]
    policy: tuple[str, str]
    heading: tuple[str, str]
    title: str = ""
    sections: list[dict[str, Any]] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    contents: list[_Content] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)


class _Parser:
    """Stateful reader of the seed text; one instance per parse."""

    def __init__(self, text: str, report: ImportReport) -> None:
        self.lines = text.splitlines()
        self.report = report
        self.first_fy = 0
        self.last_fy = 0
        self.baseline_as_of: str | None = None
        self.toc_sections: dict[str, str] = {}
        self.toc_headings: dict[tuple[str, str], str] = {}
        self.toc_items: dict[int, str] = {}
        self.toc_item_heading: dict[int, tuple[str, str]] = {}
        self.overview: dict[int, dict[str, Any]] = {}
        self.items: list[_Item] = []
        self.headings: dict[tuple[str, str], str] = {}
        self.phase_parts: Counter[str] = Counter()
        self.spaced_labels: list[str] = []

    # -- helpers -----------------------------------------------------------------------------

    def add(self, where: str, kind: str, message: str) -> None:
        """Add one report entry for this seed."""
        self.report.add(SOURCE, where, kind, message)

    def find(self, pattern: str, start: int = 0, end: int | None = None) -> int:
        """Return the index of the first line matching pattern, or -1."""
        regex = re.compile(pattern)
        stop = len(self.lines) if end is None else end
        for index in range(start, stop):
            if regex.search(self.lines[index]):
                return index
        return -1

    # -- whole document ----------------------------------------------------------------------

    def parse(self) -> dict[str, Any]:
        """Parse the whole seed and return the interchange document."""
        toc = self.find(r"^#\s*目\s*次")
        ch1 = self.find(r"^#\s*第1章\s*$", toc + 1)
        overview = self.find(r"実施項目、実施内容の一覧", ch1 + 1)
        ch1_end = self.find(r"^#+\s*\d+\s+.*施策の体系", ch1 + 1)
        ch2 = self.find(r"^#+\s*第2章", overview + 1)
        appendix = self.find(r"^#+.*(設置内規|資料編)", ch2 + 1)
        if min(toc, ch1, overview, ch1_end, ch2, appendix) < 0:
            raise ValueError("seed 000: expected chapter markers not found")
        title = self.parse_cover(toc)
        self.parse_toc(toc + 1, ch1)
        sections = self.parse_chapter1(ch1 + 1, ch1_end)
        self.parse_overview(overview + 1, ch2)
        self.parse_details(ch2 + 1, appendix)
        self.report_appendix(appendix)
        self.compare()
        self.check_reposts()
        shared = self.shared_contents()
        nodes = self.build_nodes(shared)
        departments: list[str] = []
        for item in self.items:
            for name in item.departments:
                if name not in departments:
                    departments.append(name)
        return {
            "format": "shinchoku-plan",
            "version": 1,
            "organization": dict(ORGANIZATION),
            "departments": [{"name": name, "parent": None} for name in departments],
            "plan": {
                "slug": PLAN_SLUG,
                "title": title,
                "kind": "action_plan",
                "first_fy": self.first_fy,
                "last_fy": self.last_fy,
                "philosophy": "",
                "level_names": list(LEVEL_NAMES),
                "relations": [{"type": "embodies", "plan": ACTIVITY_PLAN_SLUG}],
                "sections": sections,
                "welfare_issues": [],
                "shared_contents": [
                    {"key": key, "label": key, "text": text, "tag": tag}
                    for key, (text, tag) in shared.items()
                ],
                "nodes": nodes,
            },
        }

    # -- cover and table of contents ---------------------------------------------------------

    def parse_cover(self, end: int) -> str:
        """Read the title and the period from the cover; report the rest."""
        title = ""
        rest: list[str] = []
        for index in range(end):
            line = self.lines[index].strip()
            if not line:
                continue
            if line.startswith("#") and not title:
                printed = _strip_markdown(line)
                title = cjk_join(printed)
                if title != printed:
                    self.add(
                        "表紙",
                        "normalised",
                        f"表題「{printed}」の改行による空白を除き「{title}」とした。",
                    )
                continue
            period = re.search(r"《(.+?)》", line)
            if period:
                years = [int(y) for y in re.findall(r"(\d{4})[)）]?年度", period.group(1))]
                if years:
                    self.first_fy, self.last_fy = min(years), max(years)
                continue
            rest.append(line)
        if not title or not self.first_fy:
            raise ValueError("seed 000: cover title or period not found")
        self.add(
            "表紙",
            "unplaced",
            "表紙の標語・発行年月・発行者は取り込み先がないため取り込まない: "
            + " / ".join(r.rstrip() for r in rest),
        )
        return title

    def parse_toc(self, start: int, end: int) -> None:
        """Read section names, headings and item titles from the table of contents."""
        in_chapter2 = False
        policy = ""
        heading = ""
        for index in range(start, end):
            raw = self.lines[index]
            text = re.sub(r"^[#\s\-]+", "", raw.replace("\t", " ")).strip()
            if not text or text == "---":
                continue
            if "資料編" in text:
                break
            if text.startswith("第2章"):
                in_chapter2 = True
                continue
            if text.startswith("第1章"):
                continue
            if not in_chapter2:
                m = re.match(r"^(\d+)\s+(.+?)\s*P\s*\d+$", text)
                if m:
                    self.toc_sections[m.group(1)] = cjk_join(m.group(2))
                continue
            m = _POLICY_RE.match(text)
            if m:
                policy = m.group(1)
                continue
            m = re.match(r"^(\d+)\s+(.+?)[・\s]*P\s*\d+$", text)
            if m:
                self.toc_items[int(m.group(1))] = cjk_join(m.group(2))
                self.toc_item_heading[int(m.group(1))] = (policy, heading)
                continue
            m = _HEADING_RE.match(text)
            if m:
                heading = m.group(1)
                self.toc_headings[(policy, heading)] = cjk_join(m.group(2).strip())

    # -- chapter 1 ---------------------------------------------------------------------------

    def parse_chapter1(self, start: int, end: int) -> list[dict[str, Any]]:
        """Read chapter 1 into plan sections; skip the activity plan's goal descriptions."""
        blocks: list[tuple[str, str]] = []  # (kind, text) with kind heading/paragraph/bullet
        current: list[str] = []

        def flush() -> None:
            if current:
                blocks.append(("paragraph", "".join(s.strip() for s in current)))
                current.clear()

        for index in range(start, end):
            line = self.lines[index]
            if not line.strip():
                flush()
            elif line.lstrip().startswith("#") or line.startswith("**"):
                flush()
                blocks.append(("heading", _strip_markdown(line)))
            elif line.startswith("- "):
                flush()
                blocks.append(("bullet", line[2:].strip().lstrip("・•").strip()))
            else:
                current.append(line)
        flush()

        sections: list[dict[str, Any]] = []
        section: dict[str, Any] | None = None
        skipping = False
        skipped: list[str] = []
        ruby_removed = False
        for kind, text in blocks:
            if kind == "heading":
                numbered = re.match(r"^(\d+)\s+(.+)$", text)
                sub = _HEADING_RE.match(text)
                if numbered:
                    skipping = False
                    name = self.toc_sections.get(numbered.group(1), cjk_join(numbered.group(2)))
                    section = {"heading": _half_parens(name), "style": "paragraphs", "body": []}
                    sections.append(section)
                elif sub and "使命" in sub.group(2):
                    section = {"heading": "使命", "style": "paragraphs", "body": []}
                    sections.append(section)
                elif sub:
                    section = {"heading": sub.group(2).strip(), "style": "paragraphs", "body": []}
                    sections.append(section)
                elif "基本目標】" in text:
                    skipping = True
                elif skipping:
                    skipped.append(text.split()[0])
                elif section is not None and re.match(r"^[－―].+[－―]$", text):
                    section["body"].append(text)
                elif section is None and "基本的考え方" in text:
                    pass  # the chapter's own title
                else:
                    self.add("第1章", "unplaced", f"見出し「{text}」の取り込み先がない。")
                continue
            if skipping:
                continue
            if section is None:
                self.add("第1章", "unplaced", f"節の前の文「{text}」の取り込み先がない。")
                continue
            without_ruby = re.sub(r"<sup>.*?</sup>", "", text)
            if without_ruby != text:
                ruby_removed = True
            text = re.sub(r"<[^>]+>", "", without_ruby)
            if section["heading"] == "使命":
                quoted = re.match(r"^(.*?)「(.+)」(.*)$", text)
                if quoted:
                    section["body"].append(quoted.group(2))
                    if quoted.group(3):
                        section["body"].append(quoted.group(3))
                    continue
                # The introduction of the mission belongs to the enclosing section.
                if len(sections) > 1:
                    sections[-2]["body"].append(text)
                    continue
            body = section["body"]
            if kind == "bullet":
                section["style"] = "bullets"
            if body and body[-1].endswith("、") and kind == "paragraph":
                body[-1] += text
            else:
                body.append(text)
        if ruby_removed:
            self.add("第1章 1", "normalised", "「SDGs」のふりがな(<sup>…</sup>)を除いた。")
        if skipped:
            self.add(
                "第1章 2(2)",
                "unplaced",
                f"地域福祉活動計画の{'・'.join(skipped)}の説明は活動計画(001/002)が持つため"
                "取り込まない。",
            )
        return sections

    # -- overview table ----------------------------------------------------------------------

    def parse_overview(self, start: int, end: int) -> None:
        """Read the overview table (実施項目、実施内容の一覧) for comparison with the details."""
        number = 0
        for index in range(start, end):
            line = self.lines[index]
            if not line.strip() or line.strip() == "---":
                continue
            cells = line.split("\t")
            first = cells[0].strip()
            if len(cells) < 5:
                if line.lstrip().startswith("#"):
                    continue
                self.add(f"line {index + 1}", "unplaced", f"一覧の行「{line}」を読めない。")
                continue
            if first.replace(" ", "") == "項目番号":
                continue
            if first.isdigit():
                number = int(first)
                m = re.match(r"^(.*?)\s*【(.+?)】\s*$", cells[1])
                title, depts = (m.group(1), m.group(2)) if m else (cells[1], "")
                self.overview[number] = {
                    "title": cjk_join(title.strip()),
                    "departments": [d for d in re.split(r"[・\s]+", depts) if d],
                    "contents": [],
                }
            elif first or not number:
                self.add(f"line {index + 1}", "unplaced", f"一覧の行「{line}」を読めない。")
                continue
            label = cells[2].strip()
            shared = _SHARED_LABEL_RE.match(label)
            if shared:
                label = f"事業共通{shared.group(1)}"
            raw_goals = cells[4].strip()
            extra = re.sub(r"[\d、,\s]+", "", raw_goals)
            if extra:
                self.add(
                    f"実施項目{number} 実施内容{label}",
                    "interpretation",
                    f"一覧の活動計画基本目標「{raw_goals}」は基本目標{_goal_numbers(raw_goals)}"
                    f"として比較した(「{extra}」は比較しない)。",
                )
            self.overview[number]["contents"].append(
                {
                    "label": label,
                    "text": cjk_join(cells[3].strip()),
                    "goals": _goal_numbers(raw_goals),
                    "raw_goals": raw_goals,
                }
            )

    # -- chapter 2: detail pages -------------------------------------------------------------

    def parse_details(self, start: int, end: int) -> None:
        """Read every 実施項目 detail page."""
        footnote = self.find(r"^※.*見込", start, end)
        if footnote >= 0:
            m = re.search(r"(平成|令和)(\d+)年(\d+)月(\d+)日", self.lines[footnote])
            if m:
                year = _western_year(m.group(1), int(m.group(2)))
                self.baseline_as_of = f"{year:04d}-{int(m.group(3)):02d}-{int(m.group(4)):02d}"
        policy = ("", "")
        heading = ("", "")
        item: _Item | None = None
        mode = ""
        baseline_label = ""
        for index in range(start, end):
            line = self.lines[index]
            where = f"line {index + 1}"
            if not line.strip():
                continue
            cells = [c.strip() for c in line.split("\t")]
            first = cells[0]
            if "\t" not in line:
                text = _strip_markdown(line)
                m = _POLICY_RE.match(text)
                if m:
                    policy = (m.group(1), m.group(2).strip())
                    continue
                m = _HEADING_RE.match(text)
                if m:
                    heading = (m.group(1), m.group(2).strip())
                    self.headings.setdefault((policy[0], heading[0]), heading[1])
                    continue
                if re.match(r"^第四次.*基本方針$", text) or text.startswith("第2章"):
                    continue
                if index == footnote:
                    continue
                self.add(where, "unplaced", f"行「{line.strip()}」の取り込み先がない。")
                continue
            if first == "項目番号":
                item = self.start_item(cells, index, policy, heading)
                mode = ""
                continue
            if item is None:
                self.add(where, "unplaced", f"実施項目より前の行「{line.strip()}」を読めない。")
                continue
            key = _squash(first)
            if key == "実施項目":
                item.title = cjk_join(cells[1])
            elif key in ("現状と課題", "基本的な方向性(目的)", "具体的な対応(取組内容)"):
                style, body = parse_body(cells[1])
                if re.search(r"[<>]", "".join(body)):
                    self.add(
                        f"実施項目{item.number} {key}",
                        "unplaced",
                        f"解釈できないHTMLが残った: {cells[1]}",
                    )
                item.sections.append({"heading": key, "style": style, "body": body})
            elif key == "実施内容":
                mode = "contents"
            elif key == "目標(数値)":
                mode = "indicators"
                labels = [_squash(c).replace("※", "") for c in cells[1:] if "見込" in c]
                baseline_label = labels[0] if labels else ""
            elif key == "備考":
                mode = ""
                self.read_remarks(item, " ".join(c for c in cells[1:] if c))
            elif mode == "contents":
                self.read_content_line(item, cells, index)
            elif mode == "indicators" and first.isdigit():
                self.read_indicator(item, cells, baseline_label)
            else:
                self.add(
                    where,
                    "unplaced",
                    f"実施項目{item.number}の行「{line.strip()}」の取り込み先がない。",
                )

    def start_item(
        self, cells: list[str], index: int, policy: tuple[str, str], heading: tuple[str, str]
    ) -> _Item:
        """Start a new 実施項目 from its 項目番号 row."""
        values = dict(zip(cells[::2], cells[1::2], strict=False))
        number = int(values.get("項目番号", "0") or 0)
        departments = [d for d in re.split(r"[・\s]+", values.get("担当課", "")) if d]
        kinds = [k for k in values.get("種別", "").split() if k]
        item = _Item(number, index + 1, departments, kinds, policy, heading)
        if not departments or not kinds:
            self.add(f"実施項目{number}", "missing", "担当課または種別が読めない。")
        self.items.append(item)
        return item

    def read_content_line(self, item: _Item, cells: list[str], index: int) -> None:
        """Read a line of the 実施内容 table: year header, content, extra track or goals."""
        first = cells[0]
        where = f"実施項目{item.number} line {index + 1}"
        if not first and any("年度" in c for c in cells):
            item.years = [int(y) for y in re.findall(r"(\d{4})\)?年度", " ".join(cells))]
            expected = list(range(self.first_fy, self.last_fy + 1))
            if item.years != expected:
                self.add(
                    where,
                    "interpretation",
                    f"実施時期の年度見出し{item.years}が計画期間{expected}と異なる。",
                )
            return
        if first.isdigit() or _SHARED_LABEL_RE.match(first):
            shared = _SHARED_LABEL_RE.match(first)
            label = f"事業共通{shared.group(1)}" if shared else first
            if label != first and not self.spaced_labels:
                self.add(
                    where,
                    "normalised",
                    f"実施内容の番号「{first}」などの空白を除き「{label}」の形にそろえた。",
                )
            if label != first:
                self.spaced_labels.append(first)
            content = _Content(label, index + 1)
            item.contents.append(content)
            self.add_track(item, content, cells, index)
            return
        content = item.contents[-1] if item.contents else None
        if not first and len(cells) > 1 and cells[1] == GOALS_MARKER:
            if content is None or content.goals is not None:
                self.add(where, "unplaced", f"対応する実施内容のない基本目標行: {cells[2:]}")
                return
            content.goals = _goal_numbers(" ".join(re.findall(r"基本目標\s*\d+", " ".join(cells))))
            return
        if not first and len(cells) > 1 and cells[1] and content and content.goals is None:
            self.add_track(item, content, cells, index)
            return
        self.add(where, "unplaced", f"実施内容の行「{chr(9).join(cells)}」の取り込み先がない。")

    def add_track(self, item: _Item, content: _Content, cells: list[str], index: int) -> None:
        """Add one schedule line (text and FY cells) to a content."""
        text, tag, repost = split_tag(cells[1])
        years = item.years or list(range(self.first_fy, self.last_fy + 1))
        phase_cells = cells[2:]
        if any(phase_cells[len(years) :]):
            self.add(
                f"実施項目{item.number} 実施内容{content.label}",
                "unplaced",
                f"実施時期の列が多すぎる: {phase_cells[len(years) :]}",
            )
        content.texts.append(text)
        content.tags.append(tag)
        content.reposts.append(repost)
        content.cells.append(phase_cells[: len(years)])
        for phase in phase_cells[: len(years)]:
            for part in phase.split("・"):
                if part:
                    self.phase_parts[part] += 1
        if not tag:
            self.add(
                f"実施項目{item.number} 実施内容{content.label}",
                "missing",
                f"「{cells[1]}」に(新規)(継続)(充実・強化)の区分がない。",
            )

    def read_indicator(self, item: _Item, cells: list[str], baseline_label: str) -> None:
        """Read one 目標(数値) row."""
        label = cells[0]
        where = f"実施項目{item.number} 目標(数値){label}"
        name = cjk_join(cells[1]) if len(cells) > 1 else ""
        values = cells[2:]
        while values and not values[-1]:
            values.pop()
        if not name:
            self.add(
                where,
                "missing",
                f"目標(数値)の行「{label}」に指標名も値もないため、指標として取り込まない。",
            )
            return
        years = list(range(self.first_fy, self.last_fy + 1))
        normalised = [cjk_join(v) for v in values]
        changed = [f"「{a}」→「{b}」" for a, b in zip(values, normalised, strict=True) if a != b]
        if changed:
            self.add(
                where,
                "normalised",
                "値の改行による空白を除いた: " + "、".join(dict.fromkeys(changed)),
            )
        if len(normalised) == len(years) + 1:
            targets = list(zip(years, normalised[1:], strict=True))
        elif len(normalised) == len(years):
            # Item 11: every row of its page lost the table's rightmost column (the schedule rows
            # lost their trailing empty cell, the header its last empty cell), so the missing
            # value is most likely the last FY's target: the first value differs from the
            # following ones like every other baseline does, and is kept as the baseline.
            targets = list(zip(years[:-1], normalised[1:], strict=True))
            self.add(
                where,
                "missing",
                f"値が{len(normalised)}個しかない(見出しは基準値＋{len(years)}年度)。この頁の表は"
                "全体に最右列が1列欠けているため、欠けたのは最右列と判断し、1個目を基準値"
                f"({baseline_label})、残りを{years[0]}〜{years[-2]}年度の目標とした。"
                f"{years[-1]}年度の目標は欠落として空のまま。",
            )
        else:
            targets = list(zip(years, normalised[1:], strict=False))
            self.add(where, "unplaced", f"値の個数{len(normalised)}が見出しと合わない: {values}")
        baseline = None
        if normalised and normalised[0]:
            era = re.search(r"(平成|令和)(\d+)年度", baseline_label)
            baseline = {
                "fy": _western_year(era.group(1), int(era.group(2))) if era else self.first_fy - 1,
                "value": normalised[0],
                "label": baseline_label,
                "estimate": "見込" in baseline_label,
                "as_of": self.baseline_as_of,
            }
        indicator = {
            "key": f"I-{item.number}-{label}",
            "label": label,
            "name": name,
            "unit": "",
            "direction": "none",
            "department": "",
            "baseline": baseline,
            "targets": [{"fy": fy, "value": value} for fy, value in targets if value],
            "actuals": [],
            "reports": [],
            "notes": "",
        }
        self.judge(item, indicator)
        item.indicators.append(indicator)

    def judge(self, item: _Item, indicator: dict[str, Any]) -> None:
        """Set an indicator's unit and direction from its values."""
        texts = [indicator["baseline"]["value"]] if indicator["baseline"] else []
        texts += [t["value"] for t in indicator["targets"]]
        numeric = [v for v in map(parse_value, texts) if v.is_numeric()]
        indicator["unit"] = numeric[0].unit if numeric else ""
        if not indicator["baseline"] or not indicator["targets"]:
            return
        where = f"実施項目{item.number} 目標(数値){indicator['label']}"
        base = parse_value(indicator["baseline"]["value"])
        final = parse_value(indicator["targets"][-1]["value"])
        pair = comparable(base, final)
        if pair is None:
            if base.is_numeric() and final.is_numeric():
                self.add(
                    where,
                    "interpretation",
                    f"基準値「{base.text}」と最終目標「{final.text}」の単位が比べられないため、"
                    "方向は判定しない。",
                )
            return
        low, high = pair
        indicator["direction"] = "up" if high > low else "down" if high < low else "keep"
        # The targets' own trend says more than the baseline, which may be an unusual year.
        first = comparable(parse_value(indicator["targets"][0]["value"]), final)
        if first is not None and first[0] != first[1]:
            trend = "up" if first[1] > first[0] else "down"
            if trend != indicator["direction"]:
                self.add(
                    where,
                    "interpretation",
                    f"最終目標「{final.text}」は基準値「{base.text}」より"
                    f"{'低い' if trend == 'up' else '高い'}が、目標は"
                    f"「{indicator['targets'][0]['value']}」から年々"
                    f"{'増えて' if trend == 'up' else '減って'}いるため、方向を"
                    f"「{'上がるほど良い' if trend == 'up' else '下がるほど良い'}」とした。",
                )
                indicator["direction"] = trend

    def read_remarks(self, item: _Item, text: str) -> None:
        """Read 備考: keep it as a section and attach marked footnotes to indicators."""
        pieces = [p.strip() for p in re.split(r"\s+(?=\*)", text) if p.strip()]
        item.sections.append({"heading": "備考", "style": "paragraphs", "body": pieces})
        item.footnotes = [p for p in pieces if p.startswith("*")]

    def attach_footnotes(self, item: _Item) -> None:
        """Copy footnotes marked *, *1, *2 … into the notes of the indicators that cite them."""
        notes: dict[str, str] = {}
        for piece in item.footnotes:
            m = re.match(r"\*(\d*)", piece)
            if m:
                notes.setdefault(m.group(1), piece)
        for indicator in item.indicators:
            texts = [indicator["name"]]
            texts += [indicator["baseline"]["value"]] if indicator["baseline"] else []
            texts += [t["value"] for t in indicator["targets"]]
            cited = re.findall(r"\*(\d*)", " ".join(texts))
            found = [notes[c] for c in dict.fromkeys(cited) if c in notes]
            indicator["notes"] = "\n".join(found)
            for marker in dict.fromkeys(cited):
                if marker not in notes:
                    self.add(
                        f"実施項目{item.number} 目標(数値){indicator['label']}",
                        "missing",
                        f"注記「*{marker}」が備考にない。",
                    )

    # -- appendix ----------------------------------------------------------------------------

    def report_appendix(self, start: int) -> None:
        """Report once that the appendix and the back cover are skipped."""
        headings = []
        for line in self.lines[start:]:
            text = _strip_markdown(line)
            if line.lstrip().startswith("#") or text in ("プロジェクト会議 構成メンバー",):
                headings.append(cjk_join(text))
        self.add(
            "資料編",
            "unplaced",
            f"資料編と裏表紙(line {start + 1}〜{len(self.lines)}: "
            + "、".join(headings)
            + ")は計画の内容ではないため取り込まない。",
        )

    # -- comparison with the overview and the table of contents -------------------------------

    def compare(self) -> None:
        """Compare the detail pages with the overview table and the table of contents."""
        first_titles: dict[tuple[str, ...], str] = {}
        for item in self.items:
            for key, title, name in (
                (("policy", item.policy[0]), item.policy[1], f"基本方針{item.policy[0]}"),
                (item.policy[:1] + item.heading[:1], item.heading[1], f"見出し({item.heading[0]})"),
            ):
                known = first_titles.setdefault(key, title)
                if known != title:
                    self.add(
                        f"実施項目{item.number} 見出し",
                        "disagreement",
                        f"{name}の名称が前の詳細ページでは「{known}」、この詳細ページでは"
                        f"「{title}」。最初の詳細ページの記載を採用した。",
                    )
        detail_numbers = [item.number for item in self.items]
        for number in sorted(set(self.overview) - set(detail_numbers)):
            self.add(
                f"実施項目{number}",
                "disagreement",
                "一覧にある実施項目の詳細ページがない。一覧の記載は取り込まない。",
            )
        for item in self.items:
            self.compare_toc(item)
            overview = self.overview.get(item.number)
            if overview is None:
                self.add(
                    f"実施項目{item.number}",
                    "disagreement",
                    "詳細ページの実施項目が一覧にない。詳細ページの記載を採用した。",
                )
                continue
            if _squash(overview["title"]) != _squash(item.title):
                self.add(
                    f"実施項目{item.number} 実施項目名",
                    "disagreement",
                    f"実施項目名が一覧では「{overview['title']}」、詳細ページでは「{item.title}」。"
                    "詳細ページの記載を採用した。",
                )
            if sorted(overview["departments"]) != sorted(item.departments):
                self.add(
                    f"実施項目{item.number} 担当課",
                    "disagreement",
                    f"担当課が一覧では「{'・'.join(overview['departments'])}」、詳細ページでは"
                    f"「{'・'.join(item.departments)}」。詳細ページの記載を採用した。",
                )
            self.compare_contents(item, overview["contents"])
        for (policy, number), title in self.toc_headings.items():
            known = self.headings.get((policy, number))
            if known is None or _squash(known) == _squash(title):
                continue
            numbers = [
                i.number for i in self.items if (i.policy[0], i.heading[0]) == (policy, number)
            ]
            self.add(
                f"基本方針{policy}({number}) 見出し(実施項目{numbers[0]}〜{numbers[-1]})",
                "disagreement",
                f"見出し({number})が目次では「{title}」、詳細ページでは「{known}」。"
                "詳細ページの記載を採用した。",
            )

    def compare_toc(self, item: _Item) -> None:
        """Compare an item's title and heading with the table of contents."""
        title = self.toc_items.get(item.number)
        if title is not None and _squash(title) != _squash(item.title):
            self.add(
                f"実施項目{item.number} 実施項目名",
                "disagreement",
                f"実施項目名が目次では「{title}」、詳細ページでは「{item.title}」。"
                "詳細ページの記載を採用した。",
            )
        placed = self.toc_item_heading.get(item.number)
        if placed is not None and placed != (item.policy[0], item.heading[0]):
            self.add(
                f"実施項目{item.number} 見出し",
                "disagreement",
                f"目次では基本方針{placed[0]}({placed[1]})、詳細ページでは基本方針"
                f"{item.policy[0]}({item.heading[0]})の下にある。詳細ページの記載を採用した。",
            )

    def compare_contents(self, item: _Item, rows: list[dict[str, Any]]) -> None:
        """Compare an item's content rows with the overview's rows of the same labels."""
        details = {c.label: c for c in item.contents}
        for row in rows:
            where = f"実施項目{item.number} 実施内容{row['label']}"
            content = details.get(row["label"])
            if content is None:
                self.add(
                    where,
                    "disagreement",
                    f"一覧の実施内容「{row['text']}」が詳細ページにない。取り込まない。",
                )
                continue
            # A content with several schedule tracks is printed as one text joined by 、.
            detail_text = "、".join(content.texts)
            overview_text, _, _ = split_tag(row["text"])
            if _squash(overview_text) != _squash(detail_text):
                self.add(
                    where,
                    "disagreement",
                    f"実施内容が一覧では「{row['text']}」、詳細ページでは「{detail_text}」。"
                    "詳細ページの記載を採用した。",
                )
            goals = content.goals or []
            if sorted(row["goals"]) != sorted(goals):
                shown = "、".join(str(g) for g in goals) or "なし"
                self.add(
                    where,
                    "disagreement",
                    f"活動計画の基本目標が一覧では「{row['raw_goals'] or 'なし'}」、詳細ページでは"
                    f"「{shown}」。詳細ページの記載を採用した。",
                )
        overview_labels = {row["label"] for row in rows}
        for content in item.contents:
            if content.label not in overview_labels:
                self.add(
                    f"実施項目{item.number} 実施内容{content.label}",
                    "disagreement",
                    f"詳細ページの実施内容「{'、'.join(content.texts)}」が一覧にない。"
                    "詳細ページの記載を採用した。",
                )

    def check_reposts(self) -> None:
        """Find where each 再掲 content was first listed and report a differing text."""
        for item in self.items:
            for content in item.contents:
                if not any(content.reposts):
                    continue
                text = "\n".join(content.texts)
                best: tuple[float, int, _Content] | None = None
                for other in self.items:
                    for candidate in other.contents:
                        if candidate is content or any(candidate.reposts):
                            continue
                        ratio = SequenceMatcher(None, text, "\n".join(candidate.texts)).ratio()
                        if best is None or ratio > best[0]:
                            best = (ratio, other.number, candidate)
                where = f"実施項目{item.number} 実施内容{content.label}"
                if best is None or best[0] < 0.8:
                    self.add(where, "missing", f"再掲「{text}」の元の実施内容が見つからない。")
                elif "\n".join(best[2].texts) != text:
                    self.add(
                        where,
                        "interpretation",
                        f"再掲「{text}」の元は実施項目{best[1]} 実施内容{best[2].label}"
                        f"「{chr(10).join(best[2].texts)}」と思われるが表記が異なる。記載どおり残した。",
                    )

    # -- shared contents and the tree --------------------------------------------------------

    def shared_contents(self) -> dict[str, tuple[str, str]]:
        """Choose one record per 事業共通 label: the most common text and tag."""
        texts: dict[str, Counter[str]] = {}
        tags: dict[str, Counter[str]] = {}
        where: dict[str, dict[str, list[int]]] = {}
        for item in self.items:
            for content in item.contents:
                if content.label.startswith("事業共通"):
                    text = "\n".join(content.texts)
                    texts.setdefault(content.label, Counter())[text] += 1
                    tags.setdefault(content.label, Counter())[content.tags[0]] += 1
                    where.setdefault(content.label, {}).setdefault(text, []).append(item.number)
        shared: dict[str, tuple[str, str]] = {}
        for label in sorted(texts):
            text = texts[label].most_common(1)[0][0]
            tag = tags[label].most_common(1)[0][0]
            shared[label] = (text, tag)
            variants = [
                f"「{t}」(実施項目{'、'.join(map(str, where[label][t]))})"
                for t in texts[label]
                if t != text
            ]
            if variants:
                self.add(
                    label,
                    "interpretation",
                    f"{label}は{sum(texts[label].values())}か所に記載され、表記の揺れがある: "
                    + "、".join(variants)
                    + f"。共通の記録には最も多い「{text}」を採用し、各項目の記載はそのまま残した。",
                )
        return shared

    def build_nodes(self, shared: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
        """Build the node tree 基本方針 → heading → 実施項目."""
        truncated: set[str] = set()
        policies: list[dict[str, Any]] = []
        for item in self.items:
            self.attach_footnotes(item)
            policy_key = f"P{ROMAN.get(item.policy[0], 0)}"
            if not policies or policies[-1]["key"] != policy_key:
                policies.append(empty_node(policy_key, 1, item.policy[0], item.policy[1]))
            headings = policies[-1]["children"]
            heading_key = f"{policy_key}-{item.heading[0]}"
            if not headings or headings[-1]["key"] != heading_key:
                headings.append(empty_node(heading_key, 2, f"({item.heading[0]})", item.heading[1]))
            node = empty_node(f"item-{item.number}", 3, str(item.number), item.title)
            node["sections"] = item.sections
            node["departments"] = item.departments
            node["kinds"] = item.kinds
            node["contents"] = [self.placement(item, c, shared, truncated) for c in item.contents]
            node["indicators"] = item.indicators
            headings[-1]["children"].append(node)
            if not item.title:
                self.add(f"実施項目{item.number}", "missing", "実施項目名が読めない。")
        return policies

    def placement(
        self,
        item: _Item,
        content: _Content,
        shared: dict[str, tuple[str, str]],
        truncated: set[str],
    ) -> dict[str, Any]:
        """Turn one content row into a placement."""
        where = f"実施項目{item.number} 実施内容{content.label}"
        years = item.years or list(range(self.first_fy, self.last_fy + 1))
        schedule: list[dict[str, Any]] = []
        tracks = [""]
        if len(content.texts) > 1:
            # Item 23 content 1 prints 理事 and 評議員 on two schedule lines. Decision: one
            # content whose text keeps both lines joined by a newline, and one schedule track per
            # line, named by the part that differs between the lines (理事, 評議員).
            suffix = _common_suffix(content.texts)
            tracks = [t[: len(t) - len(suffix)] if suffix != t else t for t in content.texts]
            self.add(
                where,
                "interpretation",
                f"実施時期が{len(content.texts)}行(「{'」「'.join(content.texts)}」)に分かれているため、"
                f"1つの実施内容とし、実施時期を「{'」「'.join(tracks)}」の{len(tracks)}系列に分けた。",
            )
            if len(set(content.tags)) > 1:
                self.add(
                    where, "disagreement", f"行ごとに区分が異なる: {content.tags}。最初を採用した。"
                )
        for track, cells in zip(tracks, content.cells, strict=True):
            schedule += schedule_spans(cells, years, track)
        for span in schedule:
            for part in span["phase"].split("・"):
                longer = [p for p in self.phase_parts if p != part and p.startswith(part)]
                key = f"{where}:{span['phase']}"
                if part and longer and key not in truncated:
                    truncated.add(key)
                    self.add(
                        where,
                        "missing",
                        f"実施時期「{span['phase']}」({span['from']}年度)の「{part}」は途中で"
                        f"切れている可能性がある(「{longer[0]}」か)。記載どおり残した。",
                    )
        label = content.label
        return {
            "label": label,
            "text": "\n".join(content.texts),
            "tag": content.tags[0],
            "repost": any(content.reposts),
            "shared": label if label in shared else None,
            "goals": [
                {"plan": ACTIVITY_PLAN_SLUG, "node": f"G{number}"}
                for number in (content.goals or [])
            ],
            "schedule": schedule,
            "note": "",
        }


def parse_action_plan(text: str, report: ImportReport) -> dict[str, Any]:
    """Parse seed 000 into one interchange document and fill the import report."""
    report.add(
        SOURCE,
        "実施時期",
        "interpretation",
        "実施時期の各セルは2019〜2023年度に位置で対応するとみなした。記載のあるセルから、次に記載の"
        "あるセルの前年度(なければ最終年度)までをその段階の期間とし、最初の記載より前の空欄は"
        "段階なしとした。段階の文字列(「検討・実施・評価・充実」など)は記載どおり1つの段階とした。",
    )
    return _Parser(text, report).parse()
