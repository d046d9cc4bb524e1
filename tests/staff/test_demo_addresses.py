"""Demo users get an e-mail address, so `make run` shows the notifications on the console."""

from __future__ import annotations

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from shinchoku.accounts.models import Membership
from tests.conftest import COUNCIL

User = get_user_model()


def test_demo_users_get_username_at_example_jp_and_keep_an_address_given(db):
    User.objects.create_user("someone-else", email=f"{COUNCIL}-viewer@example.jp")
    given = User.objects.create_user(f"{COUNCIL}-approver", email="shonin@example.jp")
    call_command("create_demo_users", "--org", COUNCIL, stdout=StringIO())
    demo = Membership.objects.filter(
        organization__slug=COUNCIL, user__username__startswith=f"{COUNCIL}-"
    ).select_related("user")
    assert demo.count() >= 4
    for member in demo:
        user = member.user
        if user.username == f"{COUNCIL}-approver":
            assert user.email == "shonin@example.jp"  # a 管理者's address stays
        elif user.username == f"{COUNCIL}-viewer":
            assert user.email == ""  # the address is someone else's: not taken twice
        else:
            assert user.email == f"{user.username}@example.jp", user.username
    given.refresh_from_db()
    assert given.email == "shonin@example.jp"
    # running it again changes no address
    before = dict(User.objects.values_list("username", "email"))
    call_command("create_demo_users", "--org", COUNCIL, stdout=StringIO())
    assert dict(User.objects.values_list("username", "email")) == before
