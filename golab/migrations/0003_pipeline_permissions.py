"""Pipeline projects (cases.Pipeline) go through the same workflow as projects: an Editor adds,
changes and views them; a Curator also deletes, publishes and withdraws them."""

from django.db import migrations

MODEL = "pipeline"
EDITOR = [f"{action}_{MODEL}" for action in ("add", "change", "view")]
CURATOR = [*EDITOR, f"delete_{MODEL}", f"publish_{MODEL}"]


def _perms(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return list(Permission.objects.filter(content_type__app_label="cases", codename__in=codenames))


def _make_permissions(apps):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def forwards(apps, schema_editor):
    _make_permissions(apps)
    Group = apps.get_model("auth", "Group")
    for name, codenames in (("Editor", EDITOR), ("Curator", CURATOR)):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*_perms(apps, codenames))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in (("Editor", EDITOR), ("Curator", CURATOR)):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_perms(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("golab", "0002_least_privilege_roles"),
        ("cases", "0008_pipeline"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
