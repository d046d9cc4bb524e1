"""Loading a plan again updates it in place: its records keep their identity and its progress.

A plan reloaded from its own export (JSON or workbook, command line or browser) keeps its rounds,
sheets, entries, events, settings and history, and the ids of its records; a changed plan writes
exactly what the preview listed. A document past the size limits is refused before any work.
"""

from __future__ import annotations

import copy
import json
import time
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from shinchoku.plans import services
from shinchoku.plans.diff import content_key, summary
from shinchoku.plans.interchange import InvalidDocument, dumps, export_plan, load_documents
from shinchoku.plans.limits import MAX_NODE_DEPTH, MAX_NODES
from shinchoku.plans.models import (
    ChangeRecord,
    Content,
    Indicator,
    Node,
    PendingUpload,
    Plan,
    PreviousEvaluation,
    Section,
    SharedContent,
    WelfareIssue,
)
from shinchoku.plans.workbook import write_workbook
from shinchoku.rounds.demo import load_demo_round
from shinchoku.rounds.models import (
    ContentEntry,
    IndicatorEntry,
    ItemEntry,
    PlanSettings,
    Report,
    Round,
    RoundEvent,
)
from tests.conftest import CITY_ORG, login_client
from tests.factories import plan_doc
from tests.public.rounds import ACTION, CITY, filled, open_round

# --------------------------------------------------------------------------- what a plan holds


def progress(slug: str) -> dict[str, list[int]]:
    """The ids of everything that hangs from the plan and is not part of its document."""
    plan = Plan.objects.get(slug=slug)
    rounds = Round.objects.filter(plan=plan)
    reports = Report.objects.filter(round__plan=plan)
    return {
        "plan": [plan.pk],
        "rounds": sorted(rounds.values_list("pk", flat=True)),
        "reports": sorted(reports.values_list("pk", flat=True)),
        "items": sorted(ItemEntry.objects.filter(report__in=reports).values_list("pk", flat=True)),
        "contents": sorted(
            ContentEntry.objects.filter(report__in=reports).values_list("pk", flat=True)
        ),
        "indicators": sorted(
            IndicatorEntry.objects.filter(report__in=reports).values_list("pk", flat=True)
        ),
        "events": sorted(RoundEvent.objects.filter(round__in=rounds).values_list("pk", flat=True)),
        "settings": sorted(PlanSettings.objects.filter(plan=plan).values_list("pk", flat=True)),
        "history": sorted(ChangeRecord.objects.filter(plan_slug=slug).values_list("pk", flat=True)),
    }


def identities(slug: str) -> dict[str, dict]:
    """Every record of the plan's document by its key, with its id and version."""
    return {
        "nodes": {
            n.key: (n.pk, n.version) for n in Node.objects.filter(plan__slug=slug).order_by("pk")
        },
        "contents": {
            c.pk: (c.node.key, c.version)
            for c in Content.objects.filter(node__plan__slug=slug).select_related("node")
        },
        "indicators": {
            i.key: (i.pk, i.version) for i in Indicator.objects.filter(node__plan__slug=slug)
        },
        "sections": {
            s.pk: s.version for s in Section.objects.filter(plan__slug=slug).order_by("pk")
        },
    }


