"""The workflow log (StatusChange) moves to the shared layer, common: its rows are copied to
common's table, then cases' table goes."""

from django.db import migrations

FIELDS = ["content_type_id", "object_id", "from_status", "to_status", "user_id", "at", "comment"]


def copy_to_common(apps, schema_editor):
    old = apps.get_model("cases", "StatusChange")
    new = apps.get_model("common", "StatusChange")
    new.objects.bulk_create(
        [new(**{f: getattr(row, f) for f in FIELDS}) for row in old.objects.order_by("pk")],
        batch_size=500,
    )


def copy_back(apps, schema_editor):
    old = apps.get_model("cases", "StatusChange")
    new = apps.get_model("common", "StatusChange")
    old.objects.bulk_create(
        [old(**{f: getattr(row, f) for f in FIELDS}) for row in new.objects.order_by("pk")],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_publish_organisations_and_funds"),
        ("common", "0001_workflow_log"),
    ]

    operations = [
        migrations.RunPython(copy_to_common, copy_back),
        migrations.RemoveIndex(model_name="statuschange", name="status_change_record_idx"),
        migrations.RemoveConstraint(
            model_name="statuschange", name="status_change_from_status_valid"
        ),
        migrations.RemoveConstraint(model_name="statuschange", name="status_change_to_status_valid"),
        migrations.DeleteModel(name="StatusChange"),
    ]
