"""Accounts in the admin. A superuser has Django's whole user admin; a Curator sees the
accounts and may grant or revoke the Editor role of plain accounts, and nothing else (see
``golab.accounts``). Every check is made here on the server: the Curator's form has no other
field, so whatever else a request posts is ignored."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied

from golab import accounts

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
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if not request.user.is_superuser:
            return ["username", "first_name", "last_name", "email", "is_active", "is_staff"] + [
                "groups"
            ]
        return super().get_readonly_fields(request, obj)

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
