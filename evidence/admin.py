from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
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
from evidence.services import (
    citation_ref,
    citation_rows,
    index_file,
    merge_works,
    refresh_authors_text,
    refresh_evaluation_flags,
    split_work,
)


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


MAX_LISTED = 300


def _owner_id(row) -> str:
    owner = getattr(row, "project", None) or getattr(row.row, "organisation", None)
    if owner is None:
        owner = row.row.fund
    locator = f" ({row.locator})" if row.locator else ""
    return f"{row._meta.verbose_name} of {owner.indigo_id}{locator}"


def can_merge(request: HttpRequest) -> bool:
    """Editors and Curators may merge and split works: a merge moves citations and deletes
    nothing that is not kept in the history, and both are undone the same way."""
    return request.user.has_perm("evidence.change_evidencedocument")


@admin.register(EvidenceDocument)
class EvidenceDocumentAdmin(WorkflowAdminMixin, SimpleHistoryAdmin):
    form = EvidenceDocumentForm
    change_form_template = "admin/evidence/evidencedocument/change_form.html"
    fieldsets = [
        (None, {"fields": ["title", "document_type", "type_basis", "publication_date"]}),
        (None, {"fields": ["publisher", "abstract", "url", "archive_url", "doi"]}),
        (None, {"fields": ["language", "licence"]}),
        (
            "Evaluation",
            {
                "fields": [
                    "evaluation_design",
                    "design_basis",
                    "design_confirmed",
                    "evidence_rating",
                ],
                "description": "An import infers the design where the text says it and "
                "shows where from; changing the design (or ticking “confirmed”) keeps it "
                "from every later import.",
            },
        ),
        ("File", {"fields": ["file", "text_status", "file_size"]}),
        ("Citations", {"fields": ["citation_list"], "classes": ["collapse"]}),
    ]
    list_display = [
        "title",
        "document_type",
        "publication_date",
        "citation_count",
        "status",
        "text_status",
    ]
    list_filter = ["status", "document_type", "evaluation_design", "evidence_rating", "text_status"]
    search_fields = ["title", "url", "doi", "authors_text"]
    readonly_fields = ["text_status", "file_size", "type_basis", "design_basis", "citation_list"]
    computed_fields = ["text", "text_status", "file_size", "authors_text", "design_basis"]
    show_facets = admin.ShowFacets.ALWAYS
    inlines = [
        AuthorInline,
        ProjectLinkInline,
        PolicyAreaInline,
        CountryInline,
    ]
    actions = ["merge_works_action"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("text", "import_baseline")
            .annotate(
                n_sources=Count("project_sources", distinct=True),
                n_documents=Count("project_documents", distinct=True),
            )
        )

    @admin.display(description="citations")
    def citation_count(self, obj: EvidenceDocument) -> int:
        return getattr(obj, "n_sources", 0) + getattr(obj, "n_documents", 0)

    @admin.display(description="INDIGO rows citing this work")
    def citation_list(self, obj: EvidenceDocument) -> str:
        """The citations as written, with their owner and locator (moved by a merge or a
        split, changed only by the import)."""
        if obj.pk is None:
            return "—"
        rows = citation_rows(obj)
        items = format_html_join(
            "",
            "<li>{}: {}</li>",
            ((_owner_id(row), str(row)) for row in rows[:MAX_LISTED]),
        )
        more = f" (the first {MAX_LISTED} shown)" if len(rows) > MAX_LISTED else ""
        return format_html("<p>{} citation(s){}</p><ul>{}</ul>", len(rows), more, items)

    def has_merge_permission(self, request: HttpRequest) -> bool:
        return can_merge(request)

    @admin.action(description="Merge the selected works into one", permissions=["merge"])
    def merge_works_action(self, request: HttpRequest, queryset) -> HttpResponse | None:
        works = list(queryset.order_by("pk"))
        if len(works) < 2:
            self.message_user(request, "Choose at least two works to merge.", messages.WARNING)
            return None
        if request.POST.get("confirm") == "yes":
            target = next((w for w in works if str(w.pk) == request.POST.get("target")), None)
            if target is None:
                self.message_user(request, "Choose the work to keep.", messages.ERROR)
            else:
                others = [w for w in works if w.pk != target.pk]
                moved = merge_works(target=target, others=others, user=request.user)
                self.message_user(
                    request,
                    f"Merged {len(others)} work(s) into “{target}”: {moved} citation(s) "
                    "moved. Later imports keep this decision.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:evidence_evidencedocument_change", args=[target.pk])
                )
        rows = [(work, citation_rows(work)) for work in works]
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge works",
            "opts": self.model._meta,
            "works": rows,
            "selected": [w.pk for w in works],
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "confirm_missing": request.POST.get("post") == "yes"
            and request.POST.get("confirm") != "yes",
        }
        return TemplateResponse(request, "admin/evidence/merge_works.html", context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/split/",
                self.admin_site.admin_view(self.split_view),
                name="evidence_evidencedocument_split",
            ),
            *super().get_urls(),
        ]

    def split_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not can_merge(request):
            raise PermissionDenied
        document = self.get_object(request, unquote(object_id))
        if document is None:
            raise Http404(f"No evidence document with id {object_id!r}.")
        rows = citation_rows(document)
        error = ""
        if request.method == "POST":
            chosen = request.POST.getlist("citation")
            try:
                new = split_work(document=document, refs=chosen, user=request.user)
            except ValueError as exc:
                error = str(exc)
            else:
                self.message_user(
                    request,
                    f"Split {len(chosen)} citation(s) off into a new work “{new}”. Later "
                    "imports keep this decision.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:evidence_evidencedocument_change", args=[new.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Split citations off “{document}”",
            "opts": self.model._meta,
            "original": document,
            "citations": [(citation_ref(row), row) for row in rows],
            "error": error,
        }
        return TemplateResponse(request, "admin/evidence/split_work.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_split"] = obj is not None and can_merge(request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        # A curator who sets the design (or ticks "confirmed") decides it: no import changes
        # it any more, and what it was inferred from no longer applies.
        if "evaluation_design" in form.changed_data:
            obj.design_confirmed = True
            obj.design_basis = ""
        elif "design_confirmed" in form.changed_data:
            obj.design_confirmed = form.cleaned_data["design_confirmed"]
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
