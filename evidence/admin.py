from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import WorkflowAdminMixin
from evidence.forms import EvidenceDocumentForm
from evidence.models import (
    DocumentAuthor,
    DocumentCountry,
    DocumentPolicyArea,
    DocumentProject,
    EvidenceDocument,
)
from evidence.services import index_file, refresh_authors_text, refresh_evaluation_flags


class AuthorInline(admin.StackedInline):
    model = DocumentAuthor
    extra = 1
    fields = ["position", "name", "kind"]


class ProjectLinkInline(admin.StackedInline):
    model = DocumentProject
    extra = 0
    fields = ["project", "relation", "from_indigo"]
    readonly_fields = ["from_indigo"]
    raw_id_fields = ["project"]


class PolicyAreaInline(admin.StackedInline):
    model = DocumentPolicyArea
    extra = 0
    fields = ["policy_area", "from_indigo"]
    readonly_fields = ["from_indigo"]


class CountryInline(admin.StackedInline):
    model = DocumentCountry
    extra = 0
    fields = ["country", "from_indigo"]
    readonly_fields = ["from_indigo"]


@admin.register(EvidenceDocument)
class EvidenceDocumentAdmin(WorkflowAdminMixin, SimpleHistoryAdmin):
    form = EvidenceDocumentForm
    list_display = ["title", "document_type", "publication_date", "status", "text_status"]
    list_filter = ["status", "document_type", "evaluation_design", "evidence_rating", "text_status"]
    search_fields = ["title", "url", "doi", "authors_text"]
    readonly_fields = ["text_status", "file_size"]
    computed_fields = ["text", "text_status", "file_size", "authors_text"]
    show_facets = admin.ShowFacets.ALWAYS
    inlines = [AuthorInline, ProjectLinkInline, PolicyAreaInline, CountryInline]

    def save_model(self, request, obj, form, change):
        # The upload was checked by the form (PDF by content, at most 50 MB); its text is
        # extracted here, and a file that cannot be read is kept and flagged.
        if "file" in form.changed_data:
            if obj.file and not obj.file._committed:
                obj.file.save("upload.pdf", obj.file.file, save=False)
            index_file(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_authors_text(form.instance)

    def save_formset(self, request, form, formset, change):
        if formset.model is not DocumentProject:
            return super().save_formset(request, form, formset, change)

        # Projects linked before and after: an unlinked one may no longer have an evaluation.
        def linked() -> set[int]:
            links = DocumentProject.objects.filter(document=form.instance)
            return set(links.values_list("project_id", flat=True))

        before = linked() if change else set()
        super().save_formset(request, form, formset, change)
        refresh_evaluation_flags(project_ids=before | linked())
        return None

    def after_change(self, record) -> None:
        # Its type or status may make its projects (no longer) have an evaluation.
        links = DocumentProject.objects.filter(document=record)
        refresh_evaluation_flags(project_ids=links.values_list("project_id", flat=True))


class ProjectEvidenceInline(admin.StackedInline):
    """The evidence linked to a project, on the project's own admin page (golab.admin adds
    it to the project admin: the cases app does not know evidence)."""

    model = DocumentProject
    fk_name = "project"
    extra = 0
    classes = ["collapse"]
    verbose_name = "evidence document"
    verbose_name_plural = "evidence documents"
    fields = ["document", "relation", "from_indigo"]
    readonly_fields = ["from_indigo"]
    autocomplete_fields = ["document"]
