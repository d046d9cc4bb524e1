"""The Japanese words for the coded values of a plan document, shared by the workbook and the diff.

Plain Python: the workbook shows these words in its cells and drop-down lists, and the preview
of an upload shows them instead of the codes stored in the document.
"""

ORG_KINDS = {"council": "社会福祉協議会", "municipality": "市区町村"}
PLAN_KINDS = {
    "activity_plan": "地域福祉活動計画",
    "action_plan": "アクションプラン",
    "city_plan": "地域福祉計画",
    "national_plan": "国の計画",
    "prefectural_plan": "都道府県の計画",
    "other": "その他",
}
RELATIONS = {"embodies": "具現化", "aligned": "整合", "previous": "前計画"}
STYLES = {"paragraphs": "段落", "bullets": "箇条書き", "numbered": "番号付き"}
DIRECTIONS = {"up": "上昇", "down": "低下", "keep": "維持", "none": "なし"}
TAGS = ["新規", "継続", "充実・強化"]
STATUSES = ["実施済", "一部実施", "未実施", "再検討"]
YES = "○"
