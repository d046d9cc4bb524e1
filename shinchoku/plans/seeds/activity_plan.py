"""Parse the council's 第四次西東京市地域福祉活動計画 from seed 001 (chapter 8) and 002."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from shinchoku.plans.seeds.doc import empty_node
from shinchoku.plans.seeds.report import ImportReport

MAIN = "001"
SUMMARY = "002"

PLAN_SLUG = "nishitokyo-katsudo-4"
CITY_PLAN_SLUG = "nishitokyo-chiiki-fukushi-4"
ORGANIZATION = {"slug": "nishitokyo-shakyo", "name": "西東京市社会福祉協議会", "kind": "council"}
TITLE = "第四次西東京市地域福祉活動計画"

# CJK Radicals Supplement forms that NFKC leaves alone; Kangxi radicals are mapped by NFKC itself.
RADICAL_SUPPLEMENT = {
    "⻁": "虎",
    "⻄": "西",
    "⻑": "長",
    "⻘": "青",
    "⻝": "食",
    "⻣": "骨",
    "⻤": "鬼",
    "⻨": "麦",
    "⻩": "黄",
    "⻫": "斉",
    "⻭": "歯",
    "⻯": "竜",
    "⻲": "亀",
}
KANGXI = range(0x2F00, 0x2FE0)

# Bold text was extracted four times over: the same chunk four times in a row.
QUAD = re.compile(r"(.+?)\1{3}")

TAG_RE = re.compile(r"[（(](新規|継続|充実・強化)[）)]\s*$")
ITEM_RE = re.compile(r"^([0-9０-９]+)[．.]\s*(.*)$")
GOAL_RE = re.compile(r"^基本目標\s*([0-9０-９])\s*(.+)$")
MEASURE_RE = re.compile(r"^施\s*策\s*([①-⑳])\s*(.+)$")
CONTENT_HEAD_RE = re.compile(r"^内\s+容\s*(.*)$")
OTHER_RE = re.compile(r"^▶▶基本目標\s*([0-9０-９])\s*に関連するその他のアクションプラン$")
VISION_HEAD = "▶▶2024年の西東京市の姿"
MEASURES_HEAD = "▶▶目標達成に向けたおもな施策"
ACTIONS_HEAD = "具現化するためのアクションプラン"
WAVE = "〜"  # U+301C as 001 prints it; 002 prints U+FF5E "～".
TILDE = "～"


@dataclass(frozen=True)
class Line:
    """One source line after character clean-up."""

    no: int
    text: str
    bold: bool


def normalise_chars(text: str) -> str:
    """Map CJK radical forms to their ordinary ideographs."""
    out = []
    for ch in text:
        if ch in RADICAL_SUPPLEMENT:
            out.append(RADICAL_SUPPLEMENT[ch])
        elif ord(ch) in KANGXI:
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    return "".join(out)


def is_quadrupled(text: str) -> bool:
    """Tell whether a line holds a non-blank chunk repeated four times in a row."""
    return any(m.group(1).strip() for m in QUAD.finditer(text))


def dequadruple(text: str) -> str:
    """Collapse every chunk repeated four times in a row to one copy."""
    return QUAD.sub(r"\1", text)


def normalise_lines(text: str, source: str, report: ImportReport | None) -> list[Line]:
    """Split a seed into lines, undo quadrupled bold text and radical forms, report both once."""
    lines: list[Line] = []
    quads: list[int] = []
    radicals: set[str] = set()
    for no, raw in enumerate(text.split("\n"), start=1):
        radicals.update(ch for ch in raw if ch in RADICAL_SUPPLEMENT or ord(ch) in KANGXI)
        clean = normalise_chars(raw)
        bold = is_quadrupled(clean)
        if bold:
            quads.append(no)
            clean = dequadruple(clean)
        lines.append(Line(no, clean.strip(), bold))
    if report is not None and quads:
        report.add(
            source,
            f"lines {quads[0]}-{quads[-1]}",
            "normalised",
            f"太字が4回重ねて抽出されていた{len(quads)}行を1回分に戻した"
            f"（例:「施 策 ① 地域がつながるきっかけづくり」）。行: {', '.join(map(str, quads))}",
        )
    if report is not None and radicals:
        pairs = "、".join(f"{ch}→{normalise_chars(ch)}" for ch in sorted(radicals))
        report.add(
            source,
            "全体",
            "normalised",
            f"CJK部首・互換形の文字を通常の漢字に置き換えた: {pairs}",
        )
    return lines


def to_ascii_digits(text: str) -> str:
    """Turn full-width digits into ASCII digits."""
    return unicodedata.normalize("NFKC", text) if text.isdigit() else text


def squash(text: str) -> str:
    """Key for loose comparison: no spaces, unified punctuation and tildes."""
    text = normalise_chars(text).replace("､", "、").replace(WAVE, TILDE)
    return re.sub(r"\s+", "", text)


def join_wrapped(parts: list[str]) -> str:
    """Join lines that wrap inside one sentence (no spaces between Japanese lines)."""
    return "".join(p.strip() for p in parts)


def split_paragraphs(parts: list[str]) -> list[str]:
    """Join wrapped lines into paragraphs that end with 。."""
    paragraphs: list[str] = []
    current: list[str] = []
    for part in parts:
        current.append(part)
        if part.rstrip().endswith("。"):
            paragraphs.append(join_wrapped(current))
            current = []
    if current:
        paragraphs.append(join_wrapped(current))
    return paragraphs


def placement(label: str, text: str, tag: str) -> dict:
    """Build one PLACEMENT of the interchange format."""
    return {
        "label": label,
        "text": text,
        "tag": tag,
        "repost": False,
        "shared": None,
        "goals": [],
        "schedule": [],
        "note": "",
    }


def report_unplaced(source: str, lines: list[Line], used: set[int], report: ImportReport) -> None:
    """Report every non-blank line not used, one entry per run of neighbouring lines."""
    runs: list[list[Line]] = []
    open_run = False
    for line in lines:
        if not line.text:
            continue
        if line.no in used:
            open_run = False
            continue
        if open_run:
            runs[-1].append(line)
        else:
            runs.append([line])
        open_run = True
    for run in runs:
        text = " / ".join(x.text for x in run)
        if len(text) > 120:
            text = text[:117] + "…"
        where = f"line {run[0].no}" if len(run) == 1 else f"lines {run[0].no}-{run[-1].no}"
        report.add(source, where, "unplaced", f"計画データに取り込まなかった: {text}")


# --- seed 001: chapter 8 -------------------------------------------------------------------


@dataclass
class Item:
    """A numbered action-plan line being assembled from wrapped lines."""

    label: str
    parts: list[str]
    first: int

    def complete(self) -> bool:
        """Tell whether the item has reached its closing tag."""
        return bool(TAG_RE.search(self.parts[-1]))

    def placement(self) -> dict:
        """Render the item as a placement (text without the tag)."""
        text = join_wrapped(self.parts)
        m = TAG_RE.search(text)
        tag = m.group(1) if m else ""
        if m:
            text = text[: m.start()].rstrip()
        return placement(self.label, text, tag)


class MainReader:
    """Reads goals, measures, contents and vision statements from seed 001."""

    def __init__(self, lines: list[Line], report: ImportReport) -> None:
        """Keep the lines and prepare the result holders."""
        self.lines = lines
        self.report = report
        self.used: set[int] = set()
        self.goals: list[dict] = []
        self.visions: dict[str, list[str]] = {}
        self.sections: list[dict] = []

    def use(self, line: Line) -> None:
        """Mark a line as placed."""
        self.used.add(line.no)

    def read(self) -> None:
        """Walk the chapter from top to bottom."""
        self.read_preamble()
        goal: dict | None = None
        measure: dict | None = None
        mode = ""
        items: list[Item] = []
        vision: list[Line] = []
        desc: list[str] = []

        def flush_items() -> None:
            target = measure if mode == "actions" else goal
            for item in items:
                if not item.complete():
                    self.report.add(
                        MAIN,
                        f"line {item.first}",
                        "missing",
                        "アクションプランの末尾に（新規）等のタグがない: "
                        + join_wrapped(item.parts),
                    )
                if target is not None:
                    target["contents"].append(item.placement())
            items.clear()

        def flush_vision() -> None:
            if goal is None:
                vision.clear()
                return
            parts: list[str] = []
            for v in vision:
                parts.append(v.text)
                if v.text.endswith("ます"):
                    self.visions[goal["key"]].append(join_wrapped(parts))
                    parts = []
            if parts:
                stray = join_wrapped(parts)
                self.report.add(
                    MAIN,
                    f"line {vision[-1].no}",
                    "unplaced",
                    f"基本目標{goal['key'][1:]}の「2024年の姿」に続く断片を"
                    f"取り込まなかった: {stray}",
                )
            vision.clear()

        start = next(
            (i for i, x in enumerate(self.lines) if GOAL_RE.match(x.text)), len(self.lines)
        )
        for line in self.lines[start:]:
            text = line.text
            if not text:
                continue
            gm = GOAL_RE.match(text)
            if gm and not OTHER_RE.match(text):
                flush_items()
                flush_vision()
                goal = self.start_goal(line, gm.group(1), gm.group(2))
                measure = None
                mode = "head"
                desc = []
                continue
            if goal is None:
                continue
            if mode == "head" and text.startswith(WAVE) and not goal["subtitle"]:
                goal["subtitle"] = text
                self.use(line)
                mode = "desc"
                continue
            if text == VISION_HEAD:
                goal["sections"].append(
                    {
                        "heading": "課題と方向性",
                        "style": "paragraphs",
                        "body": split_paragraphs(desc),
                    }
                )
                self.use(line)
                mode = "vision-head"
                continue
            if text == MEASURES_HEAD:
                self.use(line)
                mode = "measures"
                continue
            mm = MEASURE_RE.match(text)
            if mm:
                flush_items()
                flush_vision()
                measure = self.start_measure(goal, line, mm.group(1), mm.group(2))
                mode = "measure-head"
                continue
            om = OTHER_RE.match(text)
            if om:
                flush_items()
                flush_vision()
                if to_ascii_digits(om.group(1)) != goal["key"][1:]:
                    self.report.add(
                        MAIN, f"line {line.no}", "disagreement", f"基本目標の番号が合わない: {text}"
                    )
                measure = None
                mode = "others"
                self.use(line)
                continue
            cm = CONTENT_HEAD_RE.match(text)
            if cm and measure is not None and mode == "measure-head":
                self.use(line)
                mode = "content"
                if cm.group(1):
                    measure["_content"].append([cm.group(1)])
                continue
            if text == ACTIONS_HEAD and measure is not None:
                self.use(line)
                mode = "actions"
                continue
            if mode in ("head", "desc"):
                desc.append(text)
                self.use(line)
                mode = "desc"
            elif mode == "content" and measure is not None:
                if text.startswith("・") or not measure["_content"]:
                    measure["_content"].append([text])
                else:
                    measure["_content"][-1].append(text)
                self.use(line)
            elif mode in ("actions", "others"):
                im = ITEM_RE.match(text)
                if im and (not items or items[-1].complete()):
                    items.append(Item(to_ascii_digits(im.group(1)), [im.group(2)], line.no))
                    self.use(line)
                elif items and not items[-1].complete():
                    items[-1].parts.append(text)
                    self.use(line)
                else:
                    # After the last complete item: the vision statements laid out beside it.
                    vision.append(line)
                    self.use(line)
        flush_items()
        flush_vision()
        for goal in self.goals:
            for child in goal["children"]:
                bullets = [
                    join_wrapped(b).removeprefix("・").strip() for b in child.pop("_content")
                ]
                child["sections"].append({"heading": "内容", "style": "bullets", "body": bullets})

    def start_goal(self, line: Line, number: str, rest: str) -> dict:
        """Open a 基本目標 from its heading line (title, maybe the subtitle too)."""
        self.use(line)
        n = to_ascii_digits(number)
        title, subtitle = rest.strip(), ""
        if WAVE in title:
            cut = title.index(WAVE)
            title, subtitle = title[:cut].strip(), title[cut:].strip()
        goal = empty_node(f"G{n}", 1, f"基本目標{n}", title, subtitle)
        self.goals.append(goal)
        self.visions[goal["key"]] = []
        return goal

    def start_measure(self, goal: dict, line: Line, label: str, title: str) -> dict:
        """Open a 施策 under the current goal."""
        self.use(line)
        child = empty_node(f"{goal['key']}-{len(goal['children']) + 1}", 2, label, title.strip())
        child["_content"] = []
        goal["children"].append(child)
        return child

    def read_preamble(self) -> None:
        """Read 策定体制 and the SDGs introduction as plan sections."""
        lines = self.lines
        texts = [x.text for x in lines]
        if "■策定体制" in texts:
            i = texts.index("■策定体制")
            self.use(lines[i])
            parts = []
            for x in lines[i + 1 :]:
                if not x.text:
                    continue
                parts.append(x.text)
                self.use(x)
                if x.text.endswith("。"):
                    break
            self.sections.append(
                {"heading": "策定体制", "style": "paragraphs", "body": split_paragraphs(parts)}
            )
        head = next((x for x in lines if x.bold and x.text.startswith("（１）SDGs")), None)
        if head is None:
            self.report.add(MAIN, "SDGs", "missing", "「（１）SDGsとは」の節が見つからない")
            return
        self.use(head)
        bullets: list[list[str]] = []
        for x in lines[head.no :]:
            if not x.text:
                continue
            if x.bold:
                break
            if x.text.startswith("〇"):
                bullets.append([x.text.removeprefix("〇")])
            elif bullets:
                bullets[-1].append(x.text)
            else:
                continue
            self.use(x)
        self.sections.append(
            {
                "heading": "SDGsについて",
                "style": "bullets",
                "body": [join_wrapped(b) for b in bullets],
            }
        )


# --- seed 002: summary ----------------------------------------------------------------------


def strip_md(text: str) -> str:
    """Remove markdown heading marks and trailing hard-break spaces."""
    return re.sub(r"^#+\s*", "", text).strip()


class SummaryReader:
    """Reads the philosophy, welfare issues, goals, visions and sections from seed 002."""

    def __init__(self, lines: list[Line], report: ImportReport) -> None:
        """Keep the lines and prepare the result holders."""
        self.lines = [Line(x.no, strip_md(x.text), x.bold) for x in lines]
        self.report = report
        self.used: set[int] = set()
        self.philosophy = ""
        self.issues: list[dict] = []
        self.goal_list: dict[str, tuple[str, str]] = {}
        self.goal_pages: dict[str, dict] = {}
        self.sections: list[dict] = []

    def texts(self) -> list[Line]:
        """Non-blank lines."""
        return [x for x in self.lines if x.text]

    def read(self) -> None:
        """Read every part of the summary."""
        self.read_philosophy()
        self.read_about()
        self.read_issues()
        self.read_goal_list()
        self.read_style()
        self.read_goal_pages()
        self.read_promotion()

    def read_philosophy(self) -> None:
        """Reassemble 基本理念, printed as two columns over two lines."""
        rows = self.texts()
        for i, x in enumerate(rows):
            if x.text == "基本" and rows[i + 1].text == "理念":
                first, second = rows[i + 2], rows[i + 3]
                left1, _, right1 = first.text.rpartition(" ")
                left2, _, right2 = second.text.rpartition(" ")
                right = right1 + right2
                if not (right.startswith(TILDE) and right.endswith(TILDE)):
                    break
                self.philosophy = f"{left1}{left2} {right}"
                self.used.update({x.no, rows[i + 1].no, first.no, second.no})
                self.report.add(
                    SUMMARY,
                    f"lines {first.no}-{second.no}",
                    "interpretation",
                    "基本理念は2段組が行ごとに混ざって抽出されていたため、左段2行と右段2行を"
                    f"つなぎ直した:「{self.philosophy}」",
                )
                return
        self.report.add(SUMMARY, "基本理念", "missing", "基本理念の2行が見つからない")

    def paragraphs_after(self, heading: str, stop: str) -> list[str]:
        """Collect the paragraph lines after a heading until a line that starts with stop."""
        rows = self.texts()
        start = next((i for i, x in enumerate(rows) if x.text == heading), None)
        if start is None:
            self.report.add(SUMMARY, heading, "missing", f"「{heading}」が見つからない")
            return []
        self.used.add(rows[start].no)
        body = []
        for x in rows[start + 1 :]:
            if x.text.startswith(stop):
                break
            body.append(x.text)
            self.used.add(x.no)
        return body

    def read_about(self) -> None:
        """Read 第四次西東京市地域福祉活動計画とは."""
        heading = "第四次西東京市地域福祉活動計画とは"
        body = self.paragraphs_after(heading, "詳しい調査結果")
        self.sections.append({"heading": heading, "style": "paragraphs", "body": body})

    def read_issues(self) -> None:
        """Read the 10 福祉課題, each preceded by its citizens' voices."""
        voices: list[Line] = []
        for x in self.texts():
            if x.text.startswith("・"):
                voices.append(x)
                continue
            m = re.fullmatch(r"(.+?)\s+(\d+)", x.text)
            if voices and m and int(m.group(2)) == len(self.issues) + 1:
                self.issues.append(
                    {
                        "number": int(m.group(2)),
                        "title": m.group(1),
                        "voices": [v.text.removeprefix("・").strip() for v in voices],
                    }
                )
                self.used.update({x.no, *(v.no for v in voices)})
            voices = []
        if len(self.issues) != 10:
            self.report.add(
                SUMMARY, "福祉課題", "missing", f"福祉課題が10でなく{len(self.issues)}件見つかった"
            )

    def read_goal_list(self) -> None:
        """Read the first list of 基本目標 (number, title, subtitle)."""
        rows = self.texts()
        for i, x in enumerate(rows[:-3]):
            if x.text == "基本目標" and rows[i + 1].text.isdigit():
                title, subtitle = rows[i + 2], rows[i + 3]
                self.goal_list[f"G{rows[i + 1].text}"] = (title.text, subtitle.text)
                self.used.update({x.no, rows[i + 1].no, title.no, subtitle.no})

    def read_style(self) -> None:
        """Read 西東京市スタイル and its four services as one plan section."""
        rows = self.texts()
        start = next((i for i, x in enumerate(rows) if x.text == "西東京市スタイルとは"), None)
        if start is None:
            self.report.add(
                SUMMARY, "西東京市スタイル", "missing", "「西東京市スタイルとは」がない"
            )
            return
        intro = ""
        services: list[tuple[str, str]] = []
        closing: list[str] = []
        used = {rows[start].no}
        for x in rows[start + 1 :]:
            if x.text.startswith("2024年までに"):
                break
            if x.text.startswith("★"):
                services.append((x.text, ""))
                used.add(x.no)
            elif not x.text.endswith("。"):
                continue  # captions and speech bubbles, reported as unplaced
            elif not services:
                intro = x.text
                used.add(x.no)
            elif not services[-1][1]:
                services[-1] = (services[-1][0], x.text)
                used.add(x.no)
            else:
                closing.append(x.text)
                used.add(x.no)
        self.used.update(used)
        body = [intro]
        for name, text in services:
            body += [name, text]
        body += closing
        self.sections.append({"heading": "西東京市スタイル", "style": "paragraphs", "body": body})
        self.report.add(
            SUMMARY,
            "西東京市スタイル",
            "interpretation",
            "「この4つの事業を中心に…」の段落は3つめの事業の後に抽出されていたが、"
            "4事業全体のまとめとして4事業の後に置いた",
        )

    def read_goal_pages(self) -> None:
        """Read the 2024年の姿 pages: per goal, vision statements and a short description."""
        started = False
        current: dict | None = None
        for x in self.texts():
            text = x.text
            if text.startswith("2024年までに"):
                started = True
                self.used.add(x.no)
                continue
            if not started:
                continue
            if text.startswith("地域の皆さまとともに"):
                break
            self.used.add(x.no)
            m = re.fullmatch(r"([1-6]) (.+)", text)
            if m:
                current = {"title": m.group(2), "subtitle": "", "visions": [], "desc": []}
                self.goal_pages[f"G{m.group(1)}"] = current
            elif text in ("基本", "目標", "2024年の西東京市の姿") or current is None:
                continue
            elif text.startswith(TILDE) and not current["subtitle"]:
                current["subtitle"] = text
            elif text.endswith("。"):
                current["desc"].append(text)
            else:
                current["visions"].append(text)

    def read_promotion(self) -> None:
        """Read 計画の位置づけ, 協働による計画の推進 and 計画の進行管理体制."""
        rows = self.texts()
        heads = {"① 計画の位置づけ", "② 協働による計画の推進", "③ 計画の進行管理体制"}
        current: dict | None = None
        for x in rows:
            if x.text in heads:
                current = {"heading": x.text[2:], "style": "paragraphs", "body": []}
                self.sections.append(current)
                self.used.add(x.no)
            elif current is not None and x.text.endswith("。"):
                current["body"].append(x.text)
                self.used.add(x.no)
            elif current is not None:
                current = None
        if self.sections[-1]["heading"] != "計画の進行管理体制":
            self.report.add(SUMMARY, "計画の推進", "missing", "計画の推進の3節が揃わない")


