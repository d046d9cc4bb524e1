"""How a row of the sheet is named, the same on the screen, in the Excel sheet and in messages.

A content is shown by its label (1, 2, 事業共通3; the shared content's label when its own is
empty; its position when it has none). Messages say 「実施内容2」 for a numbered row and
「事業共通3」 for a shared one, never the position of a shared row (実施内容6).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

NOT_PLANNED = "対象外（今年度の予定なし）"


def content_label(content: Any, position: int) -> str:
    """The label in the No. column of the screen and the Excel sheet."""
    label = content.label or (content.shared.label if content.shared_id else "")
    return label or str(position)


def content_name(content: Any, position: int) -> str:
    """The row in a sentence: 実施内容2, or 事業共通3 as it is."""
    label = content_label(content, position)
    return gettext("Content %(label)s") % {"label": label} if label.isdigit() else label


def content_where(node: Any, content: Any, position: int) -> str:
    """Item and row, for a message: 「9 地域福祉コーディネーター事業 事業共通3」."""
    return f"{node} {content_name(content, position)}"
