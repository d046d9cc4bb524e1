"""The round's rules end to end on the demo action plan, through the service layer."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from shinchoku.core.achievement import judge
from shinchoku.core.values import parse_value
from shinchoku.plans.models import ChangeRecord, IndicatorValue, Plan
from shinchoku.rounds import services
from shinchoku.rounds.models import ContentEntry, Report, Round, RoundEvent
from shinchoku.rounds.services import RoundConflict, RoundError, SheetInput

ACTION = "nishitokyo-action-plan-2019"


@pytest.fixture
def people(db):
    make = get_user_model().objects.create_user
    return {name: make(name, last_name=name) for name in ("総務", "担当", "課長")}


@pytest.fixture
def round_(people):
    plan = Plan.objects.get(slug=ACTION)
    return services.open_round(plan, 2020, date(2021, 5, 31), people["総務"])


def report_of(round_: Round, name: str) -> Report:
    return round_.reports.get(department__name=name)


def one(line) -> str:
    """An actual in the indicator's own unit."""
    return f"1{line.indicator.unit}"


def filled(report: Report, actual_for=one) -> SheetInput:
    data = SheetInput()
    for item in services.sheet(report):
        data.items[item.node.key] = {"done": "実施した", "next": "続ける", "evaluation": "B"}
        for c in item.contents:
            data.contents[(item.node.key, c.position)] = {"status": "予定どおり", "note": ""}
        for line in item.indicators:
            data.indicators[line.indicator.key] = {"actual": actual_for(line), "note": ""}
    return data


def test_opening_creates_one_sheet_per_department_and_is_recorded(round_):
    names = sorted(round_.reports.values_list("department__name", flat=True))
    assert names == sorted(["福祉活動推進課", "福祉支援課", "総務課"])
    assert set(round_.reports.values_list("status", flat=True)) == {"not_started"}
    assert RoundEvent.objects.get(round=round_).action == "open"
    with pytest.raises(RoundError, match="既にあります"):
        services.open_round(round_.plan, 2020, date(2021, 5, 31), None)
    with pytest.raises(RoundError, match="計画期間の外"):
        services.open_round(round_.plan, 2030, date(2031, 5, 31), None)


def test_the_sheet_holds_the_departments_items_contents_and_indicators(round_):
    lines = services.sheet(report_of(round_, "総務課"))
    keys = [item.node.key for item in lines]
    assert "item-16" in keys  # 自己財源の強化
    item = next(i for i in lines if i.node.key == "item-16")
    assert all(c.planned for c in item.contents)  # the phase planned for FY2020
    indicator = next(ln for ln in item.indicators if ln.indicator.name == "自己財源額")
    assert indicator.baseline.endswith("9,708千円")
    assert indicator.target == next(
        v.text for v in indicator.indicator.values.all() if v.role == "target" and v.fy == 2020
    )
    assert indicator.final  # the plan's last target
    other = services.sheet(report_of(round_, "福祉支援課"))
    assert "item-16" not in [i.node.key for i in other]


def test_a_whole_round_open_fill_submit_return_fix_approve_close(round_, people):
    report = report_of(round_, "総務課")
    with pytest.raises(RoundError, match="まだ入力されていない欄"):
        services.submit(report, people["担当"])
    report = services.save(report, filled(report), version=report.version, user=people["担当"])
    assert report.status == "draft" and report.updated_by == "担当"
    report = services.submit(report, people["担当"])
    assert report.status == "submitted" and report.editable is False
    with pytest.raises(RoundError, match="コメント"):
        services.return_report(report, people["課長"], "  ")
    report = services.return_report(report, people["課長"], "自己財源額の実績を確認してください。")
    assert report.status == "returned" and "自己財源額" in report.return_comment
    data = filled(
        report, lambda line: "12,500千円" if line.indicator.name == "自己財源額" else one(line)
    )
    report = services.save(report, data, version=report.version, user=people["担当"])
    report = services.submit(report, people["担当"])
    report = services.approve(report, people["課長"])
    assert report.status == "approved" and report.approved_by == "課長"
    stored = IndicatorValue.objects.get(
        indicator__node__plan__slug=ACTION, indicator__name="自己財源額", role="actual", fy=2020
    )
    assert stored.text == "12,500千円"
    record = ChangeRecord.objects.get(plan_slug=ACTION, key=stored.indicator.key)
    assert "12,500千円" in record.after and record.user == people["課長"]
    with pytest.raises(RoundError, match="承認されていない部署"):
        services.close_round(round_, people["総務"])
    for other in round_.reports.exclude(pk=report.pk):
        other = services.save(other, filled(other), version=other.version, user=people["担当"])
        services.approve(services.submit(other, people["担当"]), people["課長"])
    services.close_round(round_, people["総務"])
    round_.refresh_from_db()
    assert round_.status == "closed"
    with pytest.raises(RoundError, match="変更できません"):
        services.save(report, filled(report), version=report.version, user=people["担当"])
    with pytest.raises(RoundError, match="理由"):
        services.reopen_round(round_, people["総務"], "")
    services.reopen_round(round_, people["総務"], "数値の誤りの訂正")
    assert list(round_.events.values_list("action", flat=True)) == ["reopen", "close", "open"]