def ledger(slug: str) -> dict[str, dict[int, tuple]]:
    """Each kind of record of the plan by id, with what the document says of it (not its place).

    Comparing two ledgers tells which records were added, changed and removed in the database.
    """
    plan = Plan.objects.get(slug=slug)
    nodes = list(
        Node.objects.filter(plan=plan).prefetch_related(
            "nodedepartment_set__department", "nodekind_set__kind", "sdgs"
        )
    )
    key_of = {n.pk: n.key for n in nodes}
    contents = Content.objects.filter(node__plan=plan).prefetch_related(
        "schedule", "contentgoal_set__node__plan"
    )
    indicators = Indicator.objects.filter(node__plan=plan).prefetch_related("values", "reports")
    return {
        "sequences": sequences(slug),
        "plan": {
            plan.pk: (
                plan.title,
                plan.kind,
                plan.first_fy,
                plan.last_fy,
                plan.philosophy,
                tuple(plan.level_names),
            )
        },
        "node": {
            n.pk: (
                key_of.get(n.parent_id, ""),
                n.level,
                n.order,
                n.label,
                n.title,
                n.subtitle,
                tuple(d.department.name for d in n.nodedepartment_set.all()),
                tuple(k.kind.name for k in n.nodekind_set.all()),
                tuple(sorted(g.number for g in n.sdgs.all())),
            )
            for n in nodes
        },
        "section": {
            s.pk: (s.heading, s.style, tuple(s.body)) for s in Section.objects.filter(plan=plan)
        },
        "content": {
            c.pk: (
                c.label,
                c.text,
                c.tag,
                c.repost,
                c.note,
                c.shared_id,
                tuple((s.track, s.from_fy, s.to_fy, s.phase) for s in c.schedule.all()),
                tuple((g.node.plan.slug, g.node.key) for g in c.contentgoal_set.all()),
            )
            for c in contents
        },
        "indicator": {
            i.pk: (
                i.label,
                i.name,
                i.unit,
                i.direction,
                i.department_id,
                i.notes,
                tuple(
                    sorted(
                        (v.role, v.fy, v.text, v.label, v.estimate, v.note) for v in i.values.all()
                    )
                ),
                tuple(sorted((r.fy, r.done, r.next) for r in i.reports.all())),
            )
            for i in indicators
        },
        "shared_content": {
            s.pk: (s.key, s.label, s.text, s.tag) for s in SharedContent.objects.filter(plan=plan)
        },
        "welfare_issue": {
            w.pk: (w.title, tuple(w.voices)) for w in WelfareIssue.objects.filter(plan=plan)
        },
        "evaluation": {
            e.pk: (e.goal, e.category, e.item, e.followup, e.evaluation, e.status)
            for e in PreviousEvaluation.objects.filter(plan=plan)
        },
    }


def sequences(slug: str) -> dict[tuple[str, Any], list[int]]:
    """The ids of each ordered list of the plan (a node's contents, …) in their stored order."""
    plan = Plan.objects.get(slug=slug)
    out: dict[tuple[str, Any], list[int]] = {}
    rows = [
        ("section", Section.objects.filter(plan=plan), "node_id"),
        ("content", Content.objects.filter(node__plan=plan), "node_id"),
        ("indicator", Indicator.objects.filter(node__plan=plan), "node_id"),
        ("shared_content", SharedContent.objects.filter(plan=plan), "plan_id"),
        ("evaluation", PreviousEvaluation.objects.filter(plan=plan), "plan_id"),
    ]
    for kind, queryset, container in rows:
        for row in queryset.order_by("order", "pk"):
            out.setdefault((kind, getattr(row, container)), []).append(row.pk)
    return out


def what_changed(before: dict, after: dict) -> Counter:
    """(kind, action) counts of records added, changed and removed between two ledgers.

    A list whose kept records are in another order counts as one change of its kind, as the
    preview's 並び順.
    """
    out: Counter = Counter()
    old_seq, new_seq = before.pop("sequences"), after.pop("sequences")
    for (kind, container), pks in old_seq.items():
        kept = set(pks) & set(new_seq.get((kind, container), []))
        if [pk for pk in pks if pk in kept] != [
            pk for pk in new_seq.get((kind, container), []) if pk in kept
        ]:
            out[(kind, "change")] += 1
    for kind in before:
        old, new = before[kind], after[kind]
        out.update({(kind, "add"): len(new.keys() - old.keys())})
        out.update({(kind, "remove"): len(old.keys() - new.keys())})
        out.update(
            {(kind, "change"): sum(1 for pk in old.keys() & new.keys() if old[pk] != new[pk])}
        )
    return +out


