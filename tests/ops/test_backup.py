"""manage.py backup / restore: backup → wipe → restore gives back every table and file
exactly (microseconds included) and search still works; a damaged archive is refused with
nothing changed; restore asks before it replaces anything (issue 16)."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from cases.models import Project
from cases.search import PROJECTS
from golab import backup
from tests.factories import EvidenceDocumentFactory, OutcomePricingFactory, ProjectFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
STAMP = datetime.datetime(2024, 3, 5, 10, 11, 12, 345678, tzinfo=datetime.UTC)


@pytest.fixture
def world(settings, tmp_path, curator):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = ProjectFactory(name="Reoffending reduction in Peterborough")
    ProjectFactory(name="Youth employment in Lisbon")
    OutcomePricingFactory(project=project)
    document = EvidenceDocumentFactory(title="Final evaluation")
    document.file.save("final-evaluation.pdf", ContentFile(b"%PDF-1.4 the report"), save=True)
    Project.objects.filter(pk=project.pk).update(created_at=STAMP)
    return project


def _wipe() -> None:
    backup.empty_tables(connection, [m._meta.db_table for m in backup.backed_up_models()])


def _archive(tmp_path) -> str:
    path = tmp_path / "backup.zip"
    call_command("backup", str(path), verbosity=0)
    return str(path)


def test_backup_wipe_restore_gives_back_every_table_and_file(world, settings, tmp_path, capsys):
    before = backup.fingerprint()
    assert sum(name.startswith("media/") for name in before) == 1
    assert sum(name.startswith("data/") for name in before) == len(backup.backed_up_models())
    path = _archive(tmp_path)
    assert "Backed up" in capsys.readouterr().out

    _wipe()
    for file in settings.MEDIA_ROOT.rglob("*"):
        if file.is_file():
            file.unlink()
    (settings.MEDIA_ROOT / "stray.txt").write_text("not in the backup: removed by restore")
    assert backup.fingerprint() != before
    assert not Project.objects.exists()

    call_command("restore", path, "--yes")
    out = capsys.readouterr().out
    assert "This DELETES all data" in out and "Restored" in out
    assert backup.fingerprint() == before
    project = Project.objects.get(pk=world.pk)
    assert project.created_at == STAMP  # microseconds kept
    assert project.created_at.microsecond == 345678
    # Search works on the restored rows (PostgreSQL: generated columns; SQLite: FTS5).
    found = PROJECTS.search(Project.objects.all(), "peterborough")
    assert list(found.values_list("pk", flat=True)) == [world.pk]
    # New records get new ids after the restored ones (PostgreSQL's sequences are reset).
    highest = max(Project.objects.values_list("pk", flat=True).order_by())
    assert ProjectFactory().pk > highest


def test_exact_values_survive_the_round_trip(world, tmp_path):
    """Decimals to the last digit, JSON as stored, timestamps to the microsecond."""
    world.outcome_pricings.update(price_per_unit=Decimal("1234567.89"))
    Project.objects.filter(pk=world.pk).update(
        import_baseline={"name": "Peterborough", "nested": [1, 2.5, None, "ü"]},
        updated_at=STAMP + datetime.timedelta(microseconds=1),
    )
    path = _archive(tmp_path)
    _wipe()
    call_command("restore", path, "--yes", verbosity=0)
    project = Project.objects.get(pk=world.pk)
    assert project.outcome_pricings.get().price_per_unit == Decimal("1234567.89")
    assert project.import_baseline == {"name": "Peterborough", "nested": [1, 2.5, None, "ü"]}
    assert project.updated_at == STAMP + datetime.timedelta(microseconds=1)


def test_a_truncated_or_altered_archive_is_refused_and_nothing_changes(world, tmp_path):
    path = tmp_path / "backup.zip"
    call_command("backup", str(path), verbosity=0)
    data = path.read_bytes()
    before = backup.fingerprint()

    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(CommandError, match="refused, nothing was changed: .* damaged"):
        call_command("restore", str(truncated), "--yes")
    assert backup.fingerprint() == before

    # A member whose bytes changed (same length, valid zip) fails its sha256.
    altered = tmp_path / "altered.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(altered, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "data/cases_project.jsonl":
                content = content.replace(b"Peterborough", b"Peterboro ugh")
            target.writestr(item, content)
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(altered), "--yes")
    assert backup.fingerprint() == before


def test_restore_needs_an_explicit_yes(world, tmp_path, monkeypatch):
    path = _archive(tmp_path)
    Project.objects.filter(pk=world.pk).update(name="Changed since the backup")
    before = backup.fingerprint()
    # Not a terminal and no --yes: refused.
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="pass --yes"):
        call_command("restore", path)
    # At a terminal: anything but "yes" is a no.
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    with pytest.raises(CommandError, match="not confirmed"):
        call_command("restore", path)
    assert backup.fingerprint() == before
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    call_command("restore", path)
    assert Project.objects.get(pk=world.pk).name == "Reoffending reduction in Peterborough"


def test_backup_never_overwrites_a_file(world, tmp_path):
    path = tmp_path / "backup.zip"
    path.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(path))
    assert path.read_bytes() == b"keep me"


def test_backup_and_restore_do_not_create_a_missing_sqlite_database(tmp_path):
    database = tmp_path / "gone.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    valid = _archive(tmp_path)  # of the test database, so restore gets as far as the database
    for args in (["backup", str(tmp_path / "b.zip")], ["restore", valid, "--yes"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 1, result.stderr
        assert "unable to open database file" in result.stderr
        assert "Traceback" not in result.stderr
    assert not database.exists() and not (tmp_path / "b.zip").exists()
