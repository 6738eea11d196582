from django.urls import path, re_path, register_converter

from evidence import views


class DocumentIdConverter:
    """A document id: digits, short enough for a 64-bit integer (so a huge number is a
    404, not a database overflow)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class FormatConverter:
    regex = "bib|ris|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DocumentIdConverter, "docid")
register_converter(FormatConverter, "citefmt")

app_name = "evidence"

urlpatterns = [
    path("evidence/", views.document_list, name="document-list"),
    # Before the reference-manager exports, whose pattern also takes .json.
    re_path(
        r"^evidence/export\.(?P<fmt>csv|xlsx|json)$",
        views.document_download,
        name="document-download",
    ),
    path("evidence/export.<citefmt:fmt>", views.export_results, name="export"),
    path("evidence/ratings/", views.ratings, name="ratings"),
    path("evidence/<docid:pk>/", views.document_detail, name="document-detail"),
    path("evidence/<docid:pk>/file/", views.document_file, name="document-file"),
    path(
        "evidence/<docid:pk>/cite.<citefmt:fmt>", views.document_citation, name="document-citation"
    ),
]