def previewed(changes) -> Counter:
    return Counter((c.kind, c.action) for c in changes)


def public_pages_answer(slug: str) -> None:
    anonymous = Client()
    assert anonymous.get(reverse("public:plan", args=[slug])).status_code == 200
    key = Node.objects.filter(plan__slug=slug, level=1).order_by("seq").first().key
    assert anonymous.get(reverse("public:node", args=[slug, key])).status_code == 200


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def city_with_progress(db):
    """The city plan with its published FY2019 round, an open FY2020 round with a draft sheet,
    progress settings and a change in its history."""
    user = get_user_model().objects.create_user("総務担当", last_name="総務")
    load_demo_round()
    round_ = open_round(CITY, 2020, user)
    from shinchoku.rounds import services as round_services

    report = round_.reports.order_by("pk").first()
    round_services.save(report, filled(report), version=report.version, user=user)
    plan = Plan.objects.get(slug=CITY)
    ChangeRecord.objects.create(
        plan_slug=CITY, source="browser", action="change", kind="plan", key=CITY, label="前の変更"
    )
    assert Round.objects.filter(plan=plan).count() == 2
    assert ItemEntry.objects.filter(report__round__plan=plan).exists()
    assert IndicatorEntry.objects.filter(report__round__plan=plan).exists()
    return plan


@pytest.fixture
def action_with_progress(db):
    """The action plan with an open FY2019 round whose sheets hold a draft."""
    user = get_user_model().objects.create_user("事務局", last_name="事務局")
    round_ = open_round(ACTION, 2019, user)
    from shinchoku.rounds import services as round_services

    for report in round_.reports.order_by("pk")[:3]:
        round_services.save(report, filled(report), version=report.version, user=user)
    assert ContentEntry.objects.filter(report__round=round_).exists()
    return Plan.objects.get(slug=ACTION)


# --------------------------------------------------------------------------- unchanged plans


def test_an_unchanged_plan_reloaded_from_its_json_export_keeps_everything(
    city_with_progress, tmp_path
):
    kept, ids, text = progress(CITY), identities(CITY), dumps(export_plan(city_with_progress))
    path = tmp_path / "c.json"
    run("export", CITY, "--format", "json", "-o", str(path))
    out = run("import", str(path), "--replace")
    assert "追加 0 件、変更 0 件、削除 0 件" in out
    assert progress(CITY) == kept
    assert identities(CITY) == ids
    assert dumps(export_plan(Plan.objects.get(slug=CITY))) == text
    public_pages_answer(CITY)


def test_an_unchanged_plan_reloaded_from_its_workbook_on_the_command_line_keeps_everything(
    city_with_progress, tmp_path
):
    kept, ids, text = progress(CITY), identities(CITY), dumps(export_plan(city_with_progress))
    path = tmp_path / "c.xlsx"
    run("export", CITY, "--format", "xlsx", "-o", str(path))
    out = run("import", str(path), "--replace")
    assert "追加 0 件、変更 0 件、削除 0 件" in out
    assert progress(CITY) == kept
    assert identities(CITY) == ids
    assert dumps(export_plan(Plan.objects.get(slug=CITY))) == text
    public_pages_answer(CITY)


