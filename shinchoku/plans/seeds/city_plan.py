"""Parse the city's 第4期西東京市地域福祉計画 進捗状況調査票 (seed 004) into a plan document.

The sheet's table geometry was lost in the PDF extraction: its cells come out in an arbitrary
order. Goal headings, 施策の方向, value rows and notes can still be recognised by their shape, but
which indicator a value row or a text block belongs to cannot. That pairing comes from the explicit
reading guide below (ROWS), which the parser verifies against the text before using it: every
indicator name, department, sub name and text opening must be found where the guide says, or the
parser fails loudly with a report entry.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from shinchoku.core.values import parse_value
from shinchoku.plans.seeds.doc import empty_node
from shinchoku.plans.seeds.report import ImportReport

SOURCE = "004"

PLAN_SLUG = "nishitokyo-chiiki-fukushi-4"
ACTIVITY_PLAN_SLUG = "nishitokyo-katsudo-4"
ORGANIZATION = {"slug": "nishitokyo-city", "name": "西東京市", "kind": "municipality"}
TITLE = "第4期西東京市地域福祉計画"
SHEET_TITLE = "第４期西東京市地域福祉計画進捗状況調査票"

BASELINE = {"fy": 2017, "label": "平成29年度(現状値)", "estimate": False, "as_of": "2018-03-31"}
REFERENCE_FY = 2018  # 平成30年度: printed for comparison only (※１), kept as an actual "参考値"
ACTUAL_FY = 2019  # 令和元年度
TARGET_FY = 2023  # 令和５年度
REPORT_FY = 2019

# Column headings and other fixed captions of the sheet, one extracted line each.
HEADER_LINES = frozenset(
    {
        "令和元年度",
        "※２",
        "令和元年度の取組状況",
        "令和２年度に向けた",
        "今後の展開",
        "（計画1年目） 増減に向けて取り組んだ内容等 課題に向けた取り組み等",
        "平成29年度",
        "（現状値）",
        "※１※２",
        "担当部署",
        "項目",
        "令和５年度",
        "（目標値）",
        "平成30年度",
        "基本目標・施策の方向",
        "ページ",
        "番号",
    }
)
# Headings whose absence would make the column reading below unsafe.
REQUIRED_HEADERS = (
    "平成29年度",
    "（現状値）",
    "平成30年度",
    "令和元年度",
    "令和５年度",
    "（目標値）",
)

GOAL_RE = re.compile(r"^基本目標([１-６1-6])$")
PAGES_RE = re.compile(r"^(\d+)-(\d+)$")
FOOTNOTE_RE = re.compile(r"^(※[１２])\u3000(.+)$")
VALUE_RE = re.compile(r"^(?:[△▲]?[0-9０-９][0-9０-９,.，]*\S*|[－―])$")


@dataclass(frozen=True)
class Row:
    """One indicator row of the sheet as the reading guide describes it."""

    goal: str  # key of the 基本目標 node
    name: tuple[str, ...]  # the indicator (or group) name as printed, one piece per line
    sub: str  # the sub name printed at the start of its value line (grouped rows), else ""
    department: str
    done: str  # opening of its 取組状況 text
    next: str  # opening of its 今後の展開 text
    note: str = ""  # a note printed beside the name

    @property
    def full_name(self) -> str:
        """The indicator name: the joined name, plus the sub name for grouped rows."""
        name = "".join(self.name)
        return f"{name} {self.sub}" if self.sub else name


FUREMACHI = ("ふれあいのまちづ", "くり事業における", "地域活動拠点")
NETWORK = ("地域協力", "ネットワーク")
FUREMACHI_TEXT = ("ふれあいのまちづくり新聞の発行", "近隣住民等の理解と協力")
NETWORK_TEXT = ("地域協力ネットワーク運営補助金の交付", "引き続き地域協力ネットワーク運営補助金")

# The reading guide: the 15 indicator rows in the order their value rows appear in the text.
# The five value lines that start with a sub name (参加団体数, 延べ利用者数, 延べ利用回数, 設立数,
# 参加団体数) carry no department and follow each other; the text prints the two group names
# (ふれあいのまちづくり事業における地域活動拠点, 地域協力ネットワーク) and their departments
# (地域共生課, 協働コミュニティ課) elsewhere. Judgement: the first three belong to the activity
# sites (延べ利用者数/回数 only make sense for a place that is used) and the last two to the
# network (設立数: networks are founded, and the network's text speaks of founding a new one);
# that split also keeps 参加団体数 once in each group.
ROWS: tuple[Row, ...] = (
    Row("C1", ("ボランティア・", "市民活動センターの登録者数"), "", "地域共生課",
        "機関紙の発行", "次世代の育成"),
    Row("C1", ("自治会・町内会等の", "加入世帯数"), "", "協働コミュニティ課",
        "補助金制度の活用周知", "引き続き既存自治会"),
    Row("C2", FUREMACHI, "参加団体数", "地域共生課", *FUREMACHI_TEXT),
    Row("C2", FUREMACHI, "延べ利用者数", "地域共生課", *FUREMACHI_TEXT),
    Row("C2", FUREMACHI, "延べ利用回数", "地域共生課", *FUREMACHI_TEXT),
    Row("C2", NETWORK, "設立数", "協働コミュニティ課", *NETWORK_TEXT),
    Row("C2", NETWORK, "参加団体数", "協働コミュニティ課", *NETWORK_TEXT),
    Row("C3", ("地域福祉コーディネーター", "相談件数"), "", "地域共生課",
        "アスタセンターコート", "各圏域のコーディネーター"),
    Row("C3", ("女性相談件数",), "", "協働コミュニティ課",
        "相談窓口の広報に努める。", "新型コロナウイルス感染症の感染状況"),
    Row("C3", ("「あんしん西東京」相談件数",), "", "地域共生課",
        "出前講座を６回開催", "市民後見人の養成研修"),
    Row("C4", ("高齢者層における", "地域包括支援センター認知度"), "", "高齢者支援課",
        "相談業務や介護予防講座", "新型コロナウイルスの影響"),
    Row("C4", ("福祉サービス第三者評価", "受審件数"), "", "地域共生課",
        "介護事業所を対象", "引き続き受審事業者"),
    Row("C5", ("防災市民組織の数",), "", "危機管理課",
        "既存の防災市民組織", "感染症の状況等を鑑み"),
    Row("C5", ("消費者生活相談件数",), "", "協働コミュニティ課",
        "市民への消費者啓発", "引き続き市報やはなバス"),
    Row("C6", ("はなバス輸送人員",), "", "交通課",
        "過去の利用実績より", "第４南ルートの沿線住民", note="※１日１㎞あたりの輸送人員"),
)  # fmt: skip


class ReadingGuideError(ValueError):
    """The reading guide does not match the text: the sheet changed or was misread."""


@dataclass
class Src:
    """One non-blank line of the sheet (or two, when a department name was split)."""

    nos: tuple[int, ...]
    text: str
    role: str = ""  # what the line was recognised as; "" while unplaced
    trailing: list[str] = field(default_factory=list)  # text printed after a value row

    @property
    def no(self) -> int:
        """The first source line number."""
        return self.nos[0]


Quad = tuple[str, str, str, str]


@dataclass
class ValueRow:
    """A line holding the four values of one indicator."""

    src: Src
    values: Quad
    department: str
    sub: str


@dataclass
class Block:
    """A run of text lines that starts at a reading-guide opening."""

    opening: str
    kind: str  # "done" or "next"
    lines: list[str]
    first: int


def width(text: str) -> int:
    """Display width: two for wide characters, one for the others."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def digits(text: str) -> str:
    """Turn full-width digits into ASCII."""
    return unicodedata.normalize("NFKC", text)


