"""shinchoku.core.roster: the cells of the staff list, without Django."""

from __future__ import annotations

import ast
from pathlib import Path

from shinchoku.core import roster


def test_departments_split_on_the_usual_separators_once_each():
    assert roster.split_departments("総務課、福祉支援課") == ["総務課", "福祉支援課"]
    assert roster.split_departments(" 総務課 ,福祉支援課；総務課\n地域課 ") == [
        "総務課",
        "福祉支援課",
        "地域課",
    ]
    assert roster.split_departments("") == [] and roster.split_departments("、 、") == []


def test_roles_and_states():
    assert [roster.parse_role(t) for t in ("管理者", "部署担当", " 承認者 ", "閲覧")] == [
        "admin",
        "staff",
        "approver",
        "viewer",
    ]
    assert roster.parse_role("viewer") == "viewer"
    assert roster.parse_role("課長") is None and roster.parse_role("") is None
    assert roster.parse_state("") is True and roster.parse_state("在職") is True
    assert roster.parse_state(" 停止 ") is False and roster.parse_state("休職") is None


def test_default_login_is_the_address_in_lower_case():
    assert roster.default_login(" Hanako@Example.JP ") == "hanako@example.jp"


def test_no_django_in_core_roster():
    tree = ast.parse(Path(roster.__file__).read_text())
    imported = [
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in (n.names if isinstance(n, ast.Import) else [n])
    ]
    assert not any(str(m).startswith("django") for m in imported)
