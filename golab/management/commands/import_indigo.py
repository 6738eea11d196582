from __future__ import annotations

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from golab.downloads import build_downloads
from golab.indigo import ImportResult, import_snapshot


class Command(BaseCommand):
    help = (
        "Import an INDIGO snapshot (a folder of INDIGO CSV files or a .zip of them). "
        "All or nothing: any error changes nothing and is reported as file:row:column: reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="folder of INDIGO CSVs, or a .zip of them")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, change nothing"
        )
        parser.add_argument(
            "--show-warnings", action="store_true", help="list every warning, not just the count"
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help="the snapshot holds only some of INDIGO's files: apply those, and withdraw or "
            "delete nothing for lack of the others (without it, a missing file is an error)",
        )
        parser.add_argument(
            "--explain-evidence",
            action="store_true",
            help="say which citations were merged into one evidence work, and why",
        )
        parser.add_argument(
            "--no-downloads",
            action="store_true",
            help="do not rebuild the bulk downloads after the import (build_downloads does)",
        )
        parser.add_argument(
            "--allow-mass-withdrawal",
            action="store_true",
            help="apply the import even if it withdraws more than 10%% of the published "
            "records of a kind (without it, such an import changes nothing and lists them)",
        )

    def handle(
        self,
        *args,
        path: Path,
        dry_run: bool,
        show_warnings: bool,
        partial: bool,
        allow_mass_withdrawal: bool,
        explain_evidence: bool = False,
        no_downloads: bool = False,
        **options,
    ):
        verbose = options["verbosity"] > 1
        result = import_snapshot(
            path,
            run_by=f"manage.py import_indigo ({getpass.getuser()})",
            dry_run=dry_run,
            progress=self.stdout.write if options["verbosity"] >= 1 else None,
            partial=partial,
            allow_mass_withdrawal=allow_mass_withdrawal,
        )
        if result.errors:
            for problem in result.errors:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(result.errors)} problem(s) in {path}; nothing was imported.")
        if result.mass_withdrawal:
            self._report(result, show_warnings or verbose)
            for line in result.mass_withdrawal:
                self.stderr.write(line)
            raise CommandError(
                "Nothing was imported: this import would withdraw many published records "
                "(listed above). If the source really withdrew them, run it again with "
                "--allow-mass-withdrawal."
            )
        if explain_evidence and result.evidence_works:
            for line in result.evidence_works.explanations:
                self.stdout.write(f"evidence: {line}")
        if options["verbosity"] >= 1:
            self._report(result, show_warnings or verbose)
        if result.applied and result.changes() and not no_downloads:
            # The bulk downloads follow the data at once (a few seconds for all of INDIGO);
            # imports and edits made in the admin are picked up by the scheduled
            # `build_downloads --if-stale`, never in a web request.
            manifest = build_downloads()
            self.stdout.write(f"Rebuilt the bulk downloads ({len(manifest['files'])} files).")

    def _report(self, result: ImportResult, show_warnings: bool) -> None:
        write = self.stdout.write
        if show_warnings:
            for warning in result.warnings:
                write(f"warning: {warning}")
        for conflict in result.conflicts:
            write(f"conflict: {conflict}")
        width = max(len(name) for name in result.counts) if result.counts else 10
        write(f"{'':{width}}  created  updated  unchanged  withdrawn  deleted")
        for name, counts in result.counts.items():
            write(
                f"{name:{width}}  {counts.created:7}  {counts.updated:7}  {counts.unchanged:9}"
                f"  {counts.withdrawn:9}  {counts.deleted:7}"
            )
        for name, columns in result.unknown_columns.items():
            write(f"ignored columns in {name}: {', '.join(columns)} (not INDIGO columns)")
        for name, reason in result.skipped_files.items():
            write(f"skipped {name}: {reason}")
        for record in result.withdrawn:
            write(f"withdrawn: {record} (no longer in the snapshot)")
        for document in result.withdrawn_documents:
            write(f"withdrawn: {document} (no published case cites it any more)")
        if result.evidence_works:
            write(f"Evidence: {result.evidence_summary}")
        changes = result.changes()
        verdict = "would change" if result.dry_run or result.mass_withdrawal else "changed"
        if changes == 0:
            write(self.style.SUCCESS(f"No changes: the database already holds {result.source}."))
        else:
            write(self.style.SUCCESS(f"{verdict} {changes} record(s)."))
        write(
            f"{len(result.warnings)} warning(s), {len(result.conflicts)} conflict(s) kept the "
            f"curator's value; {result.seconds:.1f}s."
            + (" Dry run: nothing was changed." if result.dry_run else "")
            + (" Partial snapshot: only the files present were applied." if result.partial else "")
        )
