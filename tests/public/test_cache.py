"""Public pages and open data come from the cache until their plan changes, and never stale.

Each kind of record is changed through the product's own code path (the plan import, the round
services, the opinion services); then every page and download, served as the cache has it, must
be exactly what the product builds afresh, and at least one must show the change.
"""

from __future__ import annotations

import difflib
import re

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shinchoku.covered import CoveredQuerySet
from shinchoku.orgs.models import Organization
from shinchoku.plans import cache_version
from shinchoku.plans import services as plan_services
from shinchoku.plans.interchange import export_plan
from shinchoku.plans.models import Content, Node, Plan, PlanCacheVersion, SdgGoal
from shinchoku.reviews import services as opinions
from shinchoku.rounds import services as rounds
from shinchoku.rounds.models import Round
from tests.conftest import login_client
from tests.public.rounds import ACTION, filled, published_round
from tests.reviews.helpers import DEPT, dept

pytestmark = pytest.mark.django_db
P = f"/public/{ACTION}/"
MARK = "キャッシュ確認"
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]+"')
HX_TOKEN = re.compile(rb'"X-CSRFToken": "[A-Za-z0-9]+"')  # in the 404 page
CHART_ID = re.compile(rb"\bsc\d+-")  # the charts number their SVG ids per process
HIT_QUERIES = 1  # the plan's cache version, nothing of the plan's own tables
# A download is also recorded in the audit trail (audit.middleware): savepoint, insert, release.
DOWNLOAD_HIT_QUERIES = HIT_QUERIES + 3


@pytest.fixture
def admin():
    client = login_client("cache-admin", role="admin")
    client.round = published_round(ACTION, 2019, client.user)
    return client


def urls() -> list[str]:
    goal = Node.objects.get(plan__slug=ACTION, key="item-1").parent.key
    return [
        "/public/",
        P,
        P + "?fy=2019",
        P + f"nodes/{goal}/",
        P + "nodes/item-1/",
        P + "indicators/I-1-1/",
        P + "2019/summary/",
        P + "data.csv",
        P + "data.json",
        P + "2019/data.csv",
        P + "2019/data.json",
    ]


def served(client: Client, url: str) -> tuple[int, bytes]:
    response = client.get(url)
    body = HX_TOKEN.sub(b"TOKEN", TOKEN.sub(b"TOKEN", response.content))
    return response.status_code, CHART_ID.sub(b"sc-", body)


def pages() -> dict[str, tuple[int, bytes]]:
    """Every page as a visitor gets it now (cached or not)."""
    client = Client()
    return {url: served(client, url) for url in urls()}


def warm() -> dict[str, tuple[int, bytes]]:
    """Build and cache every page; a second visit of each is a cache hit."""
    before = pages()
    client = Client()
    for url in urls():
        with CaptureQueriesContext(connection) as hit:
            client.get(url)
        pinned = DOWNLOAD_HIT_QUERIES if url.endswith(("csv", "json")) else HIT_QUERIES
        assert len(hit) == pinned, (url, [q["sql"] for q in hit.captured_queries])
    return before


def _diff(a: tuple, b: tuple) -> str:
    lines = difflib.unified_diff(
        a[1].decode().splitlines(), b[1].decode().splitlines(), "served", "rebuilt", n=0
    )
    return "\n".join(list(lines)[:12])


def assert_fresh(before: dict, mark: str | None = MARK) -> dict:
    """What is served equals what the product builds afresh, and something changed."""
    now = pages()
    cache.clear()
    rebuilt = pages()
    for url in now:
        assert now[url] == rebuilt[url], f"stale: {url}\n" + _diff(now[url], rebuilt[url])
    assert now != before
    if mark is not None:
        assert any(mark.encode() in body for _status, body in now.values())
    return now


def through_import(admin, change) -> None:
    """Change the plan document and load it, as an upload of the plan's workbook or JSON does."""
    doc = export_plan(Plan.objects.get(slug=ACTION))
    change(doc["plan"])
    prepared = plan_services.prepare(doc, None)
    assert not prepared.problems
    plan_services.apply(prepared, user=admin.user, source="test")


