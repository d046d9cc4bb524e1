"""Only published, approved data reaches the public: never another FY, a draft, a comment or a name.

The scenario runs on the demo action plan: FY2019 is published (so the plan is public), then a
FY2020 round collects one approved sheet with a distinctive actual, a draft, and a sheet returned
with a comment, each carrying internal notes. Nothing of FY2020 may reach any public page or
download until the round is closed and published, and the internal parts never do.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from shinchoku.plans.models import Indicator, Node
from shinchoku.rounds import services
from tests.public.rounds import ACTION, approve, filled, open_round, published_round

SECRET_ACTUAL = "98765千円"  # 自己財源額 (総務課), approved in FY2020
DRAFT_ACTUAL = "97531"  # typed in a draft sheet
APPROVED_DONE = "承認済みの取組テキスト甲"
APPROVED_NEXT = "承認済みの展開テキスト甲"
DRAFT_DONE = "下書きの取組テキスト乙"
RETURN_COMMENT = "差戻しコメント丙の内容"
INTERNAL_NOTE = "内部メモ丁の内容"
PUBLISHER = "山田公開担当戊"


@pytest.fixture
def publisher(db):
    return get_user_model().objects.create_user("publisher-x", last_name=PUBLISHER)


def public_urls() -> list[str]:
    """Every public page and download of the action plan."""
    base = f"/public/{ACTION}/"
    urls = [
        "/public/",
        base,
        base + "data.csv",
        base + "data.json",
        base + "2019/data.csv",
        base + "2019/data.json",
    ]
    urls += [
        f"{base}nodes/{k}/"
        for k in Node.objects.filter(plan__slug=ACTION).values_list("key", flat=True)
    ]
    urls += [
        f"{base}indicators/{k}/"
        for k in Indicator.objects.filter(node__plan__slug=ACTION).values_list("key", flat=True)
    ]
    return urls


def everything(client: Client) -> str:
    """All public pages and downloads of the plan, concatenated."""
    bodies = []
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.content.decode("utf-8-sig"))
    return "\n".join(bodies)


def secret(line) -> str:
    return SECRET_ACTUAL if line.indicator.name == "自己財源額" else f"7{line.indicator.unit}"


def test_fy2020_reaches_the_public_only_once_published(anonymous, publisher):
    published_round(ACTION, 2019, publisher)
    round_ = open_round(ACTION, 2020, publisher)
    reports = {r.department.name: r for r in round_.reports.select_related("department")}

    # 総務課: approved with the distinctive actual; the plan's values now hold it.
    general = reports["総務課"]
    approve(
        general,
        publisher,
        filled(general, secret, done=APPROVED_DONE, next_=APPROVED_NEXT, note=INTERNAL_NOTE),
    )
    assert (
        Indicator.objects.get(node__plan__slug=ACTION, name="自己財源額")
        .values.filter(role="actual", fy=2020, text=SECRET_ACTUAL)
        .exists()
    )
    # 福祉支援課: a draft only.
    draft = reports["福祉支援課"]
    services.save(
        draft,
        filled(draft, lambda line: f"{DRAFT_ACTUAL}{line.indicator.unit}", done=DRAFT_DONE),
        version=draft.version,
        user=publisher,
    )
    # 福祉活動推進課: submitted and returned with a comment.
    returned = reports["福祉活動推進課"]
    returned = services.save(
        returned, filled(returned, note=INTERNAL_NOTE), version=returned.version, user=publisher
    )
    returned = services.submit(returned, publisher)
    services.return_report(returned, publisher, RETURN_COMMENT)

    anonymous_ = Client()
    body = everything(anonymous_)
    for text in (SECRET_ACTUAL, "98765", APPROVED_DONE, APPROVED_NEXT, DRAFT_DONE, DRAFT_ACTUAL):
        assert text not in body, text
    for text in (RETURN_COMMENT, INTERNAL_NOTE, PUBLISHER, "publisher-x"):
        assert text not in body, text
    assert "2020/data.csv" not in body  # FY2020 is not offered for download
    assert anonymous_.get(f"/public/{ACTION}/?fy=2020").status_code == 404
    assert anonymous_.get(f"/public/{ACTION}/2020/data.json").status_code == 404

    # Every sheet approved and the round closed, but not published: still nothing.
    for report in (reports["福祉支援課"], reports["福祉活動推進課"]):
        report.refresh_from_db()
        approve(report, publisher, filled(report, note=INTERNAL_NOTE))
    services.close_round(round_, publisher)
    body = everything(anonymous_)
    assert SECRET_ACTUAL not in body and APPROVED_DONE not in body

    # Published: the approved values and texts appear, the internal parts still never do.
    services.publish_round(round_, publisher)
    body = everything(anonymous_)
    assert SECRET_ACTUAL in body and APPROVED_DONE in body and APPROVED_NEXT in body
    assert "98765" in anonymous_.get(f"/public/{ACTION}/2020/data.csv").content.decode("utf-8-sig")
    for text in (DRAFT_DONE, RETURN_COMMENT, INTERNAL_NOTE, PUBLISHER, "publisher-x"):
        assert text not in body, text

    # Unpublished again: FY2020 disappears, FY2019 stays.
    services.unpublish_round(round_, publisher)
    body = everything(anonymous_)
    assert SECRET_ACTUAL not in body and APPROVED_DONE not in body
    assert anonymous_.get(f"/public/{ACTION}/?fy=2020").status_code == 404
