from django.db import migrations


def add_goals(apps, schema_editor):
    from shinchoku.plans.seeds.sdgs import SDG_GOALS

    SdgGoal = apps.get_model("plans", "SdgGoal")
    for number, name, description in SDG_GOALS:
        SdgGoal.objects.update_or_create(
            number=number, defaults={"name": name, "description": description}
        )


def remove_goals(apps, schema_editor):
    apps.get_model("plans", "SdgGoal").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(add_goals, remove_goals)]