# --- assembly -------------------------------------------------------------------------------


def cross_check(main: MainReader, summary: SummaryReader, report: ImportReport) -> None:
    """Fill subtitles and visions from 002 and report where 001 and 002 disagree."""
    for goal in main.goals:
        key = goal["key"]
        listed = summary.goal_list.get(key)
        page = summary.goal_pages.get(key)
        if listed is None or page is None:
            report.add(SUMMARY, f"基本目標{key[1:]}", "missing", "概要版にこの基本目標がない")
            continue
        for where, title in (("一覧", listed[0]), ("2024年の姿", page["title"])):
            if title != goal["title"]:
                kind = "normalised" if squash(title) == squash(goal["title"]) else "disagreement"
                report.add(
                    SUMMARY,
                    f"基本目標{key[1:]} 題名({where})",
                    kind,
                    f"002は「{title}」、001は「{goal['title']}」。001を採った",
                )
        subtitle = listed[1]
        if squash(subtitle) != squash(goal["subtitle"]) or page["subtitle"] != subtitle:
            report.add(
                SUMMARY,
                f"基本目標{key[1:]} 副題",
                "disagreement",
                f"002は「{subtitle}」「{page['subtitle']}」、001は「{goal['subtitle']}」。"
                "002の一覧を採った",
            )
        goal["subtitle"] = subtitle
        visions = page["visions"]
        goal["sections"].append({"heading": "2024年の姿", "style": "bullets", "body": visions})
        seen = main.visions.get(key, [])
        if [squash(v) for v in visions] != [squash(v) for v in seen]:
            kind = "disagreement"
            if sorted(squash(v) for v in visions) == sorted(squash(v) for v in seen):
                note = "順序だけが違う（001は図の配置順）"
            else:
                note = "文言が違う"
            report.add(
                MAIN,
                f"基本目標{key[1:]} 2024年の姿",
                kind,
                f"{note}。002: {' / '.join(visions)}。001: {' / '.join(seen)}。002を採った",
            )
        desc = "".join(
            next((s["body"] for s in goal["sections"] if s["heading"] == "課題と方向性"), [])
        )
        for text in page["desc"]:
            if squash(text) not in squash(desc):
                report.add(
                    SUMMARY,
                    f"基本目標{key[1:]} 課題と方向性",
                    "disagreement",
                    f"概要版の要約文「{text}」は001の本文と文言が違う。001を採った",
                )
    report.add(
        MAIN,
        "基本目標 副題",
        "normalised",
        f"副題の波線は001が「{WAVE}」(U+301C)、002が「{TILDE}」(U+FF5E)。002の表記を採った",
    )


