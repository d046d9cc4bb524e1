"""The demo data set: the Nishitokyo plans, as interchange files committed with the product."""

from __future__ import annotations

import json
from pathlib import Path

DEMO_DIR = Path(__file__).parent
# Load order: plans that others link to come first (all load in one run anyway).
DEMO_FILES = [
    "nishitokyo-chiiki-fukushi-4.json",
    "nishitokyo-katsudo-4.json",
    "nishitokyo-action-plan-2019.json",
]
DEMO_PREFECTURE = (
    "13"  # 東京都: the federation's lists filter by it (not in the interchange format)
)


def demo_documents() -> list[dict]:
    """Read the committed demo documents."""
    return [json.loads((DEMO_DIR / name).read_text(encoding="utf-8")) for name in DEMO_FILES]


def load_demo(replace: bool = False):
    """Load the demo plans in one transaction; the links between them come out accepted.

    The council's plan and the city's are kept consistent (整合) with each other, and each
    organization has accepted the other's link, as it would have in the product.
    """
    from django.db import transaction

    from shinchoku.orgs.models import Organization
    from shinchoku.plans.interchange import load_documents
    from shinchoku.plans.links import accept_all_between

    with transaction.atomic():
        plans = load_documents(demo_documents(), replace=replace)
        accept_all_between(plans)
        Organization.objects.filter(
            pk__in={p.organization_id for p in plans}, prefecture=""
        ).update(prefecture=DEMO_PREFECTURE)
    return plans


def write_demo(docs: list[dict], folder: Path) -> list[Path]:
    """Load documents into a scratch database state and write their canonical exports.

    The committed files are exports, so that they equal what `shinchoku export` writes.
    """
    from django.db import transaction

    from shinchoku.plans.interchange import dumps, export_plan, load_documents

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with transaction.atomic():
        sid = transaction.savepoint()
        plans = load_documents(docs, replace=True)
        texts = {p.slug: dumps(export_plan(p)) for p in plans}
        transaction.savepoint_rollback(sid)
    for slug, text in texts.items():
        path = folder / f"{slug}.json"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
