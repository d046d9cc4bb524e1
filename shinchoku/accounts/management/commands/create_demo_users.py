"""Create (or reset) one demo user per role for organizations that own plans. Demo use only."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shinchoku.accounts.models import Membership, PasswordState, Role
from shinchoku.orgs.models import Organization

DEMO_PASSWORD = "shinchoku-demo"  # noqa: S105 - a documented demo password, not a secret
ROLES = [
    (Role.ADMIN, "admin", "管理者"),
    (Role.STAFF, "staff", "部署担当"),
    (Role.APPROVER, "approver", "承認者"),
    (Role.VIEWER, "viewer", "閲覧"),
]


DEMO_MAIL_DOMAIN = "example.jp"  # reserved for examples: nothing is ever delivered there


def _demo_user(username: str, full_name: str, password: str):
    User = get_user_model()
    user, _created = User.objects.get_or_create(username=username)
    user.last_name = full_name
    if not user.email:
        # An address, so that `make run` (console mail backend) shows the notifications of a
        # round; one a 管理者 gave is kept, and none is taken from another user.
        address = f"{username}@{DEMO_MAIL_DOMAIN}"
        if not User.objects.filter(email__iexact=address).exclude(pk=user.pk).exists():
            user.email = address
    user.is_active = True
    user.set_password(password)
    user.save()
    # A documented demo login, never forced to change (unlike an initial password from a 管理者).
    PasswordState.require_change(user, False)
    return user


def create_demo_users(organization: Organization, password: str = DEMO_PASSWORD) -> list[str]:
    """One user per role, named <org slug>-<role>; staff and approver get the first department.

    Every further department gets its own staff and approver, <org slug>-staff-<n> and
    <org slug>-approver-<n> (n = the department's place in the list, from 2), so that the demo
    can show each department reporting for itself.
    """
    departments = list(organization.departments.order_by("order", "id"))
    names = []
    with transaction.atomic():
        for role, suffix, label in ROLES:
            username = f"{organization.slug}-{suffix}"
            user = _demo_user(username, f"{organization.name} {label}", password)
            member, _created = Membership.objects.update_or_create(
                user=user, defaults={"organization": organization, "role": role}
            )
            member.departments.set(departments[:1] if role in (Role.STAFF, Role.APPROVER) else [])
            names.append(username)
        for n, department in enumerate(departments[1:], start=2):
            for role, suffix, label in ROLES:
                if role not in (Role.STAFF, Role.APPROVER):
                    continue
                username = f"{organization.slug}-{suffix}-{n}"
                user = _demo_user(username, f"{department.name} {label}", password)
                member, _created = Membership.objects.update_or_create(
                    user=user, defaults={"organization": organization, "role": role}
                )
                member.departments.set([department])
                names.append(username)
    return names


class Command(BaseCommand):
    help = "Create demo users (admin, staff, approver, viewer) for organizations. Demo only."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="organization slug (default: every one with plans)")
        parser.add_argument("--password", default=DEMO_PASSWORD)

    def handle(self, *args, **options):
        if options["org"]:
            organizations = list(Organization.objects.filter(slug=options["org"]))
            if not organizations:
                raise CommandError(f"組織「{options['org']}」はありません。")
        else:
            organizations = list(Organization.objects.filter(plans__isnull=False).distinct())
        for organization in organizations:
            names = create_demo_users(organization, options["password"])
            self.stdout.write(f"デモ用ユーザー（{organization.name}）: " + "、".join(names))
        self.stdout.write(f"パスワード: {options['password']}（デモ専用。本番では使わないこと）")
