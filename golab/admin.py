"""The admin pages that span the apps or the site:

- accounts: a superuser has Django's whole user admin; a Curator sees the accounts and may
  grant or revoke the Editor role of plain accounts, and nothing else (see
  ``golab.accounts``). Every check is made here on the server: the Curator's form has no
  other field, so whatever else a request posts is ignored;
- the project admin with its evidence inline (cases does not know evidence);
- INDIGO snapshot imports, which write both apps (``golab.indigo``)."""

from __future__ import annotations

import logging
import zipfile

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.admin import ProjectAdmin
from cases.models import ImportRun, Project
from evidence.admin import ProjectEvidenceInline
from evidence.services import refresh_evaluation_flags
from golab import accounts, jobs, second_factor
from golab.models import ImportJob

security_log = logging.getLogger("golab.security")

User = get_user_model()


class EditorRoleForm(forms.ModelForm):
    """What a Curator may change on an account: whether it is an Editor."""

    editor = forms.BooleanField(
        required=False,
        label="Editor",
        help_text="Editors create and edit drafts and submit them for review.",
    )

    class Meta:
        model = User
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["editor"].initial = self.instance.groups.filter(
                name=accounts.EDITOR
            ).exists()


class AccountAdmin(UserAdmin):
    CURATOR_FIELDSETS = [
        (None, {"fields": ["username", "first_name", "last_name", "email"]}),
        ("Role", {"fields": ["editor", "is_active", "is_staff", "groups"]}),
    ]

    def get_form(self, request, obj=None, **kwargs):
        if not request.user.is_superuser:
            kwargs["form"] = EditorRoleForm
            kwargs["fields"] = ["editor"]
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if not request.user.is_superuser:
            return self.CURATOR_FIELDSETS
        if obj is not None:
            return [*super().get_fieldsets(request, obj), self.SECOND_FACTOR_FIELDSET]
        return super().get_fieldsets(request, obj)

    SECOND_FACTOR_FIELDSET = ("Second factor", {"fields": ["second_factor"]})

    @admin.display(description="Second factor")
    def second_factor(self, obj):
        if not second_factor.has_second_factor(obj):
            return "No authenticator set up: asked to set one up at the next sign-in."
        url = reverse("admin:auth_user_second_factor_reset", args=[obj.pk])
        return format_html('Authenticator set up. <a href="{}">Reset the second factor…</a>', url)

    def get_urls(self):
        reset = self.admin_site.admin_view(second_factor.reset)
        return [
            path("<int:user_id>/second-factor/reset/", reset, name="auth_user_second_factor_reset"),
            *super().get_urls(),
        ]

    def get_readonly_fields(self, request, obj=None):
        if not request.user.is_superuser:
            return [
                "username",
                "first_name",
                "last_name",
                "email",
                "is_active",
                "is_staff",
                "groups",
            ]
        return [*super().get_readonly_fields(request, obj), "second_factor"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or accounts.may_change_account(request.user, obj)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            # Nothing of the account itself is the Curator's to change.
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not request.user.is_superuser:
            if not accounts.may_change_account(request.user, form.instance):
                raise PermissionDenied
            accounts.set_editor(form.instance, form.cleaned_data["editor"])
            return
        super().save_related(request, form, formsets, change)

    def user_change_password(self, request, id, form_url=""):
        # Only a superuser sets another account's password; everyone changes their own
        # through the admin's "Change password" page.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
# django-otp's own device pages would show a secret key and let anyone with the permission
# delete a factor: a second factor is reset only through the confirmation page above.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


class ProjectWithEvidenceAdmin(ProjectAdmin):
    """The project admin, with the project's evidence documents inline."""

    inlines = [*ProjectAdmin.inlines, ProjectEvidenceInline]

    def after_change(self, record) -> None:
        super().after_change(record)
        # A linked (or unlinked) evaluation changes whether the project has one.
        refresh_evaluation_flags(project_ids=[record.pk])


admin.site.unregister(Project)
admin.site.register(Project, ProjectWithEvidenceAdmin)


# ---------------------------------------------------------------------------------------------
# Import from the admin: upload a .zip, see a dry run, confirm; the worker runs each step.


class ImportUploadForm(forms.Form):
    MAX_BYTES = 50 * 1024 * 1024

    snapshot = forms.FileField(
        label="INDIGO snapshot (.zip of the CSV files)",
        help_text="At most 50 MB, 500 MB uncompressed. It is checked in the background (a dry "
        "run); nothing changes until you confirm.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    partial = forms.BooleanField(
        required=False,
        label="This is a partial snapshot",
        help_text="Apply only the files it holds; nothing is withdrawn or deleted for lack of "
        "the others. Without this, a snapshot missing any INDIGO file is refused.",
    )

    def clean_snapshot(self):
        upload = self.cleaned_data["snapshot"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError("The file is larger than 50 MB.")
        if not zipfile.is_zipfile(upload):
            raise ValidationError("This is not a .zip file.")
        upload.seek(0)
        return upload


def _import_context(model_admin: admin.ModelAdmin, request: HttpRequest, title: str) -> dict:
    if not request.user.has_perm("cases.import_indigo"):
        raise PermissionDenied
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
    }


def _import_view(model_admin: admin.ModelAdmin, request: HttpRequest):
    """Upload → dry run → confirm, each run by the background worker (``golab.jobs``): the
    request stores the upload, enqueues the job and answers with the job's page at once. An
    import that would withdraw more than a small share of the published records needs a
    second, explicit yes that names how many."""
    context = _import_context(model_admin, request, "Import an INDIGO snapshot")
    user = request.user.get_username()
    if request.method == "POST" and "run_again" in request.POST:
        asked = request.POST["run_again"]
        stopped = ImportJob.objects.filter(pk=asked).first() if asked.isdigit() else None
        if (
            stopped is None
            or not jobs.stopped(stopped)
            or not jobs.upload_path(stopped.token).exists()
        ):
            messages.error(request, "That job cannot be run again; upload the file again.")
            return HttpResponseRedirect(request.path)
        job = jobs.run_again(stopped, run_by=f"admin: {user}")
        return HttpResponseRedirect(reverse("admin:cases_importrun_job", args=[job.pk]))
    if request.method == "POST" and "token" in request.POST:
        token = request.POST["token"]
        checked = (
            ImportJob.objects.filter(token=token, status=ImportJob.Status.FINISHED)
            .order_by("-created_at")
            .first()
            if len(token) == 32 and token.isalnum()
            else None
        )
        if checked is None or not jobs.upload_path(token).exists():
            messages.error(request, "That upload has expired; upload the file again.")
            return HttpResponseRedirect(request.path)
        job = jobs.enqueue_import(
            token=token,
            filename=checked.filename,
            run_by=f"admin: {user}",
            dry_run=False,
            partial=checked.partial,
            allow_mass_withdrawal=request.POST.get("confirm_withdrawal") == "yes",
        )
        security_log.info("import job %s of %s queued by %s", job.pk, token, user)
        return HttpResponseRedirect(reverse("admin:cases_importrun_job", args=[job.pk]))
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["snapshot"]
        token = jobs.store_upload(upload.chunks())
        job = jobs.enqueue_import(
            token=token,
            filename=upload.name or "snapshot.zip",
            run_by=f"admin: {user}",
            dry_run=True,
            partial=form.cleaned_data["partial"],
        )
        return HttpResponseRedirect(reverse("admin:cases_importrun_job", args=[job.pk]))
    context["form"] = form
    jobs.mark_stalled()
    context["jobs"] = ImportJob.objects.all()[:10]
    return TemplateResponse(request, "admin/cases/import.html", context)


def _import_job_view(model_admin: admin.ModelAdmin, request: HttpRequest, pk: int):
    """An import job's page: queued, running (with files and rows read; the page reloads
    itself), or done with the import's report, and the confirmation when there is one."""
    context = _import_context(model_admin, request, "")
    jobs.mark_stalled()
    job = get_object_or_404(ImportJob, pk=pk)
    context["title"] = str(job)
    result = jobs.StoredResult.load(job.result) if job.result else None
    confirmable = (
        result is not None
        and jobs.keep_upload(job, result)
        and jobs.upload_path(job.token).exists()
    )
    context.update(
        job=job,
        result=result,
        token=job.token if confirmable else "",
        partial=job.partial,
        refresh_seconds=0 if job.done else 2,
        run_again=jobs.stopped(job) and jobs.upload_path(job.token).exists(),
    )
    return TemplateResponse(request, "admin/cases/import_job.html", context)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "source", "run_by"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: _import_view(self, request))
        job = self.admin_site.admin_view(lambda request, pk: _import_job_view(self, request, pk))
        return [
            path("import/", view, name="cases_importrun_import"),
            path("import/<int:pk>/", job, name="cases_importrun_job"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"can_import": request.user.has_perm("cases.import_indigo")}
        return super().changelist_view(request, {**extra, **(extra_context or {})})
