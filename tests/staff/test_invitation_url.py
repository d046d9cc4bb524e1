"""The invitation link lives under /accounts/: an organization may have the slug "invitation"."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import resolve, reverse

from shinchoku.accounts.models import Membership
from shinchoku.jobs.runner import run_pending
from shinchoku.orgs.models import Organization
from tests.conftest import login_client
from tests.staff.conftest import STRONG, link_in

User = get_user_model()
SLUG = "invitation"


def test_an_organization_called_invitation_has_working_staff_pages(
    db, mailbox, django_capture_on_commit_callbacks
):
    Organization.objects.create(slug=SLUG, name="招待町", kind="municipality")
    admin = login_client("town-admin", role="admin", org_slug=SLUG)
    person = login_client("town-staff", role="viewer", org_slug=SLUG).user
    # the person's pages resolve to the staff views, not to the invitation page
    for path, name in (
        (f"/staff/{SLUG}/{person.pk}/", "staff:person"),
        (f"/staff/{SLUG}/{person.pk}/active/", "staff:set_active"),
        (f"/staff/{SLUG}/{person.pk}/invitation/", "staff:resend"),
        (f"/staff/{SLUG}/{person.pk}/transfer/", "staff:transfer"),
    ):
        assert resolve(path).view_name == name, path
    assert admin.get(reverse("staff:list", args=[SLUG])).status_code == 200
    page = admin.get(f"/staff/{SLUG}/{person.pk}/")
    assert page.status_code == 200 and "town-staff" in page.text
    member = Membership.objects.get(user=person)
    response = admin.post(
        f"/staff/{SLUG}/{person.pk}/active/", {"active": "0", "version": member.version}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active

    # a new person of this organization accepts the invitation at /accounts/invitation/
    data = {"name": "招待 太郎", "email": "taro@example.jp", "username": "taro", "role": "viewer"}
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(reverse("staff:add", args=[SLUG]), data).status_code == 302
    run_pending()
    link = link_in(mailbox[-1].body)
    assert link.startswith("/accounts/invitation/")
    assert resolve(link).view_name == "accounts:invitation_accept"
    visitor = Client()
    form = visitor.get(link, follow=True)
    assert 'name="new_password1"' in form.text
    done = visitor.post(
        form.redirect_chain[-1][0], {"new_password1": STRONG, "new_password2": STRONG}
    )
    assert done.status_code == 302
    assert User.objects.get(username="taro").has_usable_password()
