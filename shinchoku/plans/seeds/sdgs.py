"""The 17 SDG goals with the Japanese names and descriptions that seed 001 prints."""

from __future__ import annotations

import re

from shinchoku.plans.seeds.activity_plan import Line, join_wrapped, normalise_lines
from shinchoku.plans.seeds.report import ImportReport

SOURCE = "001"

SDG_GOALS: tuple[tuple[int, str, str], ...] = (
    (1, "貧困をなくそう", "あらゆる場所で、あらゆる形態の貧困に終止符を打つ"),
    (
        2,
        "飢餓をゼロに",
        "飢餓に終止符を打ち、食料の安定確保と栄養状態の改善を達成するとともに、"
        "持続可能な農業を推進する",
    ),
    (
        3,
        "すべての人に健康と福祉を",
        "あらゆる年齢のすべての人々の健康的な生活を確保し、福祉を推進する",
    ),
    (
        4,
        "質の高い教育をみんなに",
        "すべての人々に包摂的かつ公平で質の高い教育を提供し、生涯学習の機会を促進する",
    ),
    (
        5,
        "ジェンダー平等を実現しよう",
        "ジェンダーの平等を達成し、すべての女性と女児のエンパワーメントを図る",
    ),
    (
        6,
        "安全な水とトイレを世界中に",
        "すべての人に水と衛生へのアクセスと持続可能な管理を確保する",
    ),
    (
        7,
        "エネルギーをみんなに そしてクリーンに",
        "すべての人々に手ごろで信頼でき、持続可能かつ近代的なエネルギーへのアクセスを確保する",
    ),
    (
        8,
        "働きがいも経済成長も",
        "すべての人のための持続的、包摂的かつ持続可能な経済成長、生産的な完全雇用および"
        "働きがいのある人間らしい仕事を推進する",
    ),
    (
        9,
        "産業と技術革新の基盤をつくろう",
        "強靭なインフラを整備し、包摂的で持続可能な産業化を推進するとともに、技術革新の拡大を図る",
    ),
    (10, "人や国の不平等をなくそう", "国内および国家間の格差を是正する"),
    (
        11,
        "住み続けられるまちづくりを",
        "都市と人間の居住地を包摂的、安全、強靭かつ持続可能にする",
    ),
    (12, "つくる責任 つかう責任", "持続可能な消費と生産のパターンを確保する"),
    (13, "気候変動に具体的な対策を", "気候変動とその影響に立ち向かうため、緊急対策を取る"),
    (
        14,
        "海の豊かさを守ろう",
        "海洋と海洋資源を持続可能な開発に向けて保全し、持続可能な形で利用する",
    ),
    (
        15,
        "陸の豊かさも守ろう",
        "陸上生態系の保護、回復および持続可能な利用の推進、森林の持続可能な管理、"
        "砂漠化への対処、土地劣化の阻止および逆転、ならびに生物多様性損失の阻止を図る",
    ),
    (
        16,
        "平和と公正をすべての人に",
        "持続可能な開発に向けて平和で包摂的な社会を推進し、すべての人に司法へのアクセスを"
        "提供するとともに、あらゆるレベルにおいて効果的で責任ある包摂的な制度を構築する",
    ),
    (
        17,
        "パートナーシップで目標を達成しよう",
        "持続可能な開発に向けて実施手段を強化し、グローバル・パートナーシップを活性化する",
    ),
)

LIST_HEAD = re.compile(r"^（２）SDGs\s*の目標の種類")
GOAL_HEAD = re.compile(r"^(\d{1,2})\.(.+)$")
LIST_END = "▼外務省SDGsホームページ"


def sdg_list_lines(lines: list[Line]) -> list[Line]:
    """Return the lines of the goal list: from the first numbered bold heading to the end mark."""
    start = next((i for i, x in enumerate(lines) if x.bold and LIST_HEAD.match(x.text)), None)
    if start is None:
        return []
    first = next(
        (i for i in range(start, len(lines)) if lines[i].bold and GOAL_HEAD.match(lines[i].text)),
        None,
    )
    if first is None:
        return []
    out = []
    for line in lines[first:]:
        if line.text.startswith(LIST_END):
            break
        out.append(line)
    return out


def read_sdgs(lines: list[Line]) -> list[dict]:
    """Read the goals from normalised lines: bold lines name a goal, plain lines describe it."""
    goals: list[dict] = []
    name: list[str] = []
    desc: list[str] = []

    def close() -> None:
        if name:
            m = GOAL_HEAD.match(join_wrapped(name))
            if m:
                goals.append(
                    {
                        "number": int(m.group(1)),
                        "name": m.group(2).strip(),
                        "description": join_wrapped(desc),
                    }
                )

    for line in sdg_list_lines(lines):
        if not line.text:
            continue
        if line.bold and GOAL_HEAD.match(line.text):
            close()
            name, desc = [line.text], []
        elif line.bold and not desc:
            name.append(line.text)  # a goal name wrapped onto a second bold line
        else:
            desc.append(line.text)
    close()
    return sorted(goals, key=lambda g: g["number"])


def parse_sdgs(text_001: str, report: ImportReport) -> list[dict]:
    """Re-read the 17 SDG goals (number, name, description) from seed 001."""
    goals = read_sdgs(normalise_lines(text_001, SOURCE, None))
    numbers = [g["number"] for g in goals]
    if numbers != list(range(1, 18)):
        report.add(SOURCE, "SDGs", "missing", f"SDGsの目標が1〜17揃っていない: {numbers}")
    known = {n: (name, desc) for n, name, desc in SDG_GOALS}
    for g in goals:
        if known.get(g["number"]) != (g["name"], g["description"]):
            report.add(
                SOURCE,
                f"SDGs {g['number']}",
                "disagreement",
                f"本文の「{g['name']}」が定数 SDG_GOALS と違う",
            )
    return goals