def parse_activity_plan(text_001: str, text_002: str, report: ImportReport) -> dict:
    """Build the interchange document of the activity plan from seeds 001 and 002."""
    main = MainReader(normalise_lines(text_001, MAIN, report), report)
    main.read()
    # Imported here because sdgs builds on this module's line helpers.
    from shinchoku.plans.seeds.sdgs import sdg_list_lines

    main.used.update(x.no for x in sdg_list_lines(main.lines))
    summary = SummaryReader(normalise_lines(text_002, SUMMARY, report), report)
    summary.read()
    cross_check(main, summary, report)
    report.add(
        MAIN,
        "施策 SDGs",
        "missing",
        "施策ごとのSDGsマークは画像で本文テキストに含まれないため読み取れなかった（sdgs は空）",
    )
    report_unplaced(MAIN, main.lines, main.used, report)
    report_unplaced(SUMMARY, summary.lines, summary.used, report)
    return {
        "format": "shinchoku-plan",
        "version": 1,
        "organization": dict(ORGANIZATION),
        "departments": [],
        "plan": {
            "slug": PLAN_SLUG,
            "title": TITLE,
            "kind": "activity_plan",
            "first_fy": 2019,
            "last_fy": 2023,
            "philosophy": summary.philosophy,
            "level_names": ["基本目標", "施策"],
            "relations": [{"type": "aligned", "plan": CITY_PLAN_SLUG}],
            "sections": summary.sections + main.sections,
            "welfare_issues": summary.issues,
            "shared_contents": [],
            "nodes": main.goals,
        },
    }
