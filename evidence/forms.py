from __future__ import annotations

from django import forms

from evidence.files import validate_pdf
from evidence.models import EvidenceDocument


class DocumentFileField(forms.FileField):
    """A PDF upload: checked by content, not by name or declared type."""

    def validate(self, value):
        super().validate(value)
        if value and hasattr(value, "size") and not getattr(value, "_committed", False):
            validate_pdf(value)


class EvidenceDocumentForm(forms.ModelForm):
    file = DocumentFileField(
        required=False,
        help_text="A PDF of at most 50 MB. Its text is extracted for search.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    class Meta:
        model = EvidenceDocument
        fields = [
            "title",
            "document_type",
            "publication_date",
            "publisher",
            "abstract",
            "url",
            "doi",
            "language",
            "licence",
            "evaluation_design",
            "evidence_rating",
            "file",
        ]
