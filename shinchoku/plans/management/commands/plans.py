from django.core.management.base import BaseCommand

from shinchoku.core.wareki import fy_short
from shinchoku.plans.models import Plan


class Command(BaseCommand):
    help = "List plans, one per line, slug first."

    def handle(self, *args, **options):
        for plan in Plan.objects.select_related("organization").order_by("slug"):
            period = f"{fy_short(plan.first_fy)}〜{fy_short(plan.last_fy)}"
            self.stdout.write(
                f"{plan.slug}\t{plan.title}\t{plan.organization.name}\t{plan.first_fy}-"
                f"{plan.last_fy} ({period})"
            )
