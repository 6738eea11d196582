"""The admin side of the publication workflow, shared by every publishable model's admin."""

from __future__ import annotations

import logging

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from common import workflow
from common.cache import bump
from common.models import PublicationStatus, StatusChange

security_log = logging.getLogger("golab.security")


class WorkflowAdminMixin(admin.ModelAdmin):
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
            # after_change's bulk updates send no signal and commit after the transition's.
            bump()
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
