"""Indicator keys are unique within a plan, enforced by the database.

Each indicator gets its plan (copied from its node). A key already used twice in a plan, which
concurrent 「指標を追加」 could leave behind, is kept by the oldest indicator; the others get a
fresh key (``<key>-2``, ``<key>-3`` …) so that the constraint can be added and the plan exports
again. Round entries keep pointing at the oldest indicator, which they were read with.
"""

import django.db.models.deletion
from django.db import migrations, models


def fill_plans_and_free_duplicate_keys(apps, schema_editor):
    Indicator = apps.get_model("plans", "Indicator")
    Node = apps.get_model("plans", "Node")
    plan_of = dict(Node.objects.values_list("id", "plan_id"))
    used: dict[int, set[str]] = {}
    for ind in Indicator.objects.order_by("id").only("id", "node_id", "key"):
        plan_id = plan_of[ind.node_id]
        keys = used.setdefault(plan_id, set())
        key = ind.key
        if key in keys:
            n = 2
            while f"{ind.key}-{n}"[:100] in keys:
                n += 1
            key = f"{ind.key}-{n}"[:100]
        keys.add(key)
        Indicator.objects.filter(pk=ind.pk).update(plan_id=plan_id, key=key)
    if schema_editor.connection.vendor == "postgresql":
        # Run the deferred foreign-key checks now: PostgreSQL refuses to alter a table with
        # pending trigger events in the same transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0006_cross_org_links"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="plan",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="plans.plan",
            ),
        ),
        migrations.RunPython(fill_plans_and_free_duplicate_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="indicator",
            name="plan",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="plans.plan",
            ),
        ),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.UniqueConstraint(fields=("plan", "key"), name="unique_indicator_key"),
        ),
    ]
