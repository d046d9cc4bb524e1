"""Reading one cell of the staff list (職員名簿): departments, role, state, default login ID.

No Django here: the staff app checks the results against the database.
"""

from __future__ import annotations

import re

ACTIVE, INACTIVE = "在職", "停止"
# role value → its name in the workbook (the product's Japanese role names)
ROLE_LABELS = {"admin": "管理者", "staff": "部署担当", "approver": "承認者", "viewer": "閲覧"}
_ROLE_OF = {label: value for value, label in ROLE_LABELS.items()} | {v: v for v in ROLE_LABELS}
_SEPARATORS = re.compile(r"[、,，\n;；]+")


def split_departments(text: str) -> list[str]:
    """「総務課、福祉支援課」 → ["総務課", "福祉支援課"]; also , ； or one per line; each once."""
    seen: list[str] = []
    for part in _SEPARATORS.split(text or ""):
        name = part.strip()
        if name and name not in seen:
            seen.append(name)
    return seen


def parse_role(text: str) -> str | None:
    """The role value of 管理者, 部署担当, 承認者 or 閲覧 (or the value itself); None if unknown."""
    return _ROLE_OF.get((text or "").strip())


def parse_state(text: str) -> bool | None:
    """True for 在職 or empty, False for 停止, None for anything else."""
    text = (text or "").strip()
    if text in ("", ACTIVE):
        return True
    if text == INACTIVE:
        return False
    return None


def default_login(email: str) -> str:
    """The login ID of a person whose row gives none: the e-mail address, in lower case."""
    return (email or "").strip().lower()
