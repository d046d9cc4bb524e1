"""Who a department's notifications go to: its 部署担当 (or the 課 above's), else its 承認者;
a sheet waiting for approval goes to its 承認者, else the 管理者; never another organization."""

from __future__ import annotations

from shinchoku.notify.services import admins_of, approvers_of, staff_of
from shinchoku.orgs.models import Department, Organization
from tests.conftest import COUNCIL, login_client
from tests.notify.conftest import SHIEN, user


def names(users) -> list[str]:
    return sorted(u.username.removeprefix("n-") for u in users)


def test_staff_of_a_department_and_of_the_ka_above(people):
    org = Organization.objects.get(slug=COUNCIL)
    shien = Department.objects.get(organization=org, name=SHIEN)
    kakari = Department.objects.create(organization=org, name="相談係", parent=shien)
    assert names(staff_of(shien)) == ["shien"]  # not the inactive one, not the 承認者
    assert names(staff_of(kakari)) == ["shien"]  # covered by the 課 above
    login_client("n-kakari", role="staff", departments=("相談係",))
    assert names(staff_of(kakari)) == ["kakari", "shien"]
    assert names(staff_of(shien)) == ["shien"]  # a 係's staff do not cover the 課


def test_a_department_without_staff_tells_its_approver(people):
    org = Organization.objects.get(slug=COUNCIL)
    lonely = Department.objects.create(organization=org, name="地域福祉係")
    assert staff_of(lonely) == []
    login_client("n-chief", role="approver", departments=("地域福祉係",))
    assert names(staff_of(lonely)) == ["chief"]
    assert names(approvers_of(lonely)) == ["chief"]


def test_approvers_fall_back_to_the_admins_of_the_same_organization(people):
    org = Organization.objects.get(slug=COUNCIL)
    soumu = Department.objects.get(organization=org, name="総務課")
    assert names(approvers_of(soumu)) == ["admin"]  # not the other organization's 管理者
    assert names(admins_of(org.pk)) == ["admin"]
    outsider = user(people, "outsider")
    assert outsider.membership.organization_id != org.pk
    assert names(admins_of(outsider.membership.organization_id)) == ["outsider"]