def test_a_stale_sheet_is_refused_and_the_other_input_kept(round_, people):
    report = report_of(round_, "福祉支援課")
    loaded_version = report.version
    first = filled(report)
    services.save(report, first, version=loaded_version, user=people["担当"])
    second = filled(report)
    key = next(iter(second.contents))
    second.contents[key] = {"status": "遅れ", "note": "上書きのつもり"}
    with pytest.raises(RoundConflict, match="担当さん"):
        services.save(report, second, version=loaded_version, user=people["課長"])
    entry = ContentEntry.objects.get(report=report, node_key=key[0], position=key[1])
    assert entry.status == "予定どおり"


def test_units_are_checked_and_yen_units_convert(round_, people):
    report = report_of(round_, "総務課")
    data = filled(
        report, lambda line: "1,250万円" if line.indicator.name == "自己財源額" else one(line)
    )
    services.save(report, data, version=report.version, user=people["担当"])
    report.refresh_from_db()
    data = filled(report, lambda line: "30人" if line.indicator.name == "自己財源額" else one(line))
    with pytest.raises(RoundError, match="換算できません"):
        services.save(report, data, version=report.version, user=people["担当"])
    line = next(
        ln
        for item in services.sheet(report)
        for ln in item.indicators
        if ln.indicator.name == "自己財源額"
    )
    assert line.actual == "1,250万円"  # the refused save changed nothing
    result = judge("up", parse_value(line.actual), parse_value(line.target))
    assert result.determined


def test_unknown_choices_are_refused_in_japanese(round_, people):
    report = report_of(round_, "総務課")
    data = filled(report)
    key = next(iter(data.contents))
    data.contents[key]["status"] = "たぶん"
    node_key = next(iter(data.items))
    data.items[node_key]["evaluation"] = "Z"
    with pytest.raises(RoundError) as caught:
        services.save(report, data, version=report.version, user=people["担当"])
    assert "状況「たぶん」" in str(caught.value) and "自己評価「Z」" in str(caught.value)
    assert not ContentEntry.objects.filter(report=report).exists()


def test_approval_needs_a_submitted_sheet(round_, people):
    report = report_of(round_, "総務課")
    with pytest.raises(RoundError, match="今の状態"):
        services.approve(report, people["課長"])


def test_steps_that_would_change_nothing_are_refused_and_not_recorded(round_, people):
    """The board offers only the steps that change something; a hand-made request is refused."""
    admin = people["総務"]
    with pytest.raises(RoundError, match="実施中"):
        services.reopen_round(round_, admin, "念のため")
    with pytest.raises(RoundError, match="公開していません"):
        services.unpublish_round(round_, admin)
    for report in round_.reports.all():
        report = services.save(report, filled(report), version=report.version, user=admin)
        services.approve(services.submit(report, admin), admin)
    services.close_round(round_, admin)
    with pytest.raises(RoundError, match="既に終了"):
        services.close_round(round_, admin)
    services.publish_round(round_, admin)
    with pytest.raises(RoundError, match="既に公開"):
        services.publish_round(round_, admin)
    services.reopen_round(round_, admin, "  数値の訂正  ")
    reopen = round_.events.get(action="reopen")
    assert reopen.comment == "数値の訂正"
    actions = list(round_.events.values_list("action", flat=True))
    assert actions == ["reopen", "unpublish", "publish", "close", "open"]