class SheetReader:
    """Reads the progress survey sheet with the help of the reading guide."""

    def __init__(self, text: str, report: ImportReport) -> None:
        """Split the text into non-blank lines."""
        self.report = report
        self.srcs = [
            Src((no,), line.strip())
            for no, line in enumerate(text.split("\n"), start=1)
            if line.strip()
        ]
        self.departments = list(dict.fromkeys(row.department for row in ROWS))
        self.goals: dict[str, dict] = {}
        self.pages: list[tuple[int, int, str]] = []
        self.sections: list[dict] = []
        self.value_rows: list[ValueRow] = []
        self.blocks: dict[str, Block] = {}
        self.texts: dict[str, str] = {}

    def fail(self, where: str, message: str) -> None:
        """Record a reading-guide mismatch and stop."""
        self.report.add(SOURCE, where, "missing", message)
        raise ReadingGuideError(f"{where}: {message}")

    def read(self) -> None:
        """Recognise every line, then pair values and texts with the guide."""
        self.merge_departments()
        self.read_fixed()
        self.read_goals()
        self.read_names()
        self.read_value_rows()
        self.read_blocks()
        self.join_blocks()
        self.report_unplaced()

    def merge_departments(self) -> None:
        """Join department names split over two lines (協働コミュニ / ティ課)."""
        merged: list[Src] = []
        joined: list[int] = []
        i = 0
        while i < len(self.srcs):
            cur = self.srcs[i]
            nxt = self.srcs[i + 1] if i + 1 < len(self.srcs) else None
            if (
                nxt is not None
                and cur.text not in self.departments
                and cur.text + nxt.text in self.departments
            ):
                merged.append(Src(cur.nos + nxt.nos, cur.text + nxt.text))
                joined.append(cur.no)
                i += 2
                continue
            merged.append(cur)
            i += 1
        self.srcs = merged
        if joined:
            self.report.add(
                SOURCE,
                "lines " + ", ".join(map(str, joined)),
                "normalised",
                "2行に分かれていた担当部署名を1つにつないだ（協働コミュニ／ティ課）: "
                f"{len(joined)}か所",
            )

    def read_fixed(self) -> None:
        """Recognise the title, column headings, footnotes, page numbers and departments."""
        seen_headers = set()
        title_found = False
        for src in self.srcs:
            text = src.text
            if text.startswith(SHEET_TITLE):
                src.role = "title"
                title_found = True
            elif text in HEADER_LINES:
                src.role = "header"
                seen_headers.add(text)
            elif m := FOOTNOTE_RE.match(text):
                src.role = "footnote"
                self.sections.append(
                    {"heading": m.group(1), "style": "paragraphs", "body": [m.group(2)]}
                )
            elif m := PAGES_RE.match(text):
                src.role = "pages"
                self.pages.append((int(m.group(1)), int(m.group(2)), text))
            elif text in self.departments:
                src.role = "department"
            elif any(text == row.note for row in ROWS):
                src.role = "note"
        if not title_found:
            self.fail("title", f"表題「{SHEET_TITLE}」が見つからない")
        for header in REQUIRED_HEADERS:
            if header not in seen_headers:
                self.fail("header", f"列見出し「{header}」が見つからない")
        for row in ROWS:
            if row.note and not any(s.role == "note" and s.text == row.note for s in self.srcs):
                self.fail(row.full_name, f"注記「{row.note}」が見つからない")
        self.report.add(
            SOURCE,
            "値の列",
            "interpretation",
            "表の罫線が失われているため、値の行の4つの値を左から 平成29年度(現状値)・平成30年度"
            "(参考値, ※１)・令和元年度(実績)・令和５年度(目標値) と読んだ。※２により各年度末"
            "（3月31日）時点の値とした",
        )

    def read_goals(self) -> None:
        """Read each 基本目標 heading, its (possibly wrapped) title and its 施策の方向."""
        i = 0
        while i < len(self.srcs):
            src = self.srcs[i]
            m = GOAL_RE.match(src.text)
            if not m or src.role:
                i += 1
                continue
            number = int(digits(m.group(1)))
            src.role = "goal"
            j = i + 1
            title: list[Src] = []
            while j < len(self.srcs) and not self.srcs[j].text.startswith("・"):
                if self.srcs[j].role or len(title) == 3:
                    break
                title.append(self.srcs[j])
                j += 1
            directions: list[Src] = []
            while j < len(self.srcs) and self.srcs[j].text.startswith("・"):
                directions.append(self.srcs[j])
                j += 1
            if not title or not directions:
                self.fail(f"line {src.no}", f"{src.text} の題名または施策の方向が読めない")
            for s in (*title, *directions):
                s.role = "goal"
            key = f"C{number}"
            goal = empty_node(key, 1, src.text, "".join(s.text for s in title))
            goal["children"] = [
                empty_node(f"{key}-{k}", 2, "・", s.text.removeprefix("・").strip())
                for k, s in enumerate(directions, start=1)
            ]
            self.goals[key] = goal
            if len(title) > 1:
                self.report.add(
                    SOURCE,
                    f"line {title[0].no}",
                    "normalised",
                    f"{src.text}の題名が{len(title)}行に折り返されていたのをつないだ: "
                    + goal["title"],
                )
            i = j
        if sorted(self.goals) != [f"C{n}" for n in range(1, 7)]:
            self.fail("基本目標", f"基本目標1〜6が揃わない: {sorted(self.goals)}")

    def read_names(self) -> None:
        """Find each indicator (or group) name of the guide, line by line, in the text."""
        for name in dict.fromkeys(row.name for row in ROWS):
            k = len(name)
            found = False
            for i in range(len(self.srcs) - k + 1):
                window = self.srcs[i : i + k]
                if all(
                    not s.role and s.text == piece for s, piece in zip(window, name, strict=True)
                ):
                    for s in window:
                        s.role = "name"
                    found = True
                    break
            if not found:
                self.fail("項目", f"指標名「{''.join(name)}」が本文に見つからない")

    def split_value_line(self, src: Src) -> tuple[list[str], Quad, list[str]] | None:
        """Split a line into (tokens before, four values, tokens after), or None."""
        tokens = src.text.split()
        for i in range(len(tokens) - 3):
            quad = (tokens[i], tokens[i + 1], tokens[i + 2], tokens[i + 3])
            if all(VALUE_RE.match(t) and not PAGES_RE.match(t) for t in quad):
                return tokens[:i], quad, tokens[i + 4 :]
        return None

    def read_value_rows(self) -> None:
        """Find the lines of four values and pair them, in order, with the guide's rows."""
        previous: Src | None = None
        loose_departments: list[Src] = []
        for src in self.srcs:
            split = None if src.role else self.split_value_line(src)
            if split is None:
                if src.role == "department":
                    loose_departments.append(src)
                previous = src
                continue
            before, values, after = split
            department = sub = ""
            for token in before:
                if m := PAGES_RE.match(token):
                    self.pages.append((int(m.group(1)), int(m.group(2)), token))
                elif token in self.departments:
                    department = token
                else:
                    sub = f"{sub} {token}".strip()
            if not department and previous is not None and previous.role == "department":
                department = previous.text
                loose_departments.remove(previous)
            src.role = "values"
            src.trailing = after
            self.value_rows.append(ValueRow(src, values, department, sub))
            previous = src
        if len(self.value_rows) != len(ROWS):
            self.fail("値の行", f"値の行が{len(ROWS)}でなく{len(self.value_rows)}行ある")
        for vrow, row in zip(self.value_rows, ROWS, strict=True):
            where = f"line {vrow.src.no}"
            if vrow.sub != row.sub:
                self.fail(where, f"小項目「{vrow.sub}」が読み方の「{row.full_name}」と合わない")
            if vrow.department and vrow.department != row.department:
                self.fail(where, f"担当部署「{vrow.department}」が「{row.full_name}」と合わない")
            if not vrow.department and not row.sub:
                self.fail(where, f"「{row.full_name}」の値の行に担当部署がない")
        # Departments printed alone belong to the grouped rows, in the guide's group order.
        group_departments = [
            row.department for row in dict((r.name, r) for r in ROWS if r.sub).values()
        ]
        loose = [s.text for s in loose_departments]
        if loose != group_departments:
            self.fail(
                "担当部署",
                f"単独の担当部署 {loose} が小項目をもつ指標の部署 {group_departments} と合わない",
            )
        self.report.add(
            SOURCE,
            "地域活動拠点／地域協力ネットワーク",
            "interpretation",
            "部署名のない5つの値の行（参加団体数・延べ利用者数・延べ利用回数・設立数・参加団体数）は、"
            "前の3行を「ふれあいのまちづくり事業における地域活動拠点」（地域共生課）、後の2行を"
            "「地域協力ネットワーク」（協働コミュニティ課）の行と読んだ（延べ利用は拠点に、設立数は"
            "ネットワークに当たり、参加団体数が各組に1つずつになる）",
        )

    def read_blocks(self) -> None:
        """Cut the remaining text into blocks at the guide's openings."""
        openings = {}
        for row in ROWS:
            openings[row.done] = "done"
            openings[row.next] = "next"
        current: Block | None = None
        stray: list[tuple[int, str]] = []
        for src in self.srcs:
            if src.role:
                current = None  # any recognised line ends a text block
                pieces = src.trailing
            else:
                pieces = [src.text]
            for piece in pieces:
                opening = next((o for o in openings if piece.startswith(o)), None)
                if opening is not None:
                    if opening in self.blocks:
                        self.fail(f"line {src.no}", f"書き出し「{opening}」が2度ある")
                    current = Block(opening, openings[opening], [piece], src.no)
                    self.blocks[opening] = current
                elif current is not None:
                    current.lines.append(piece)
                else:
                    stray.append((src.no, piece))
            if not src.role:
                src.role = "text"
        for opening in openings:
            if opening not in self.blocks:
                self.fail("取組状況／今後の展開", f"書き出し「{opening}」が本文に見つからない")
        for no, piece in stray:
            self.report.add(
                SOURCE, f"line {no}", "unplaced", f"どの指標にも結び付けられない文: {piece}"
            )
        self.report.add(
            SOURCE,
            "取組状況／今後の展開",
            "interpretation",
            "取組状況と今後の展開の文は、読み方（ROWS）に書いた書き出しで区切り、各指標に結び付けた。"
            "同じ組の指標（地域活動拠点の3行、地域協力ネットワークの2行）には同じ文を付けた",
        )

    def join_blocks(self) -> None:
        """Join each block's wrapped lines; keep a line break where a line stops short."""
        columns: dict[str, int] = {}
        for block in self.blocks.values():
            widest = max(width(line) for line in block.lines)
            columns[block.kind] = max(columns.get(block.kind, 0), widest)
        for opening, block in self.blocks.items():
            out = block.lines[0]
            for prev, line in itertools.pairwise(block.lines):
                # A line well short of the column width that does not end a sentence was a
                # line break in the cell, not a wrap.
                short = width(prev) < columns[block.kind] * 3 // 4 and not prev.endswith("。")
                if short:
                    self.report.add(
                        SOURCE,
                        f"line {block.first}",
                        "interpretation",
                        f"「{prev}」は欄の幅より短く文が終わっていないため、折り返しでなく改行として"
                        "残した",
                    )
                out += ("\n" if short else "") + line
            self.texts[opening] = out

    def report_unplaced(self) -> None:
        """Report every line nothing was recognised in (none are expected)."""
        for src in self.srcs:
            if not src.role:
                self.report.add(SOURCE, f"line {src.no}", "unplaced", f"配置できない行: {src.text}")