def test_an_unchanged_plan_uploaded_as_its_own_workbook_keeps_everything(city_with_progress):
    admin = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    kept, ids, text = progress(CITY), identities(CITY), dumps(export_plan(city_with_progress))
    download = admin.get(reverse("plans:plan_workbook", args=[CITY]))
    assert download.status_code == 200
    response = admin.post(
        reverse("plans:workbook_upload"),
        {"file": SimpleUploadedFile("city.xlsx", download.content)},
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response.context["counts"] == {"add": 0, "change": 0, "remove": 0}
    token = PendingUpload.objects.latest("created").token
    assert admin.post(reverse("plans:workbook_confirm", args=[token])).status_code == 302
    assert progress(CITY) == kept
    assert identities(CITY) == ids
    assert dumps(export_plan(Plan.objects.get(slug=CITY))) == text
    public_pages_answer(CITY)


def test_a_reload_writes_nothing_when_nothing_changed(
    city_with_progress, django_assert_max_num_queries
):
    doc = export_plan(city_with_progress)
    ids = identities(CITY)
    # Reading the plan and its links, locking it; no write per record.
    with django_assert_max_num_queries(40):
        load_documents([doc], replace=True)
    assert identities(CITY) == ids


# --------------------------------------------------------------------------- changed plans


def changed_action_plan(doc: dict) -> dict:
    """Rename a node, add one, remove one without progress, change an indicator's target."""
    doc = copy.deepcopy(doc)
    used = Counter(
        name
        for n in _nodes(doc)
        for name in n["departments"] + [i["department"] for i in n["indicators"]]
    )
    leaves = [
        (parent, i, n)
        for parent in _nodes(doc)
        for i, n in enumerate(parent["children"])
        if not n["children"]
    ]
    # A leaf with a sibling after it, no reported progress, whose departments others use too.
    parent, index, removed = next(
        (p, i, n)
        for p, i, n in leaves
        if i + 1 < len(p["children"])
        and not any(ind["actuals"] or ind["reports"] for ind in n["indicators"])
        and all(used[d] > 1 for d in n["departments"] + [x["department"] for x in n["indicators"]])
        and n["contents"]
        and not any(c["shared"] for c in n["contents"])
    )
    del parent["children"][index]
    renamed = doc["plan"]["nodes"][0]
    renamed["title"] += "（改）"
    target_node = next(n for n in _nodes(doc) if any(i["targets"] for i in n["indicators"]))
    ind = next(i for i in target_node["indicators"] if i["targets"])
    ind["targets"][-1]["value"] = "999"
    added = copy.deepcopy(parent["children"][-1])
    added.update(key="added-item", title="新しい実施項目", children=[])
    added["sections"] = added["sections"][:1]
    added["contents"] = [dict(added["contents"][0], goals=[], shared=None, text="新しい内容")]
    added["indicators"] = [
        {
            "key": "added-indicator",
            "label": "1",
            "name": "新しい指標",
            "unit": "回",
            "direction": "up",
            "department": "",
            "baseline": None,
            "targets": [{"fy": 2023, "value": "4回"}],
            "actuals": [],
            "reports": [],
            "notes": "",
        }
    ]
    parent["children"].append(added)
    return doc, removed


def _nodes(doc: dict) -> list[dict]:
    out, stack = [], list(reversed(doc["plan"]["nodes"]))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node["children"]))
    return out


