"""PDF files of evidence documents: checking an upload and extracting its text.

A file is accepted only when its content is PDF: it starts with the PDF magic bytes and
pypdf can parse it. Text extraction is bounded in pages, characters and time; a PDF whose
text cannot be read is kept and flagged, never lost.
"""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass
from typing import cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from evidence.models import TextStatus

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PAGES = 500
MAX_CHARACTERS = 2_000_000
MAX_SECONDS = 30.0
PDF_MAGIC = b"%PDF-"


def validate_pdf(upload: UploadedFile) -> None:
    """Raise ValidationError, with a message for the person uploading, unless the upload
    is a PDF of at most 50 MB."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # Typed ``int | None``, but Django's uploads (in memory or in a temporary file) always
    # know their size.
    size = cast(int, upload.size)
    if size == 0:
        raise ValidationError("The file is empty.", code="empty")
    if size > MAX_FILE_BYTES:
        raise ValidationError(
            f"The file is {size / 1024 / 1024:.1f} MB; the limit is 50 MB.", code="too_large"
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if PDF_MAGIC not in head:
        raise ValidationError(
            "This is not a PDF file (its content does not start like a PDF), whatever its name.",
            code="not_pdf",
        )
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise ValidationError(
            f"This file claims to be a PDF but cannot be read as one ({type(exc).__name__}).",
            code="broken_pdf",
        ) from None
    finally:
        upload.seek(0)


@dataclass
class Extracted:
    text: str
    status: str


def extract_text(data: bytes) -> Extracted:
    """The text of a PDF, within the page, size and time limits."""
    from pypdf import PdfReader

    started = time.monotonic()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        parts: list[str] = []
        size = 0
        truncated = False
        for number, page in enumerate(reader.pages):
            if number >= MAX_PAGES or time.monotonic() - started > MAX_SECONDS:
                truncated = True
                break
            text = page.extract_text() or ""
            parts.append(text)
            size += len(text)
            if size >= MAX_CHARACTERS:
                truncated = True
                break
    except Exception:  # noqa: BLE001 - any failure of a third-party parser on any file
        logger.warning("could not extract text from a PDF", exc_info=True)
        return Extracted("", TextStatus.UNREADABLE)
    text = "\n".join(parts).replace("\x00", "")[:MAX_CHARACTERS].strip()
    if not text:
        return Extracted("", TextStatus.NO_TEXT)
    return Extracted(text, TextStatus.TRUNCATED if truncated else TextStatus.EXTRACTED)