def node_doc(plan_doc: dict, key: str = "item-1") -> dict:
    def walk(nodes):
        for n in nodes:
            yield n
            yield from walk(n.get("children", []))

    return next(n for n in walk(plan_doc["nodes"]) if n["key"] == key)


def _plan_title(p):
    p["title"] += MARK


def _node_title(p):
    node_doc(p)["title"] += MARK


def _content_text(p):
    node_doc(p)["contents"][0]["text"] += MARK


def _indicator_name(p):
    node_doc(p)["indicators"][0]["name"] += MARK


def _indicator_value(p):
    node_doc(p)["indicators"][0]["targets"][0]["value"] = "7回"


def _schedule(p):
    node_doc(p)["contents"][0]["schedule"][0]["phase"] = MARK


def _section(p):
    node_doc(p)["sections"][0]["body"] = [MARK]


def _plan_section(p):
    p["sections"][0]["body"] = [MARK]


CHANGES = {
    "plan field": (_plan_title, MARK),
    "node": (_node_title, MARK),
    "content": (_content_text, MARK),
    "indicator": (_indicator_name, MARK),
    "indicator value": (_indicator_value, "7回"),
    "schedule": (_schedule, MARK),
    "section of a node": (_section, MARK),
    "section of the plan": (_plan_section, MARK),
}


@pytest.mark.parametrize("kind", CHANGES)
def test_a_change_loaded_into_the_plan_shows_on_every_page(admin, kind):
    before = warm()
    change, mark = CHANGES[kind]
    through_import(admin, change)
    assert_fresh(before, mark)


def test_unpublishing_and_republishing_the_round_shows_at_once(admin):
    before = warm()
    rounds.unpublish_round(admin.round, admin.user)
    now = assert_fresh(before, mark=None)
    assert now[P][0] == 404 and now[P + "data.csv"][0] == 404
    warm_404 = pages()
    rounds.publish_round(Round.objects.get(pk=admin.round.pk), admin.user)
    assert assert_fresh(warm_404, mark=None)[P][0] == 200


def test_a_sheet_corrected_and_approved_again_shows_its_new_text(admin):
    before = warm()
    round_ = Round.objects.get(pk=admin.round.pk)
    rounds.reopen_round(round_, admin.user, "訂正")
    report = round_.reports.order_by("pk").first()
    report = rounds.return_report(report, admin.user, "直してください")
    data = filled(report, done=MARK)
    report = rounds.save(report, data, version=report.version, user=admin.user)
    report = rounds.submit(report, admin.user)
    rounds.approve(report, admin.user)
    rounds.close_round(Round.objects.get(pk=round_.pk), admin.user)
    rounds.publish_round(Round.objects.get(pk=round_.pk), admin.user)
    assert_fresh(before)


def test_a_public_opinion_and_its_answer_show(admin):
    plan = Plan.objects.get(slug=ACTION)
    before = warm()
    o = opinions.create_opinion(plan, 2019, MARK + "の意見", user=admin.user, department=dept(DEPT))
    o = opinions.set_public(o, True, user=admin.user, version=o.version)
    before = assert_fresh(before)
    opinions.answer(o, user=admin.user, version=o.version, policy=MARK + "する方針")
    assert_fresh(before, MARK + "する方針")


def test_renaming_the_organization_or_a_department_shows(admin):
    before = warm()
    org = Plan.objects.get(slug=ACTION).organization
    org.name += MARK
    org.save(update_fields=["name"])  # as the federation's admin form saves it
    before = assert_fresh(before)
    department = dept(DEPT)
    department.name = MARK + "課"
    department.save(update_fields=["name"])
    assert_fresh(before, MARK + "課")


def test_a_bulk_update_raises_the_version_too(admin):
    before = warm()
    Round.objects.filter(pk=admin.round.pk).update(status=Round.Status.OPEN)
    assert assert_fresh(before, mark=None)[P][0] == 404