def direction(baseline: str, target: str) -> str:
    """Compare the final target with the baseline: up, down, keep, or none if not numeric."""
    base, goal = parse_value(baseline), parse_value(target)
    if base.number is None or goal.number is None or base.kind != "number":
        return "none"
    if goal.kind != "number" or base.unit != goal.unit:
        return "none"
    if goal.number > base.number:
        return "up"
    if goal.number < base.number:
        return "down"
    return "keep"


def unit_of(values: tuple[str, ...]) -> str:
    """The unit of the first numeric value."""
    for text in values:
        value = parse_value(text)
        if value.is_numeric():
            return value.unit
    return ""


def indicator(key: str, row: Row, values: Quad, done: str, next_: str) -> dict:
    """Build one INDICATOR from a guide row, its four values and its texts."""
    base, reference, actual, target = values
    return {
        "key": key,
        "label": "",
        "name": row.full_name,
        "unit": unit_of(values),
        "direction": direction(base, target),
        "department": row.department,
        "baseline": {
            "fy": BASELINE["fy"],
            "value": base,
            "label": BASELINE["label"],
            "estimate": BASELINE["estimate"],
            "as_of": BASELINE["as_of"],
        },
        "targets": [{"fy": TARGET_FY, "value": target}],
        "actuals": [
            {"fy": REFERENCE_FY, "value": reference, "note": "参考値"},
            {"fy": ACTUAL_FY, "value": actual, "note": ""},
        ],
        "reports": [{"fy": REPORT_FY, "done": done, "next": next_}],
        "notes": row.note,
    }


