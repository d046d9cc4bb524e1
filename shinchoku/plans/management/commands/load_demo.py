from django.core.management.base import BaseCommand

from shinchoku.plans.demo import load_demo
from shinchoku.plans.models import Plan


class Command(BaseCommand):
    help = "Load the demo plans (the Nishitokyo documents) shipped with the product."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="only when no plan exists")

    def handle(self, *args, **options):
        if options["if_empty"] and Plan.objects.exists():
            self.stdout.write("計画が既にあるため、デモデータは読み込みません。")
            return
        for plan in load_demo():
            self.stdout.write(f"読み込みました: {plan.slug}\t{plan.title}")
