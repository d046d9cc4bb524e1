from django.core.management import call_command
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
        # Demo users so that the demo can be logged into (documented in the README).
        call_command("create_demo_users", stdout=self.stdout)
        # The city's FY2019 progress sheet as an approved, published round.
        from shinchoku.rounds.demo import load_demo_round

        round_ = load_demo_round()
        if round_ is not None:
            self.stdout.write(f"進捗調査（承認済・公開）: {round_.plan.title} {round_.fy}年度")
        # The action plan's council: its register of 事務事業 and one evaluation year.
        from shinchoku.businesses.demo import load_demo_businesses

        load_demo_businesses()
