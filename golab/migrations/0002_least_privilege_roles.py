"""Least privilege for the roles (security review): Curators no longer add accounts (only a
superuser does; Curators grant and revoke the Editor role, see golab.accounts), and they
publish and withdraw organisations and funds through the same workflow as projects."""

from django.db import migrations

CURATOR_GAINS = [("cases", "publish_organisation"), ("cases", "publish_outcomefund")]
CURATOR_LOSES = [("auth", "add_user")]


def _perms(apps, pairs):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in pairs
    ]


def _make_permissions(apps):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def forwards(apps, schema_editor):
    _make_permissions(apps)
    curator = apps.get_model("auth", "Group").objects.filter(name="Curator").first()
    if curator is None:
        return
    curator.permissions.add(*_perms(apps, CURATOR_GAINS))
    curator.permissions.remove(*_perms(apps, CURATOR_LOSES))


def backwards(apps, schema_editor):
    curator = apps.get_model("auth", "Group").objects.filter(name="Curator").first()
    if curator is None:
        return
    curator.permissions.remove(*_perms(apps, CURATOR_GAINS))
    curator.permissions.add(*_perms(apps, CURATOR_LOSES))


class Migration(migrations.Migration):
    dependencies = [
        ("golab", "0001_roles"),
        ("cases", "0004_publish_organisations_and_funds"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
