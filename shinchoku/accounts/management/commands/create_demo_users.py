"""Create (or reset) one demo user per role for organizations that own plans. Demo use only."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shinchoku.accounts.models import Membership, Role
from shinchoku.orgs.models import Organization

DEMO_PASSWORD = "shinchoku-demo"  # noqa: S105 - a documented demo password, not a secret
ROLES = [
    (Role.ADMIN, "admin", "管理者"),
    (Role.STAFF, "staff", "部署担当"),
    (Role.APPROVER, "approver", "承認者"),
    (Role.VIEWER, "viewer", "閲覧"),
]


def create_demo_users(organization: Organization, password: str = DEMO_PASSWORD) -> list[str]:
    """One user per role, named <org slug>-<role>; staff and approver get the first department."""
    User = get_user_model()
    first_department = organization.departments.order_by("order", "id").first()
    names = []
    with transaction.atomic():
        for role, suffix, label in ROLES:
            username = f"{organization.slug}-{suffix}"
            user, _created = User.objects.get_or_create(username=username)
            user.last_name = f"{organization.name} {label}"
            user.is_active = True
            user.set_password(password)
            user.save()
            member, _created = Membership.objects.update_or_create(
                user=user, defaults={"organization": organization, "role": role}
            )
            member.departments.set(
                [first_department]
                if first_department and role in (Role.STAFF, Role.APPROVER)
                else []
            )
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