def assign_pages(reader: SheetReader) -> None:
    """Give each goal its page range: the ranges in ascending order follow goals 1–6."""
    pages = sorted(reader.pages)
    if len(pages) != len(reader.goals):
        reader.fail("ページ番号", f"ページ番号が{len(reader.goals)}でなく{len(pages)}個ある")
    for (start, _end, _text), (_s, prev_end, _t) in zip(pages[1:], pages, strict=False):
        if start != prev_end + 1:
            reader.fail("ページ番号", f"ページ番号が連続しない: {pages}")
    for n, (_start, _end, text) in enumerate(pages, start=1):
        reader.goals[f"C{n}"]["sections"].append(
            {"heading": "ページ番号", "style": "paragraphs", "body": [text]}
        )
    reader.report.add(
        SOURCE,
        "ページ番号",
        "interpretation",
        "ページ番号（計画書本書のページ）は連続する6つの範囲なので、小さい順に基本目標1〜6に当てた",
    )


def parse_city_plan(text_004: str, report: ImportReport) -> dict:
    """Build the interchange document of the city plan from seed 004."""
    reader = SheetReader(text_004, report)
    reader.read()
    assign_pages(reader)
    counters: dict[str, int] = {}
    for vrow, row in zip(reader.value_rows, ROWS, strict=True):
        goal = reader.goals[row.goal]
        counters[row.goal] = counters.get(row.goal, 0) + 1
        key = f"I-{row.goal[1:]}-{counters[row.goal]}"
        done, next_ = reader.texts[row.done], reader.texts[row.next]
        goal["indicators"].append(indicator(key, row, vrow.values, done, next_))
        if row.department not in goal["departments"]:
            goal["departments"].append(row.department)
    return {
        "format": "shinchoku-plan",
        "version": 1,
        "organization": dict(ORGANIZATION),
        "departments": [{"name": name, "parent": None} for name in reader.departments],
        "plan": {
            "slug": PLAN_SLUG,
            "title": TITLE,
            "kind": "city_plan",
            "first_fy": 2019,
            "last_fy": 2023,
            "philosophy": "",
            "level_names": ["基本目標", "施策の方向"],
            "relations": [{"type": "aligned", "plan": ACTIVITY_PLAN_SLUG}],
            "sections": reader.sections,
            "welfare_issues": [],
            "shared_contents": [],
            "nodes": [reader.goals[f"C{n}"] for n in range(1, 7)],
        },
    }
