"""Load the shipped Guangdong divisions (province, cities, counties, towns/streets)."""

from django.db import migrations


def load(apps, schema_editor):
    from lianzhang.regions.divisions import load_divisions

    Region = apps.get_model("regions", "Region")
    existing = set(Region.objects.values_list("code", flat=True))
    # Parents come before children in code order, so each row's parent already exists.
    for division in sorted(load_divisions(), key=lambda d: (len(d.code), d.code)):
        if division.code in existing:
            continue
        Region.objects.create(
            code=division.code,
            name=division.name,
            full_name=division.full_name,
            level=division.level,
            parent_id=division.parent_code or None,
        )


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
