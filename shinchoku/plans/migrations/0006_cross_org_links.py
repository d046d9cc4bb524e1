# Links into other plans become references by slug and key, with a nullable foreign key, and a
# plan accepts or declines the links another organization's plan makes into it.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_references(apps, schema_editor):
    """Copy each link's target slug (and node key) into the new text columns."""
    ContentGoal = apps.get_model("plans", "ContentGoal")
    PlanRelation = apps.get_model("plans", "PlanRelation")
    for cg in ContentGoal.objects.select_related("node__plan").iterator():
        cg.plan_slug, cg.node_key = cg.node.plan.slug, cg.node.key
        cg.save(update_fields=["plan_slug", "node_key"])
    for rel in PlanRelation.objects.select_related("other").iterator():
        rel.other_slug = rel.other.slug
        rel.save(update_fields=["other_slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0005_pending_uploads"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="contentgoal", name="unique_content_goal"),
        migrations.RemoveConstraint(model_name="planrelation", name="unique_plan_relation"),
        migrations.AddField(
            model_name="contentgoal",
            name="plan_slug",
            field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="contentgoal",
            name="node_key",
            field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="planrelation",
            name="other_slug",
            field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
        migrations.RunPython(fill_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contentgoal",
            name="node",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="plans.node",
            ),
        ),
        migrations.AlterField(
            model_name="planrelation",
            name="other",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="related_from",
                to="plans.plan",
            ),
        ),
        migrations.AddConstraint(
            model_name="contentgoal",
            constraint=models.UniqueConstraint(
                fields=("content", "plan_slug", "node_key"), name="unique_content_goal"
            ),
        ),
        migrations.AddConstraint(
            model_name="planrelation",
            constraint=models.UniqueConstraint(
                fields=("plan", "other_slug", "type"), name="unique_plan_relation"
            ),
        ),
        migrations.CreateModel(
            name="LinkAcceptance",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "decision",
                    models.CharField(
                        choices=[("accepted", "accepted"), ("declined", "declined")],
                        max_length=10,
                    ),
                ),
                ("user_name", models.CharField(blank=True, max_length=150)),
                ("at", models.DateTimeField(auto_now=True)),
                (
                    "from_plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="plans.plan",
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="link_decisions",
                        to="plans.plan",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="linkacceptance",
            constraint=models.UniqueConstraint(
                fields=("plan", "from_plan"), name="unique_link_acceptance"
            ),
        ),
    ]
