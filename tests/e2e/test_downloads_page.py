"""/downloads/ in a browser: no axe-core violations, and the files download."""

from __future__ import annotations

import pytest

from golab.downloads import CSV_ZIP, build_downloads
from tests.e2e.conftest import assert_accessible
from tests.factories import DocumentAuthorFactory, EvidenceDocumentFactory, ProjectFactory

pytestmark = pytest.mark.browser


def test_downloads_page_is_accessible_and_its_files_download(
    live_server, page, axe, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    ProjectFactory(name="Published bond")
    DocumentAuthorFactory(document=EvidenceDocumentFactory(), name="Smith, Jane")
    build_downloads()
    response = page.goto(live_server.url + "/downloads/")
    assert response.status == 200
    assert_accessible(axe, page)
    with page.expect_download() as download:
        page.get_by_role("link", name="All published data in the INDIGO CSV layout").click()
    assert download.value.suggested_filename == CSV_ZIP
