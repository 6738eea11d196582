"""The curators' admin: projects with their parts inline, organisations, funds, imports.

Editors create and edit drafts and submit them for review; curators also publish, withdraw,
delete (softly) and restore, import, and see the data-quality report. Every permission is
checked on the server (here and in ``cases.workflow``), not only hidden in the page.
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from cases import workflow
from cases.models import (
    DeliveryLocation,
    ImportRun,
    IntermediaryService,
    Investment,
    Organisation,
    OutcomeFund,
    OutcomeMetric,
    OutcomePayment,
    OutcomePaymentCommitment,
    OutcomePricing,
    Project,
    ProjectOutcomeFund,
    PublicationStatus,
    Result,
    ServiceProvision,
    StatusChange,
)
from cases.richtext import sanitise_html
from cases.services import linked_project_ids, refresh_derived_fields

security_log = logging.getLogger("golab.security")


class WorkflowAdminMixin:
    """Status is changed only through the workflow buttons; editors edit drafts only;
    saving (also restoring a version from the history) never touches fields the form
    does not show, such as the status or the import's bookkeeping."""

    change_form_template = "admin/workflow_change_form.html"
    # Fields this admin computes itself while saving (kept, not reloaded from the database).
    computed_fields: list[str] = []

    def _is_curator(self, request: HttpRequest) -> bool:
        return request.user.has_perm(workflow.publish_permission(self.model))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None and obj.status != PublicationStatus.DRAFT:
            return self._is_curator(request)
        return allowed

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "status"]

    def save_model(self, request, obj, form, change):
        if change:
            current = type(obj).objects.get(pk=obj.pk)
            shown = set(form.fields)
            for field in obj._meta.concrete_fields:
                if (
                    field.name not in shown
                    and field.name not in self.computed_fields
                    and not field.primary_key
                ):
                    setattr(obj, field.attname, getattr(current, field.attname))
            if "/history/" in request.path:
                security_log.info(
                    "restore %s %s to an earlier version by %s",
                    obj._meta.label,
                    obj.pk,
                    request.user.get_username(),
                )
        super().save_model(request, obj, form, change)

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<path:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request: HttpRequest, object_id: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        # The admin's own lookup: an id that is not a valid key is "not found", not a 500.
        record = self.get_object(request, unquote(object_id))
        if record is None:
            raise Http404(f"No {self.model._meta.verbose_name} with id {object_id!r}.")
        target = request.POST.get("to_status", "")
        comment = request.POST.get("comment", "")[:2000]
        try:
            workflow.transition(record, target, user=request.user, comment=comment)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.after_change(record)
            label = PublicationStatus(target).label.lower()
            self.message_user(request, f"“{record}” is now {label}.", messages.SUCCESS)
        info = self.model._meta.app_label, self.model._meta.model_name
        return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[record.pk]))

    def after_change(self, record) -> None:
        """Keep what depends on the record current after a save or a status change."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.after_change(form.instance)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            targets = workflow.allowed_targets(obj, request.user)
            context["workflow_actions"] = [(t, workflow.ACTION_LABELS[t]) for t in targets]
            context["workflow_status"] = obj.get_status_display()
            info = self.model._meta.app_label, self.model._meta.model_name
            context["workflow_url"] = reverse("admin:{}_{}_transition".format(*info), args=[obj.pk])
            context["workflow_log"] = list(
                StatusChange.objects.filter(
                    content_type__app_label=info[0],
                    content_type__model=info[1],
                    object_id=obj.pk,
                ).select_related("user")[:10]
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


# ---------------------------------------------------------------------------------------------
# Project parts, inline


class PartInline(admin.StackedInline):
    """A component table of a project; new rows go after the existing ones. Stacked, not
    tabular: each field then has its own label (the tabular layout has only column headers,
    which screen readers do not announce for each input)."""

    classes = ["collapse"]

    extra = 0
    show_change_link = False
    exclude = ["position", "import_baseline"]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None and obj.status != PublicationStatus.DRAFT:
            return request.user.has_perm(workflow.publish_permission(Project))
        return allowed

    has_add_permission = has_change_permission  # type: ignore[assignment]

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


class RoleInline(PartInline):
    autocomplete_fields = ["organisation"]


class OutcomePaymentCommitmentInline(RoleInline):
    model = OutcomePaymentCommitment
    verbose_name = "outcome payer"
    fields = [
        "organisation",
        "role_category",
        "max_payment_currency",
        "max_payment",
        "max_payment_usd",
    ]


class InvestmentInline(RoleInline):
    model = Investment
    verbose_name = "investor"
    fields = [
        "organisation",
        "role_category",
        "investment_type",
        "currency",
        "amount",
        "amount_usd",
    ]


class ServiceProvisionInline(RoleInline):
    model = ServiceProvision
    verbose_name = "service provider"
    fields = ["organisation", "role_category", "intervention", "planned_start", "planned_end"]


class IntermediaryServiceInline(RoleInline):
    model = IntermediaryService
    verbose_name = "intermediary"
    fields = ["organisation", "role_category", "other_role_description"]


class OutcomeMetricInline(PartInline):
    model = OutcomeMetric
    fields = ["local_id", "definition", "target", "service_users_targeted", "validation_method"]


class OutcomePricingInline(PartInline):
    model = OutcomePricing
    fields = ["outcome_metric_ref", "currency", "price_per_unit", "price_per_unit_usd", "max_price"]


class ResultInline(PartInline):
    model = Result
    fields = [
        "outcome_metric_ref", "result_type", "period_start", "period_end", "outcomes_achieved",
        "number_engaged",
    ]  # fmt: skip


class OutcomePaymentInline(PartInline):
    model = OutcomePayment
    fields = ["payment_type", "period_start", "period_end", "currency", "amount", "amount_usd"]


class DeliveryLocationInline(PartInline):
    model = DeliveryLocation
    fields = ["name", "country", "lat", "lng"]


class ProjectOutcomeFundInline(PartInline):
    model = ProjectOutcomeFund
    autocomplete_fields = ["fund"]
    fields = ["fund"]


class ProjectAdminForm(forms.ModelForm):
    class Meta:
        model = Project
        exclude = ["status", "import_baseline"]  # noqa: DJ006 - every other field, inlines aside

    def clean_summary(self) -> str:
        return sanitise_html(self.cleaned_data["summary"])

    def clean_lessons(self) -> str:
        return sanitise_html(self.cleaned_data["lessons"])


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("yes", "Deleted (can be restored)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        return queryset.filter(deleted_at__isnull=True)


@admin.register(Project)
class ProjectAdmin(WorkflowAdminMixin, SimpleHistoryAdmin):
    form = ProjectAdminForm
    list_display = [
        "indigo_id",
        "name",
        "status",
        "stage",
        "policy_sector",
        "launch_year",
        "updated_at",
    ]
    list_filter = [
        DeletedFilter,
        "status",
        "stage",
        "policy_sector",
        "has_results",
        "has_evaluation",
    ]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["indigo_id", "name", "alternative_names"]
    list_per_page = 50
    actions = ["restore_deleted"]
    inlines = [
        OutcomePaymentCommitmentInline,
        InvestmentInline,
        ServiceProvisionInline,
        IntermediaryServiceInline,
        DeliveryLocationInline,
        ProjectOutcomeFundInline,
        OutcomeMetricInline,
        OutcomePricingInline,
        ResultInline,
        OutcomePaymentInline,
    ]
    fieldsets = [
        (None, {"fields": ["indigo_id", "name", "alternative_names", "stage", "policy_sector"]}),
        ("Narrative", {"fields": ["summary", "lessons"]}),
        (
            "Dates",
            {
                "fields": [
                    "outcomes_contract_signed", "all_contracts_signed", "service_start",
                    "anticipated_service_end", "actual_service_end", "anticipated_completion",
                    "actual_completion",
                ]
            },
        ),
        (
            "Finance",
            {
                "fields": [
                    "capital_currency", "capital_amount", "capital_usd", "capital_amount_min",
                    "capital_amount_max", "max_outcome_payment_currency", "max_outcome_payment",
                    "max_outcome_payment_usd", "outcome_payments_made_currency",
                    "outcome_payments_made", "outcome_payments_made_usd",
                ]
            },
        ),
        (
            "Purpose and beneficiaries",
            {
                "fields": [
                    "social_challenge", "intervention", "target_population",
                    "service_users_targeted", "service_users_actual",
                ]
            },
        ),
        (
            "Other INDIGO fields",
            {"classes": ["collapse"], "fields": ["jurisdiction", "notes", "covid_changes"]},
        ),
    ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # INDIGO ids are given once; a project made here gets the next free one.
        return [*readonly, "indigo_id"] if obj is not None else readonly

    def get_changeform_initial_data(self, request):
        numbers = [
            int(indigo_id.rsplit("-", 1)[1])
            for indigo_id in Project.objects.values_list("indigo_id", flat=True)
            if indigo_id.rsplit("-", 1)[-1].isdigit()
        ]
        return {"indigo_id": f"INDIGO-POJ-{max(numbers, default=0) + 1:04d}"}

    def save_formset(self, request, form, formset, change):
        if not any(f.name == "position" for f in formset.model._meta.fields):
            return super().save_formset(request, form, formset, change)
        parts = formset.save(commit=False)
        next_position = formset.model.objects.filter(project=form.instance).aggregate(
            m=Max("position")
        )["m"]
        next_position = -1 if next_position is None else next_position
        for part in parts:
            if part.pk is None:
                next_position += 1
                part.position = next_position
            for ref in ("organisation", "fund"):
                if hasattr(part, f"{ref}_ref") and getattr(part, f"{ref}_id", None):
                    setattr(part, f"{ref}_ref", getattr(part, ref).indigo_id)
            part.save()
        for removed in formset.deleted_objects:
            removed.delete()
        formset.save_m2m()

    def after_change(self, record) -> None:
        refresh_derived_fields(project_ids=[record.pk])

    # Deleting is soft: the project leaves every public page and can be restored.
    def delete_model(self, request, obj):
        self.delete_queryset(request, Project.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        for project in queryset:
            project.deleted_at = timezone.now()
            project._change_reason = "Deleted (can be restored)"
            project._history_user = request.user
            project.save(update_fields=["deleted_at", "updated_at"])
            security_log.info("delete %s by %s", project.indigo_id, request.user.get_username())

    @admin.action(description="Restore the selected deleted projects", permissions=["publish"])
    def restore_deleted(self, request, queryset):
        restored = 0
        for project in queryset.filter(deleted_at__isnull=False):
            project.deleted_at = None
            project._change_reason = "Restored after deletion"
            project._history_user = request.user
            project.save(update_fields=["deleted_at", "updated_at"])
            security_log.info("restore %s by %s", project.indigo_id, request.user.get_username())
            restored += 1
        self.message_user(request, f"Restored {restored} project(s).", messages.SUCCESS)

    def has_publish_permission(self, request) -> bool:
        return self._is_curator(request)

    def get_urls(self):
        view = self.admin_site.admin_view(self.data_quality_view)
        return [
            path("data-quality/", view, name="cases_project_data_quality"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"can_see_quality": request.user.has_perm("cases.view_data_quality")}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def data_quality_view(self, request: HttpRequest):
        """Completeness and problems of every published project; sortable; as CSV."""
        from django.http import HttpResponse
        from django.template.response import TemplateResponse

        from cases import quality

        if not request.user.has_perm("cases.view_data_quality"):
            raise PermissionDenied
        rows = quality.report()
        keys = [key for key, _label in quality.COLUMNS]
        sort = request.GET.get("sort", "p1")
        sort = sort if sort in keys else "p1"
        descending = request.GET.get("dir") == "desc"
        rows.sort(key=lambda row: (_sort_key(row.cell(sort)), row.indigo_id), reverse=descending)
        if request.GET.get("format") == "csv":
            import defusedcsv.csv as safe_csv

            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="data-quality.csv"'
            writer = safe_csv.writer(response)
            writer.writerow([label for _key, label in quality.COLUMNS])
            for row in rows:
                writer.writerow([row.cell(key) for key in keys])
            return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Data quality of published projects",
            "columns": quality.COLUMNS,
            "rows": [(row, [row.cell(key) for key in keys]) for row in rows],
            "sort": sort,
            "descending": descending,
            "duplicates": quality.duplicate_organisations(),
            "priorities": quality.PRIORITY,
        }
        return TemplateResponse(request, "admin/cases/data_quality.html", context)


def _sort_key(value: object) -> tuple[int, object]:
    return (0, value) if isinstance(value, int) else (1, str(value).lower())


# Organisations and funds go through the same workflow and permissions as projects: the status
# changes only through the workflow buttons, a Curator publishes and withdraws, an Editor
# edits drafts only.
@admin.register(Organisation)
class OrganisationAdmin(WorkflowAdminMixin, SimpleHistoryAdmin):
    list_display = ["indigo_id", "name", "organisation_type", "country", "status"]
    list_filter = ["status", "organisation_type"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["indigo_id", "name", "trading_name"]
    readonly_fields = ["indigo_id"]
    exclude = ["import_baseline"]

    def after_change(self, record) -> None:
        # Projects find their parties' names only while the party is published.
        refresh_derived_fields(project_ids=linked_project_ids(record))


@admin.register(OutcomeFund)
class OutcomeFundAdmin(WorkflowAdminMixin, SimpleHistoryAdmin):
    list_display = ["indigo_id", "name", "stage", "country", "status"]
    list_filter = ["status"]
    search_fields = ["indigo_id", "name"]
    readonly_fields = ["indigo_id"]
    exclude = ["import_baseline"]


# ---------------------------------------------------------------------------------------------
# Import from the admin: upload a .zip, see a dry run, confirm.


class ImportUploadForm(forms.Form):
    MAX_BYTES = 50 * 1024 * 1024

    snapshot = forms.FileField(
        label="INDIGO snapshot (.zip of the CSV files)",
        help_text="At most 50 MB, 500 MB uncompressed. Nothing changes until you confirm.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    partial = forms.BooleanField(
        required=False,
        label="This is a partial snapshot",
        help_text="Apply only the files it holds; nothing is withdrawn or deleted for lack of "
        "the others. Without this, a snapshot missing any INDIGO file is refused.",
    )

    def clean_snapshot(self):
        import zipfile

        upload = self.cleaned_data["snapshot"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError("The file is larger than 50 MB.")
        if not zipfile.is_zipfile(upload):
            raise ValidationError("This is not a .zip file.")
        upload.seek(0)
        return upload


def _import_view(model_admin: admin.ModelAdmin, request: HttpRequest):
    """Upload → dry run → confirm. An import that would withdraw more than a small share of
    the published records needs a second, explicit yes that names how many."""
    import secrets
    from pathlib import Path

    from django.conf import settings
    from django.template.response import TemplateResponse

    from golab.indigo import import_snapshot

    if not request.user.has_perm("cases.import_indigo"):
        raise PermissionDenied
    folder = Path(settings.MEDIA_ROOT) / "imports"
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import an INDIGO snapshot",
    }
    user = request.user.get_username()
    if request.method == "POST" and "token" in request.POST:
        token = request.POST["token"]
        path = folder / f"{token}.zip"
        if not (len(token) == 32 and token.isalnum() and path.exists()):
            messages.error(request, "That upload has expired; upload the file again.")
            return HttpResponseRedirect(request.path)
        partial = request.POST.get("partial") == "1"
        confirmed = request.POST.get("confirm_withdrawal") == "yes"
        result = None
        try:
            result = import_snapshot(
                path, run_by=f"admin: {user}", partial=partial, allow_mass_withdrawal=confirmed
            )
        finally:
            # Kept only while it waits for the yes to a mass withdrawal.
            if result is None or not result.needs_confirmation:
                path.unlink(missing_ok=True)
        security_log.info(
            "import %s by %s: %s%s",
            path.name,
            user,
            "applied" if result.ok else "refused" if result.needs_confirmation else "failed",
            f" (confirmed mass withdrawal: {'; '.join(result.mass_withdrawal)})"
            if confirmed and result.ok and result.withdrawn
            else "",
        )
        if result.ok:
            messages.success(request, f"Imported: {result.changes()} record(s) changed.")
            return HttpResponseRedirect(reverse("admin:cases_importrun_changelist"))
        context.update(
            result=result,
            form=ImportUploadForm(),
            token=token if result.needs_confirmation else "",
            partial=partial,
        )
        return TemplateResponse(request, "admin/cases/import.html", context)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        folder.mkdir(parents=True, exist_ok=True)
        token = secrets.token_hex(16)
        path = folder / f"{token}.zip"
        partial = form.cleaned_data["partial"]
        keep = False
        try:
            with open(path, "wb") as out:
                for chunk in form.cleaned_data["snapshot"].chunks():
                    out.write(chunk)
            result = import_snapshot(path, run_by=f"admin: {user}", dry_run=True, partial=partial)
            keep = result.ok or result.needs_confirmation
        finally:
            # A file that cannot be imported is not kept, whatever went wrong.
            if not keep:
                path.unlink(missing_ok=True)
        context.update(result=result, token=token if keep else "", partial=partial)
    context["form"] = form
    return TemplateResponse(request, "admin/cases/import.html", context)


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
        return [path("import/", view, name="cases_importrun_import"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra = {"can_import": request.user.has_perm("cases.import_indigo")}
        return super().changelist_view(request, {**extra, **(extra_context or {})})
