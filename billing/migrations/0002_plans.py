from django.db import migrations

from billing.catalogue import ensure_plans


def create_plans(apps, schema_editor):
    ensure_plans(apps.get_model("billing", "Plan"))


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create_plans, migrations.RunPython.noop)]
