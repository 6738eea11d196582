"""The curators' admin: projects with their parts inline, organisations, funds, imports.

Editors create and edit drafts and submit them for review; curators also publish, withdraw,
delete (softly) and restore, import, and see the data-quality report. Every permission is
checked on the server (here and in ``common.workflow``), not only hidden in the page.
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from cases import services
from cases.models import (
    DeliveryLocation,
    IntermediaryService,
    Investment,
    Organisation,
    OutcomeFund,
    OutcomeMetric,
    OutcomePayment,
    OutcomePaymentCommitment,
    OutcomePricing,
    Pipeline,
    Project,
    ProjectOutcomeFund,
    Result,
    ServiceProvision,
)
from cases.services import linked_project_ids, refresh_derived_fields
from common import workflow
from common.admin import WorkflowAdminMixin
from common.models import PublicationStatus
from common.richtext import sanitise_html

security_log = logging.getLogger("golab.security")


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

    has_add_permission = has_change_permission

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


class IndigoIdAdminMixin(admin.ModelAdmin):
    """INDIGO ids are given once, by the site: a record made here gets the next free one
    when it is saved (services.save_with_next_indigo_id), never one typed in a form."""

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "indigo_id"]

    def save_model(self, request, obj, form, change):
        if change or obj.indigo_id:
            return super().save_model(request, obj, form, change)
        parent = super()
        services.save_with_next_indigo_id(
            obj, lambda: parent.save_model(request, obj, form, change)
        )
        return None


@admin.register(Project)
class ProjectAdmin(IndigoIdAdminMixin, WorkflowAdminMixin, SimpleHistoryAdmin):
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
                "fields": list(Project.DATE_FIELDS)
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
            services.sync_refs(part)
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
            services.soft_delete(project, user=request.user)

    @admin.action(description="Restore the selected deleted projects", permissions=["publish"])
    def restore_deleted(self, request, queryset):
        """Says which projects it will bring back and needs an explicit yes."""
        deleted = list(queryset.filter(deleted_at__isnull=False).order_by("indigo_id"))
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Restore deleted projects?",
                "projects": deleted,
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "action": "restore_deleted",
            }
            return TemplateResponse(
                request, "admin/cases/project/restore_confirmation.html", context
            )
        for project in deleted:
            services.restore(project, user=request.user)
        self.message_user(request, f"Restored {len(deleted)} project(s).", messages.SUCCESS)
        return None

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

        from cases import quality
        from cases.outcomes import metric_problems

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
            "metric_problems": metric_problems(Project.objects.published().order_by("indigo_id")),
            "priorities": quality.PRIORITY,
        }
        return TemplateResponse(request, "admin/cases/data_quality.html", context)


def _sort_key(value: object) -> tuple[int, object]:
    return (0, value) if isinstance(value, int) else (1, str(value).lower())


# Organisations and funds go through the same workflow and permissions as projects: the status
# changes only through the workflow buttons, a Curator publishes and withdraws, an Editor
# edits drafts only.
@admin.register(Organisation)
class OrganisationAdmin(IndigoIdAdminMixin, WorkflowAdminMixin, SimpleHistoryAdmin):
    list_display = ["indigo_id", "name", "organisation_type", "country", "status"]
    list_filter = ["status", "organisation_type"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["indigo_id", "name", "trading_name"]
    exclude = ["import_baseline"]

    def after_change(self, record) -> None:
        # Projects find their parties' names only while the party is published.
        refresh_derived_fields(project_ids=linked_project_ids(record))


@admin.register(OutcomeFund)
class OutcomeFundAdmin(IndigoIdAdminMixin, WorkflowAdminMixin, SimpleHistoryAdmin):
    list_display = ["indigo_id", "name", "stage", "country", "status"]
    list_filter = ["status"]
    search_fields = ["indigo_id", "name"]
    exclude = ["import_baseline"]


class PipelineAdminForm(forms.ModelForm):
    class Meta:
        model = Pipeline
        exclude = ["status", "import_baseline"]  # noqa: DJ006 - every other field

    def clean_countries(self) -> str:
        """Codes as the import stores them (``KE,TZ``), so the filters find each one."""
        from cases.indigo.layout import COUNTRIES, CellError

        try:
            return COUNTRIES.read(self.cleaned_data["countries"], warn=lambda _message: None)
        except CellError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        cleaned = super().clean()
        # The cell as written describes the old value: a new value is written plainly.
        if "countries" in self.changed_data and "countries_text" not in self.changed_data:
            cleaned["countries_text"] = ""
        return cleaned


@admin.register(Pipeline)
class PipelineAdmin(IndigoIdAdminMixin, WorkflowAdminMixin, SimpleHistoryAdmin):
    """Projects in development: the same workflow, permissions and history as projects."""

    form = PipelineAdminForm

    list_display = ["indigo_id", "name", "status", "state", "stage", "expected_launch"]
    list_filter = ["status", "state", "stage"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["indigo_id", "name", "alternative_names"]
    list_per_page = 50

    def save_model(self, request, obj, form, change):
        # Derived from the text as the import derives it, so a curator's edit keeps it true.
        from cases.indigo.layout import first_year

        obj.expected_launch_year = first_year(obj.expected_launch)
        super().save_model(request, obj, form, change)
