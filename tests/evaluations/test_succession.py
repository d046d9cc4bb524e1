"""The next plan made from the demo action plan's approved final evaluation (issue 13, point 3)."""

from __future__ import annotations

from datetime import date

import pytest

from shinchoku.evaluations.final import final_evaluation_of
from shinchoku.evaluations.succession import (
    Keep,
    SuccessionError,
    adopt_plan,
    create_next_plan,
    successors,
)
from shinchoku.plans.models import (
    Content,
    Indicator,
    IndicatorValue,
    Node,
    Plan,
    PlanRelation,
    PreviousEvaluation,
)
from shinchoku.rounds.models import Report
from tests.evaluations.scene import ACTION, actuals, final_round, load_other_shape

NEW = "nishitokyo-action-plan-2024"


@pytest.fixture
def action(db):
    plan = Plan.objects.get(slug=ACTION)
    actuals(plan)
    final_round(plan)
    return plan


def make(plan: Plan, keep: Keep | None = None, slug: str = NEW) -> Plan:
    return create_next_plan(
        plan,
        slug=slug,
        title="西東京市社会福祉協議会アクションプラン（2024〜2028）",
        first_fy=2024,
        last_fy=2028,
        keep=keep if keep is not None else Keep.everything(plan),
        user=None,
    )


def test_the_final_evaluation_reads_in_tree_order_with_four_levels(action):
    evaluation = final_evaluation_of(action)
    assert evaluation.approved
    first = evaluation.rows[0]
    assert first.node_key == "item-1"
    assert first.goal == "Ⅰ 事業活動の再構築"
    assert first.category == "(1) 生活困窮者等への自立支援"
    assert first.subcategory == ""
    assert (first.number, first.item) == ("1", "生活困窮者自立相談支援事業")
    assert first.followup == "生活困窮者自立相談支援事業のその後の取組"
    assert first.final_status == "実施済"
    seqs = [Node.objects.get(plan=action, key=r.node_key).seq for r in evaluation.rows]
    assert seqs == sorted(seqs)


def test_the_draft_continues_every_kept_record_with_its_lineage(action):
    keep = Keep.everything(action)
    keep.expanded = {"item-3"}
    draft = make(action, keep)
    assert draft.is_draft and draft.organization_id == action.organization_id
    assert (draft.first_fy, draft.last_fy) == (2024, 2028)
    assert draft.level_names == action.level_names
    old_nodes = {n.key: n for n in Node.objects.filter(plan=action)}
    new_nodes = {n.key: n for n in Node.objects.filter(plan=draft)}
    assert set(new_nodes) == set(old_nodes)
    assert all(n.continues_key == k for k, n in new_nodes.items())
    assert new_nodes["item-3"].tag == "充実・強化"
    assert new_nodes["item-1"].tag == "継続"
    assert new_nodes["P1"].tag == "継続"
    assert new_nodes["item-1"].departments.get().name == "福祉活動推進課"
    assert (
        Content.objects.filter(node__plan=draft).count()
        == Content.objects.filter(node__plan=action).count()
    )
    first = Content.objects.filter(node__plan=draft, node__key="item-1").order_by("order")
    assert [(c.continues_key, c.continues_position, c.tag) for c in first][:2] == [
        ("item-1", 1, "継続"),
        ("item-1", 2, "継続"),
    ]
    assert not first[0].schedule.exists()  # the new period gets its own schedule
    assert list(first[0].contentgoal_set.values_list("plan_slug", "node_key")) == [
        ("nishitokyo-katsudo-4", "G1"),
        ("nishitokyo-katsudo-4", "G4"),
    ]


def test_kept_indicators_carry_the_last_actual_as_an_estimated_baseline(action):
    draft = make(action)
    ind = Indicator.objects.get(plan=draft, key="I-1-1")
    assert ind.continues_key == "I-1-1"
    (baseline,) = ind.values.all()
    assert baseline.role == IndicatorValue.Role.BASELINE
    assert (baseline.fy, baseline.text, baseline.estimate) == (2022, "7回", True)
    assert baseline.label == "令和4年度(見込み)"
    assert baseline.as_of == date.today()
    assert baseline.number == 7
    assert not ind.values.filter(role="target").exists()


def test_the_draft_names_the_old_plan_as_its_previous_plan(action):
    draft = make(action)
    rel = PlanRelation.objects.get(plan=draft, type=PlanRelation.Type.PREVIOUS)
    assert rel.other == action and rel.other_slug == ACTION
    assert list(successors(action)) == [draft]
    # the old plan's own relations come along
    assert draft.relations.filter(type="embodies", other_slug="nishitokyo-katsudo-4").exists()


