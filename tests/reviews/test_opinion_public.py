"""Public pages show the opinions the 管理者 marked public, with their answers, only for the
published rounds; never unmarked opinions, never for an unpublished round."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shinchoku.reviews import services
from shinchoku.reviews.public import public_opinions
from shinchoku.rounds import services as round_services
from tests.conftest import login_client
from tests.public.rounds import ACTION, open_round, published_round
from tests.reviews.helpers import DEPT, action_plan, dept

pytestmark = pytest.mark.django_db


def recorded(plan, user, text, fy, *, public):
    o = services.create_opinion(plan, fy, text, user=user, department=dept(DEPT))
    o = services.answer(
        o, user=user, version=o.version, policy=f"{text}への対応方針", action="実施した"
    )
    if public:
        o = services.set_public(o, True, user=user, version=o.version)
    return o


def test_only_public_opinions_of_published_rounds_are_shown():
    admin = login_client("pb-admin", role="admin")
    plan = action_plan()
    published_round(ACTION, 2019, admin.user)
    recorded(plan, admin.user, "公開する意見", 2019, public=True)
    recorded(plan, admin.user, "公開しない意見", 2019, public=False)
    recorded(plan, admin.user, "未公表の年度の意見", 2020, public=True)
    page = Client().get(reverse("public:plan", args=[ACTION]), {"fy": 2019}).content.decode()
    assert "公開する意見" in page and "公開する意見への対応方針" in page and "対応中" in page
    assert "公開しない意見" not in page and "未公表の年度の意見" not in page
    assert [r.opinion.text for r in public_opinions(plan, 2019)] == ["公開する意見"]
    assert public_opinions(plan, 2020) == []  # no round for FY2020


def test_an_unpublished_round_shows_none():
    admin = login_client("pb-admin2", role="admin")
    plan = action_plan()
    round_ = open_round(ACTION, 2019, admin.user)
    recorded(plan, admin.user, "公開指定だが未公表", 2019, public=True)
    assert public_opinions(plan, 2019) == []  # open round
    round_.delete()
    round_ = published_round(ACTION, 2019, admin.user)
    assert [r.opinion.text for r in public_opinions(plan, 2019)] == ["公開指定だが未公表"]
    round_services.unpublish_round(round_, admin.user)
    assert public_opinions(plan, 2019) == []
    assert "公開指定だが未公表" not in Client().get(reverse("public:index")).content.decode()