def test_a_raise_rolled_back_with_its_savepoint_is_made_again(admin):
    plan = Plan.objects.get(slug=ACTION)

    def version() -> int:  # not cache_version.current: reading it allows the next raise
        return PlanCacheVersion.objects.get(plan=plan).version

    start = cache_version.current(plan.pk)  # the fixture's own raises are behind us
    with transaction.atomic():
        try:
            with transaction.atomic():
                Plan.objects.filter(pk=plan.pk).update(title="x")
                assert version() == start + 1
                raise RuntimeError
        except RuntimeError:
            pass
        assert version() == start
        Plan.objects.filter(pk=plan.pk).update(title="y")
        assert version() == start + 1
        Plan.objects.filter(pk=plan.pk).update(title="z")
        assert version() == start + 1  # once per transaction…
        cache_version.current(plan.pk)
        Plan.objects.filter(pk=plan.pk).update(title="w")
        assert version() == start + 2  # …unless the version was read meanwhile


def test_a_logged_in_user_is_neither_served_from_nor_stored_in_the_cache(admin):
    warm()
    with CaptureQueriesContext(connection) as as_staff:
        assert admin.get(P).status_code == 200
    assert len(as_staff) > HIT_QUERIES
    cache.clear()
    admin.get(P)
    with CaptureQueriesContext(connection) as visitor:
        Client().get(P)
    assert len(visitor) > HIT_QUERIES  # the staff member's page was not stored


def test_a_cached_page_has_its_own_csrf_token_and_the_security_headers(admin):
    warm()
    first, second = Client().get(P), Client().get(P)
    tokens = [TOKEN.search(r.content).group(0) for r in (first, second)]
    assert tokens[0] != tokens[1]
    for r in (first, second):
        assert "csrftoken" in r.cookies
        assert "script-src 'self'" in r["Content-Security-Policy"]
        assert r["X-Frame-Options"] == "DENY"


def test_every_model_with_a_path_to_a_plan_raises_its_version_or_is_excused():
    """A new model hanging from a plan is covered by the receivers, or listed with a reason."""
    for model in apps.get_models(include_auto_created=True):
        if cache_version.paths_to_plan(model) or model is Plan:
            label = model._meta.label
            assert model in cache_version.COVERED or label in cache_version.EXCLUDED, label
    for label in cache_version.ORGANIZATION_MODELS:
        assert apps.get_model(label) in cache_version.COVERED
    assert cache_version.COVERED.keys().isdisjoint(
        apps.get_model(label) for label in cache_version.EXCLUDED
    )


def test_every_covered_model_raises_the_version_on_its_bulk_writes():
    """update / delete / bulk_create / bulk_update of a covered model go through CoveredQuerySet;
    a many-to-many table, which has no manager of its own, is raised on m2m_changed."""
    for model in cache_version.COVERED:
        if model._meta.auto_created:
            assert m2m_changed.has_listeners(model), model._meta.label
            continue
        for manager in (model._default_manager, model.objects):
            assert isinstance(manager.all(), CoveredQuerySet), model._meta.label


def test_a_many_to_many_add_shows(admin):
    node = Node.objects.get(plan__slug=ACTION, key="item-1")
    before = warm()
    node.sdgs.add(*SdgGoal.objects.exclude(nodes=node).order_by("number")[:1])
    assert_fresh(before, mark=None)


def test_a_queryset_delete_shows(admin):
    before = warm()
    node = Node.objects.get(plan__slug=ACTION, key="item-1")
    Content.objects.filter(pk=node.contents.order_by("order")[0].pk).delete()
    assert_fresh(before, mark=None)


def test_a_bulk_update_of_the_organization_shows(admin):
    before = warm()
    plan = Plan.objects.get(slug=ACTION)
    Organization.objects.filter(pk=plan.organization_id).update(name=MARK)
    assert_fresh(before)