def test_the_previous_plan_evaluation_is_the_final_evaluation(action):
    draft = make(action)
    rows = list(PreviousEvaluation.objects.filter(plan=draft))
    assert len(rows) == len(final_evaluation_of(action).rows) >= 14
    first = rows[0]
    assert (first.goal, first.category, first.subcategory, first.number, first.item) == (
        "Ⅰ 事業活動の再構築",
        "(1) 生活困窮者等への自立支援",
        "",
        "1",
        "生活困窮者自立相談支援事業",
    )
    assert first.source_key == "item-1"
    assert first.followup == "生活困窮者自立相談支援事業のその後の取組"
    assert first.evaluation == "生活困窮者自立相談支援事業の評価・課題"
    assert first.status == "実施済"


def test_a_kept_item_keeps_its_parents_and_the_rest_stays_behind(action):
    keep = Keep(indicators={"I-1-1"}, contents={("item-2", 1)})
    draft = make(action, keep)
    keys = set(Node.objects.filter(plan=draft).values_list("key", flat=True))
    assert keys == {"P1", "P1-1", "item-1", "item-2"}
    assert Content.objects.filter(node__plan=draft).count() == 1
    assert Indicator.objects.filter(plan=draft).count() == 1


def test_it_is_refused_until_the_final_evaluation_is_approved(db):
    plan = Plan.objects.get(slug=ACTION)
    with pytest.raises(SuccessionError) as refused:
        make(plan)
    assert "最終評価" in refused.value.errors[""]
    final_round(plan, approved=False)
    assert Report.objects.filter(round__plan=plan).exclude(status="approved").exists()
    with pytest.raises(SuccessionError):
        make(plan)
    assert not Plan.objects.filter(slug=NEW).exists()


def test_bad_input_is_refused_per_field_and_nothing_is_written(action):
    with pytest.raises(SuccessionError) as refused:
        create_next_plan(
            action, slug="Bad Slug", title=" ", first_fy=2028, last_fy=2024, keep=Keep(), user=None
        )
    assert set(refused.value.errors) == {"slug", "title", "period"}
    with pytest.raises(SuccessionError) as taken:
        make(action, slug=ACTION)
    assert "既に使われています" in taken.value.errors["slug"]
    assert Plan.objects.filter(organization=action.organization).count() == 2


def test_adopting_the_draft_makes_it_the_plan_in_force(action):
    draft = make(action)
    adopt_plan(draft, None, version=draft.version)
    draft.refresh_from_db()
    assert not draft.is_draft
    with pytest.raises(SuccessionError):
        adopt_plan(draft, None)


def test_the_fixture_council_plan_has_four_levels_and_no_indicators(db):
    plan = load_other_shape()
    final_round(plan)
    draft = create_next_plan(
        plan,
        slug="midori-katsudo-4",
        title="第4次みどり市地域福祉活動計画",
        first_fy=2030,
        last_fy=2035,
        keep=Keep.everything(plan),
        user=None,
    )
    row = PreviousEvaluation.objects.filter(plan=draft, source_key="j01").get()
    assert (row.goal, row.category, row.subcategory, row.number, row.item) == (
        "基本目標1 つながり、支え合うまちづくり",
        "(1) 地域の見守り体制の充実",
        "① 見守り活動の推進",
        "1",
        "小地域見守りネットワーク事業",
    )
    assert PreviousEvaluation.objects.filter(plan=draft).count() == 20
    j13 = Node.objects.get(plan=draft, key="j13")
    assert (j13.continues_key, j13.tag) == ("j13", "継続")
    assert not Indicator.objects.filter(plan=draft).exists()


def test_records_added_to_the_draft_without_lineage_are_new(action):
    draft = make(action)
    goal = Node.objects.get(plan=draft, key="P1")
    added = Node.objects.create(plan=draft, parent=goal, key="new-1", level=2, title="新しい施策")
    assert (added.tag, added.continues_key) == ("新規", "")
    content = Content.objects.create(node=added, text="新しい取組")
    assert content.tag == "新規"
    kept = Content.objects.create(node=added, text="明示した区分", tag="継続")
    assert kept.tag == "継続"
    # a plan in force is left alone
    other = Node.objects.create(plan=action, key="new-2", level=1, title="追加")
    assert other.tag == ""


def test_the_draft_keeps_the_old_plans_progress_settings(action):
    from shinchoku.rounds.models import PlanSettings

    PlanSettings.objects.update_or_create(
        plan=action, defaults={"final_statuses": ["完了", "継続中"], "below_band": "要改善"}
    )
    settings = PlanSettings.of(make(action))
    assert (settings.final_statuses, settings.below_band) == (["完了", "継続中"], "要改善")
