"""The two curator roles, as groups: Editor and Curator (see common.workflow)."""

from django.db import migrations

EDITOR_MODELS = {
    "cases": [
        "project", "organisation", "outcomefund", "outcomemetric", "outcomepricing", "result",
        "outcomepayment", "outcomepaymentcommitment", "investment", "serviceprovision",
        "intermediaryservice", "deliverylocation", "projectoutcomefund",
    ],
    "evidence": ["evidencedocument", "documentauthor", "documentproject", "documentpolicyarea",
                 "documentcountry", "projectsource", "projectdocument"],
}  # fmt: skip
EDITOR_ACTIONS = ["add", "change", "view"]
CURATOR_EXTRA = [
    ("cases", "publish_project"),
    ("cases", "import_indigo"),
    ("cases", "view_data_quality"),
    ("cases", "view_importrun"),
    ("evidence", "publish_evidencedocument"),
    ("auth", "add_user"),
    ("auth", "change_user"),
    ("auth", "view_user"),
    ("auth", "view_group"),
]


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after migrate; make them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perm(app_label, codename):
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    editor_perms = [
        perm(app, f"{action}_{model}")
        for app, models in EDITOR_MODELS.items()
        for model in models
        for action in EDITOR_ACTIONS
    ]
    curator_perms = editor_perms + [
        perm(app, f"delete_{model}") for app, models in EDITOR_MODELS.items() for model in models
    ] + [perm(app, codename) for app, codename in CURATOR_EXTRA]
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.set(editor_perms)
    curator, _ = Group.objects.get_or_create(name="Curator")
    curator.permissions.set(curator_perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Curator"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cases", "0003_workflow"),
        ("evidence", "0003_publish_permission"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