def test_a_changed_plan_updates_in_place_and_the_preview_counts_what_happens(
    action_with_progress,
):
    admin = login_client("council-admin", role="admin")
    kept = progress(ACTION)
    ids = identities(ACTION)
    before = ledger(ACTION)
    doc, removed = changed_action_plan(export_plan(action_with_progress))
    response = admin.post(
        reverse("plans:workbook_upload"),
        {"file": SimpleUploadedFile("action.xlsx", write_workbook(doc))},
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    changes = response.context["changes"]
    assert not response.context["losses"]
    token = PendingUpload.objects.latest("created").token
    assert admin.post(reverse("plans:workbook_confirm", args=[token])).status_code == 302

    after = ledger(ACTION)
    assert what_changed(before, after) == previewed(changes)
    counts = summary(changes)
    assert counts["add"] >= 4 and counts["remove"] >= 2 and counts["change"] >= 3
    assert dumps(export_plan(Plan.objects.get(slug=ACTION))) == dumps(doc)

    # Rounds, sheets, entries, events and history stay; the history grew by the changes.
    now = progress(ACTION)
    assert {k: v for k, v in now.items() if k != "history"} == {
        k: v for k, v in kept.items() if k != "history"
    }
    assert set(kept["history"]) < set(now["history"])

    # Records kept by key keep their id; only the changed ones raised their version.
    new_ids = identities(ACTION)
    changed_nodes = {c.key for c in changes if c.kind == "node" and c.action == "change"}
    for key, (pk, version) in ids["nodes"].items():
        if key == removed["key"]:
            assert key not in new_ids["nodes"]
            continue
        assert new_ids["nodes"][key][0] == pk
        assert new_ids["nodes"][key][1] == version + (key in changed_nodes)
    changed_indicators = {c.key for c in changes if c.kind == "indicator" and c.action == "change"}
    assert changed_indicators
    for key, (pk, version) in ids["indicators"].items():
        if key in new_ids["indicators"]:
            assert new_ids["indicators"][key] == (pk, version + (key in changed_indicators))
    assert "added-item" in new_ids["nodes"] and "added-indicator" in new_ids["indicators"]


def test_a_changed_plan_on_the_command_line_prints_what_happens(action_with_progress, tmp_path):
    kept_rounds = progress(ACTION)["reports"]
    before = ledger(ACTION)
    doc, _removed = changed_action_plan(export_plan(action_with_progress))
    path = tmp_path / "changed.json"
    path.write_text(dumps(doc), encoding="utf-8")
    prepared = services.prepare(copy.deepcopy(doc), None)
    counts = summary(prepared.changes)
    out = run("import", str(path), "--replace")
    assert f"追加 {counts['add']} 件、変更 {counts['change']} 件、削除 {counts['remove']} 件" in out
    assert what_changed(before, ledger(ACTION)) == previewed(prepared.changes)
    assert progress(ACTION)["reports"] == kept_rounds


def test_a_new_order_moves_records_without_changing_them(action_with_progress):
    doc = export_plan(action_with_progress)
    ids, before = identities(ACTION), ledger(ACTION)
    node = next(
        n
        for n in _nodes(doc)
        if len(n["contents"]) >= 2
        and len(n["sections"]) >= 2
        and len({content_key(c) for c in n["contents"]}) == len(n["contents"])
        and len({s["heading"] for s in n["sections"]}) == len(n["sections"])
    )
    node["contents"][:2] = node["contents"][1::-1]
    node["sections"][:2] = node["sections"][1::-1]
    prepared = services.prepare(copy.deepcopy(doc), None)
    assert [c.label for c in prepared.changes] == ["並び順", "並び順"]
    services.apply(prepared, user=None, source=ChangeRecord.Source.COMMAND)
    assert what_changed(before, ledger(ACTION)) == previewed(prepared.changes)
    assert identities(ACTION) == ids  # same ids, no version raised
    assert dumps(export_plan(Plan.objects.get(slug=ACTION))) == dumps(doc)


def test_links_from_other_plans_survive_and_a_linked_goal_still_cannot_be_removed(db):
    katsudo = Plan.objects.get(slug="nishitokyo-katsudo-4")
    served = {
        n.key: n.pk for n in Node.objects.filter(plan=katsudo, served_by__isnull=False).distinct()
    }
    assert served
    ids = identities(katsudo.slug)
    doc = export_plan(katsudo)
    load_documents([doc], replace=True)
    assert identities(katsudo.slug) == ids
    still = {
        n.key: n.pk for n in Node.objects.filter(plan=katsudo, served_by__isnull=False).distinct()
    }
    assert still == served
    # Dropping a served goal is refused and nothing changes.
    key = next(iter(served))
    shrunk = copy.deepcopy(doc)
    for node in _nodes(shrunk):
        node["children"] = [c for c in node["children"] if c["key"] != key]
    shrunk["plan"]["nodes"] = [n for n in shrunk["plan"]["nodes"] if n["key"] != key]
    text = dumps(export_plan(katsudo))
    with pytest.raises(InvalidDocument, match="消すことはできません"):
        load_documents([shrunk], replace=True)
    assert dumps(export_plan(Plan.objects.get(slug=katsudo.slug))) == text


# --------------------------------------------------------------------------- size limits


def _chain(levels: int) -> dict:
    """A document whose first node has a chain of `levels` children, built without recursion."""
    doc = plan_doc(slug="deep-plan", n_goals=1, items_per_goal=1)
    node = doc["plan"]["nodes"][0]
    for i in range(levels):
        child = {
            "key": f"deep-{i}",
            "level": 2,
            "label": "",
            "title": "深い項目",
            "subtitle": "",
            "sections": [],
            "departments": [],
            "kinds": [],
            "sdgs": [],
            "contents": [],
            "indicators": [],
            "children": [],
        }
        node["children"] = [child]
        node = child
    return doc


def test_a_document_nested_thousands_of_levels_deep_is_refused_quickly(empty_db):
    doc = _chain(3000)
    started = time.monotonic()
    with pytest.raises(InvalidDocument) as refused:
        load_documents([doc])
    assert time.monotonic() - started < 2
    (problem,) = refused.value.problems
    assert f"{MAX_NODE_DEPTH}階層まで" in problem.message
    assert not Plan.objects.exists()


def test_a_deep_document_is_refused_in_the_preview_too(db):
    prepared = services.prepare(_chain(3000), None)
    assert prepared.problems and f"{MAX_NODE_DEPTH}階層まで" in prepared.problems[0]
    assert prepared.changes == []


def test_a_deep_json_file_is_refused_by_the_command_before_it_is_parsed(db, tmp_path: Path):
    shallow = dumps(_chain(0)).replace('"children": []', '"children": [CHAIN]', 1)
    link = (
        '{"key": "k%d", "level": 2, "label": "", "title": "t", "subtitle": "", "sections": [], '
        '"departments": [], "kinds": [], "sdgs": [], "contents": [], "indicators": [], '
        '"children": ['
    )
    chain = "".join(link % i for i in range(3000)) + "]}" * 3000
    path = tmp_path / "deep.json"
    path.write_text(shallow.replace("CHAIN", chain), encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(CommandError, match=f"{MAX_NODE_DEPTH}階層まで"):
        run("import", str(path))
    assert time.monotonic() - started < 2
    assert not Plan.objects.filter(slug="deep-plan").exists()


def test_a_document_with_too_many_nodes_is_refused(empty_db):
    doc = _chain(0)
    node = doc["plan"]["nodes"][0]
    node["children"] = [dict(node, key=f"n-{i}", level=2, children=[]) for i in range(MAX_NODES)]
    with pytest.raises(InvalidDocument, match=f"{MAX_NODES}件まで"):
        load_documents([doc])


def test_a_document_at_the_depth_limit_loads(empty_db):
    doc = _chain(MAX_NODE_DEPTH - 1)
    doc["plan"]["level_names"] = [f"階層{i}" for i in range(1, MAX_NODE_DEPTH + 1)]
    node = doc["plan"]["nodes"][0]
    level = 1
    while node["children"]:
        node = node["children"][0]
        level += 1
        node["level"] = level
    (plan,) = load_documents([json.loads(dumps(doc))])
    assert Node.objects.filter(plan=plan).order_by("-level").first().level == MAX_NODE_DEPTH


def test_a_department_the_plan_no_longer_names_is_kept_and_not_previewed_as_removed(empty_db):
    """Departments belong to the organization: the preview lists no removal, and none happens."""
    load_documents([plan_doc(slug="dept-plan")])
    doc = plan_doc(slug="dept-plan")
    doc["departments"] = [d for d in doc["departments"] if d["name"] != "庶務係"]
    prepared = services.prepare(doc, None)
    assert not [c for c in prepared.changes if c.kind == "department"]
    services.apply(prepared, user=None, source="command")
    plan = Plan.objects.get(slug="dept-plan")
    assert plan.organization.departments.filter(name="庶務係").exists()
