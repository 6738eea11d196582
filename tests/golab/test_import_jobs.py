"""Issue 16, item 1: a large admin import ran inside the web request, past gunicorn's 30 s
timeout, and answered a 500 with no error list. Admin imports (and their dry runs) are now
background jobs on a database queue (``golab.jobs``): the request stores the upload and
enqueues; the worker imports; the job's page shows progress and then the report."""

from __future__ import annotations

import shutil

import pytest
from django_tasks_db.models import DBTaskResult

from cases.models import ImportRun, Project
from golab import jobs
from golab.indigo import import_snapshot as real_import_snapshot
from golab.models import ImportJob
from tests.conftest import read_csv, run_queued_jobs, subset_snapshot, write_csv, zip_upload

pytestmark = pytest.mark.django_db
IMPORT = "/admin/cases/importrun/import/"
ONE = {"INDIGO-POJ-0001"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def snapshot(tmp_path):
    return subset_snapshot(tmp_path / "one", ONE)


def _job_url(job: ImportJob) -> str:
    return f"{IMPORT}{job.pk}/"


def test_an_upload_is_queued_and_answered_at_once_without_importing(
    client, curator, media, snapshot, monkeypatch
):
    calls = []

    def spy(*args, **kwargs):
        calls.append(kwargs.get("dry_run"))
        return real_import_snapshot(*args, **kwargs)

    monkeypatch.setattr(jobs, "import_snapshot", spy)
    client.force_login(curator)

    response = client.post(IMPORT, {"snapshot": zip_upload(snapshot)})

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == _job_url(job)
    assert calls == []  # not even the dry run runs in the request
    assert job.status == ImportJob.Status.QUEUED and job.dry_run
    assert DBTaskResult.objects.get().task_path == "golab.jobs.run_import_job"
    assert str(DBTaskResult.objects.get().id) == job.task_id
    assert (media / "imports" / f"{job.token}.zip").exists()
    page = client.get(_job_url(job)).content.decode()
    assert "Queued" in page and 'http-equiv="refresh"' in page
    assert Project.objects.count() == 0 and ImportRun.objects.count() == 0

    assert run_queued_jobs() == 1
    assert calls == [True]
    assert Project.objects.count() == 0  # a dry run


def test_the_worker_runs_the_dry_run_then_the_confirmed_import(client, curator, media, snapshot):
    client.force_login(curator)
    client.post(IMPORT, {"snapshot": zip_upload(snapshot)})
    run_queued_jobs()
    dry = ImportJob.objects.get()
    assert dry.status == ImportJob.Status.FINISHED
    assert dry.files_total == dry.files_done > 0 and dry.rows_done > 0
    response = client.get(_job_url(dry))
    page = response.content.decode()
    assert "Dry run: this is what the import would do" in page
    assert 'http-equiv="refresh"' not in page
    assert response.context["token"] == dry.token and "Confirm and import" in page

    response = client.post(IMPORT, {"token": dry.token})
    real = ImportJob.objects.latest("created_at")
    assert response.status_code == 302 and response["Location"] == _job_url(real)
    assert not real.dry_run and Project.objects.count() == 0
    run_queued_jobs()

    assert set(Project.objects.values_list("indigo_id", flat=True)) == ONE
    assert ImportRun.objects.get().run_by == "admin: curt"
    real.refresh_from_db()
    assert real.status == ImportJob.Status.FINISHED and real.result["applied"]
    page = client.get(_job_url(real)).content.decode()
    assert "<h2>Imported</h2>" in page and "Confirm and import" not in page
    assert not list(media.rglob("*.zip"))


def test_a_failing_import_shows_its_file_row_and_column_errors_on_the_job_page(
    client, curator, media, snapshot
):
    header, rows = read_csv(snapshot / "projects.csv")
    rows[0]["Stage of Development - (Value)"] = "Imaginary"
    write_csv(snapshot / "projects.csv", header, rows)
    client.force_login(curator)
    client.post(IMPORT, {"snapshot": zip_upload(snapshot)})
    run_queued_jobs()

    job = ImportJob.objects.get()
    page = client.get(_job_url(job)).content.decode()
    assert job.status == ImportJob.Status.FINISHED
    assert "1 problem: nothing can be imported" in page
    error = "projects.csv:2:Stage of Development - (Value): &#x27;Imaginary&#x27; is not a known"
    assert f"<code>{error}" in page
    assert "Confirm and import" not in page
    assert not list(media.rglob("*.zip"))


def test_an_import_longer_than_a_request_runs_in_the_worker_not_the_request(
    client, curator, media, snapshot, monkeypatch
):
    """The regression test of the 500: the import that used to run (and be killed) in the
    request is only enqueued there; its error list is on the job's page once it has run."""
    in_request = True

    def slow_and_bad(*args, **kwargs):
        assert not in_request, "the import ran inside the web request"
        return real_import_snapshot(*args, **kwargs)

    monkeypatch.setattr(jobs, "import_snapshot", slow_and_bad)
    shutil.copy(snapshot / "funds.csv", snapshot / "projects_outcome_funds.csv")
    client.force_login(curator)
    response = client.post(IMPORT, {"snapshot": zip_upload(snapshot)})
    assert response.status_code == 302
    in_request = False
    run_queued_jobs()
    page = client.get(response["Location"]).content.decode()
    assert "nothing can be imported" in page
    assert "<code>projects_outcome_funds.csv:" in page


def test_a_running_job_shows_its_progress_and_reloads_itself(
    client, curator, django_assert_num_queries
):
    job = ImportJob.objects.create(
        run_by="admin: curt",
        filename="big.zip",
        token="0" * 32,
        status=ImportJob.Status.RUNNING,
        stage="read projects_results.csv: 4000 rows",
        files_done=12,
        files_total=30,
        rows_done=123456,
    )
    client.force_login(curator)
    # 7: the session, the user, the second-factor device (django-otp reads it on every admin
    # page), whether a running job's worker stopped, the job, ...
    with django_assert_num_queries(7):
        response = client.get(_job_url(job))
    page = response.content.decode()
    assert "Running: 12 of 30 files read, 123456 rows (read projects_results.csv" in page
    assert '<meta http-equiv="refresh" content="2">' in page


def test_a_crashed_job_is_failed_and_says_why(client, curator, media, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs, "import_snapshot", crash)
    token = jobs.store_upload([b"PK"])
    job = jobs.enqueue_import(
        token=token, filename="x.zip", run_by="admin: curt", dry_run=True, partial=False
    )
    run_queued_jobs()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "disk on fire" in job.failure
    client.force_login(curator)
    page = client.get(_job_url(job)).content.decode()
    assert "The job failed; nothing was imported." in page and "disk on fire" in page
    assert not list(media.rglob("*.zip"))


def test_only_importers_may_enqueue_or_see_jobs(client, editor, media, snapshot):
    job = ImportJob.objects.create(run_by="admin: curt", filename="x.zip", token="0" * 32)
    client.force_login(editor)
    assert client.post(IMPORT, {"snapshot": zip_upload(snapshot)}).status_code == 403
    assert client.get(_job_url(job)).status_code == 403
    assert client.post(IMPORT, {"token": job.token}).status_code == 403
    assert ImportJob.objects.count() == 1 and not DBTaskResult.objects.exists()


def test_a_confirmation_needs_a_checked_upload(client, curator, media):
    client.force_login(curator)
    token = jobs.store_upload([b"PK"])  # stored, but never checked by a dry run
    response = client.post(IMPORT, {"token": token}, follow=True)
    assert "That upload has expired" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert client.get(f"{IMPORT}999999/").status_code == 404


def test_long_lists_are_kept_up_to_a_limit_with_their_whole_count():
    from cases.indigo.reading import Problem
    from golab.indigo import ImportResult

    result = ImportResult(
        source="x", errors=[Problem("projects.csv", n, "Stage", "bad") for n in range(2, 2002)]
    )
    stored = jobs.StoredResult.load(jobs.StoredResult.dump(result))
    assert stored.error_count == 2000 and len(stored.errors) == jobs.MAX_LISTED["errors"]
    assert stored.errors[0] == "projects.csv:2:Stage: bad" and not stored.ok


def test_the_import_page_links_the_recent_jobs(client, curator, django_assert_num_queries):
    for n in range(12):
        ImportJob.objects.create(run_by="admin: curt", filename=f"s{n}.zip", token="0" * 32)
    client.force_login(curator)
    # 7 with the session's second-factor device, which django-otp reads on every admin page,
    # and whether a running job's worker stopped.
    with django_assert_num_queries(7):
        page = client.get(IMPORT).content.decode()
    latest = ImportJob.objects.latest("created_at")
    assert f'href="{_job_url(latest)}"' in page and page.count(f'href="{IMPORT}') == 10
    assert "Check (dry run)" in page


def test_an_import_reports_its_phases_and_the_files_and_rows_read(snapshot):
    seen: list[tuple[str, int, int]] = []
    result = real_import_snapshot(
        snapshot,
        run_by="tests",
        dry_run=True,
        track=lambda s: seen.append((s.phase, s.files_done, s.rows_done)),
    )
    assert result.ok
    phases = [phase for phase, _files, _rows in seen]
    assert list(dict.fromkeys(phases)) == ["reading", "checking", "applying"]
    files = [f for phase, f, _rows in seen if phase == "reading"]
    assert files == list(range(1, len(files) + 1)) and len(files) > 20
    assert seen[-1][2] > 0


def _running(minutes_silent: float, **fields) -> ImportJob:
    from datetime import timedelta

    from django.utils import timezone

    beat = timezone.now() - timedelta(minutes=minutes_silent)
    return ImportJob.objects.create(
        run_by="admin: curt",
        filename="big.zip",
        status=ImportJob.Status.RUNNING,
        started_at=beat,
        heartbeat_at=beat,
        stage="read projects.csv: 300 rows",
        **fields,
    )


def test_a_job_whose_worker_stopped_beating_is_shown_failed_and_can_run_again(
    client, curator, media, snapshot
):
    """Issue 16: a worker killed mid-import (SIGKILL, out of memory) left its job "running"
    for ever. A job silent for longer than jobs.STALE_SECONDS is marked failed when looked at,
    on its page and in the list, and offers to run the same upload again."""
    token = jobs.store_upload(zip_upload(snapshot).chunks())
    job = _running(jobs.STALE_SECONDS / 60 + 1, token=token, dry_run=False)
    client.force_login(curator)

    listing = client.get(IMPORT).content.decode()
    assert "failed: the worker stopped" in listing
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.finished_at is not None
    page = client.get(_job_url(job)).content.decode()
    assert "Failed: the worker stopped" in page and 'http-equiv="refresh"' not in page
    assert f'name="run_again" value="{job.pk}"' in page and "Run the import again" in page

    response = client.post(IMPORT, {"run_again": job.pk})
    again = ImportJob.objects.latest("created_at")
    assert response.status_code == 302 and response["Location"] == _job_url(again)
    assert again.pk != job.pk and again.token == token and not again.dry_run
    assert again.status == ImportJob.Status.QUEUED
    run_queued_jobs()
    assert set(Project.objects.values_list("indigo_id", flat=True)) == ONE


def test_a_job_that_beats_stays_running_and_others_cannot_be_run_again(client, curator, media):
    fresh = _running(0.1, token="1" * 32)
    finished = ImportJob.objects.create(
        run_by="admin: curt", filename="x.zip", token="2" * 32, status=ImportJob.Status.FINISHED
    )
    assert jobs.mark_stalled() == 0
    client.force_login(curator)
    page = client.get(_job_url(fresh)).content.decode()
    fresh.refresh_from_db()
    assert fresh.status == ImportJob.Status.RUNNING and "Running: " in page
    assert "run_again" not in page
    for pk in (fresh.pk, finished.pk, 999999, "x'1", ""):
        response = client.post(IMPORT, {"run_again": pk}, follow=True)
        assert "That job cannot be run again" in response.content.decode()
    assert ImportJob.objects.count() == 2


def test_a_job_never_heard_from_after_its_start_is_stalled_too():
    from datetime import timedelta

    from django.utils import timezone

    job = _running(0, token="3" * 32)
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=None, started_at=timezone.now() - timedelta(hours=1)
    )
    assert jobs.mark_stalled() == 1
    job.refresh_from_db()
    assert job.worker_stopped and job.status_line == "failed: the worker stopped"
