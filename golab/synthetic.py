"""Synthetic data at scale, for the benchmarks (``manage.py generate_synthetic``).

Projects, their parties, metrics, prices, results and payments, and evidence documents
linked to them, shaped like the bundled 2025-05 INDIGO snapshot: its skewed countries,
policy areas, stages and launch years (counted from it, below), organisations shared across
projects in every role (a few appear in thousands of projects, most in a handful), and text
over the snapshot's own vocabulary with its word frequencies. Everything is drawn from one
``random.Random(seed)``, so a seed gives the same data on every run and backend.

Rows are written in bulk, in batches (``executemany`` of the rows as ``bulk_create`` would
write them, with ids given here: Django's per-value SQL compiling was 90% of the time),
published, with the derived columns
(``launch_year``, ``capital_raised_usd``, ``has_results``, ``search_text``,
``has_evaluation``) computed as ``cases.services.refresh_derived_fields`` and
``evidence.services.refresh_evaluation_flags`` compute them. The full-text indexes fill
themselves: SQLite's FTS5 triggers and PostgreSQL's generated columns.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, connections, models, transaction
from django.utils import timezone

from cases.models import (
    DeliveryLocation,
    IntermediaryService,
    Investment,
    Organisation,
    OutcomeMetric,
    OutcomePayment,
    OutcomePaymentCommitment,
    OutcomePricing,
    PaymentType,
    PolicySector,
    Project,
    Result,
    ResultLevel,
    ResultType,
    ServiceProvision,
    Stage,
)
from cases.outcome_kinds import outcome_kind
from cases.parties import refresh_party_flags
from cases.search import PROJECTS
from common.models import PublicationStatus
from evidence.models import (
    DocumentPolicyArea,
    DocumentProject,
    DocumentType,
    EvaluationDesign,
    EvidenceDocument,
    ProjectSource,
    Relation,
    TextStatus,
)
from evidence.search import DOCUMENTS
from evidence.services import refresh_evaluation_flags

SNAPSHOT = Path(settings.BASE_DIR) / "data" / "indigo" / "2025-05"
BATCH = 1000  # projects (or documents) per transaction
SENTENCES = 50_000  # the pool texts are drawn from
KEY_PREFIX = "synthetic:"

# Counted from the 2025-05 snapshot (319 projects): projects per country of their first
# delivery location, per policy sector, per stage, per launch year.
COUNTRIES = {
    "GB": 100, "US": 28, "FR": 24, "PT": 23, "JP": 18, "NL": 18, "AU": 15, "DK": 13, "CA": 9,
    "KR": 6, "IN": 5, "RU": 5, "BE": 4, "FI": 4, "ZA": 4, "CM": 3, "CL": 3, "CO": 3, "DE": 3,
    "NZ": 3, "SL": 3, "AT": 2, "KH": 2, "IL": 2, "AE": 2, "KE": 2, "AR": 1, "UG": 1, "ML": 1,
    "PS": 1, "PE": 1, "SE": 1, "CH": 1, "JO": 1, "ET": 1, "HK": 1, "NG": 1, "TR": 1, "MX": 1,
    "UY": 1,
}  # fmt: skip
SECTORS = {
    PolicySector.EMPLOYMENT: 95, PolicySector.HEALTH: 55, PolicySector.EDUCATION: 51,
    PolicySector.CHILD_FAMILY: 47, PolicySector.HOMELESSNESS: 38,
    PolicySector.CRIMINAL_JUSTICE: 19, PolicySector.AGRICULTURE_ENVIRONMENT: 11,
    PolicySector.POVERTY_REDUCTION: 3,
}  # fmt: skip
STAGES = {Stage.IMPLEMENTATION: 196, Stage.COMPLETE: 122, Stage.CONTRACTED: 6,
          Stage.SERVICE_DELIVERY_COMPLETE: 4}  # fmt: skip
YEARS = {2010: 1, 2012: 13, 2013: 8, 2014: 6, 2015: 26, 2016: 21, 2017: 41, 2018: 48,
         2019: 44, 2020: 32, 2021: 30, 2022: 18, 2023: 17, 2024: 6, 2025: 1, 2026: 1}  # fmt: skip
CURRENCIES = {"GBP": ("GBP", 1.27), "EUR": ("EUR", 1.08), "USD": ("USD", 1.0),
              "JPY": ("JPY", 0.0067), "AUD": ("AUD", 0.66), "DKK": ("DKK", 0.145),
              "CAD": ("CAD", 0.73)}  # fmt: skip
COUNTRY_CURRENCY = {"GB": "GBP", "US": "USD", "JP": "JPY", "AU": "AUD", "DK": "DKK", "CA": "CAD",
                    "FR": "EUR", "PT": "EUR", "NL": "EUR", "BE": "EUR", "FI": "EUR", "DE": "EUR",
                    "AT": "EUR"}  # fmt: skip
DOCUMENT_TYPES = {
    DocumentType.EVALUATION_REPORT: 30, DocumentType.POLICY_REPORT: 20,
    DocumentType.CASE_STUDY: 12, DocumentType.NEWS: 15, DocumentType.WEBSITE: 10,
    DocumentType.ACADEMIC_ARTICLE: 8, DocumentType.GUIDANCE: 3, DocumentType.OTHER: 2,
}  # fmt: skip
DESIGNS = [d for d in EvaluationDesign.values if d != EvaluationDesign.HISTORICAL]
ORG_KINDS = ["Foundation", "Trust", "Council", "Ministry", "Partners", "Capital",
             "Group", "Services", "Charity", "Institute", "Fund", "Agency", "Association",
             "Ventures"]  # fmt: skip
_WORD = re.compile(r"[A-Za-z][a-z]{2,}")


def vocabulary() -> tuple[list[str], list[int]]:
    """Words of the snapshot's prose (interventions, populations, challenges, outcome
    definitions, source names) with their counts, most frequent first."""
    counts: Counter[str] = Counter()
    for name, columns in (
        ("projects.csv", ("Purpose and classifications -", "Service and beneficiaries -")),
        ("projects_outcome_metrics.csv", ("Outcome Definition", "Target Population")),
        ("projects_sources.csv", ("Name",)),
    ):
        with open(SNAPSHOT / name, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for key, value in row.items():
                    if key and value and key.startswith(columns):
                        counts.update(w.lower() for w in _WORD.findall(value))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [w for w, _ in ranked], [c for _, c in ranked]


class Row:
    """A row to write: its columns as attributes, by attname (``project_id``). Much cheaper
    to make than a model instance (whose ``__init__`` was a fifth of the time)."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)

    if TYPE_CHECKING:  # any column may be set and read

        def __getattr__(self, name: str) -> Any: ...
        def __setattr__(self, name: str, value: Any) -> None: ...

    @property
    def pk(self) -> int:
        return self.__dict__["id"]


class BulkWriter:
    """Inserts rows in big batches, giving them ids first (so that rows can point at records
    not yet written), and resets the id sequences at the end. The values go to the database
    as Django would write them (``get_db_prep_save``; columns a row does not set get the
    field's default), without building model instances or compiling SQL per value: SQLite
    gets one ``executemany``, PostgreSQL a ``COPY`` (psycopg2's ``executemany`` is a round trip
    per row, and multi-row ``INSERT``s were still most of the time)."""

    # Fields whose values go to the database as they are (no conversion to do; amounts are
    # given as Decimal, which both drivers take as they are).
    PLAIN = (
        models.DecimalField,
        models.CharField,
        models.TextField,
        models.IntegerField,
        models.BooleanField,
        models.ForeignKey,
        models.AutoField,
        models.BigAutoField,
    )

    def __init__(self) -> None:
        self.next_id: dict[type[models.Model], int] = {}
        self.written: set[type[models.Model]] = set()
        self.plans: dict[type[models.Model], tuple] = {}

    def assign(self, model: type[models.Model], rows: list[Row]) -> None:
        if not rows:
            return
        if model not in self.next_id:
            last = model._default_manager.aggregate(last=models.Max("pk"))["last"] or 0
            self.next_id[model] = last + 1
        for row in rows:
            row.id = self.next_id[model]
            self.next_id[model] += 1

    def _plan(self, model: type[models.Model]) -> tuple:
        """The INSERT statement, each column's place, conversion and default."""
        if model in self.plans:
            return self.plans[model]
        fields = model._meta.concrete_fields
        now = timezone.now()
        real_connection = connections[connection.alias]  # not the per-thread proxy, per value
        place: dict[str, int] = {}
        convert: list[Callable[[Any], Any] | None] = []
        defaults: list[Any] = []
        for index, field in enumerate(fields):
            place[field.attname] = index
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                convert.append(None)
                defaults.append(field.get_db_prep_save(now, connection))
                continue
            if isinstance(field, self.PLAIN):
                convert.append(None)
            else:
                convert.append(partial(field.get_db_prep_save, connection=real_connection))
            defaults.append(field.get_db_prep_save(field.get_default(), connection))
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column or f.attname) for f in fields)
        table = quote(model._meta.db_table)
        if connection.vendor == "postgresql":
            # COPY's CSV: JSON as text (get_db_prep_save gives psycopg2 an adapter object).
            for index, field in enumerate(fields):
                if isinstance(field, models.JSONField):
                    convert[index] = json.dumps
                    defaults[index] = json.dumps(field.get_default())
            sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)"
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608  # nosec B608
        self.plans[model] = (sql, place, convert, defaults)
        return self.plans[model]

    def insert(self, model: type[models.Model], rows: list[Row]) -> int:
        if not rows:
            return 0
        if "id" not in rows[0].__dict__:
            self.assign(model, rows)
        sql, place, convert, defaults = self._plan(model)
        values = []
        for row in rows:
            line = defaults.copy()
            for name, value in row.__dict__.items():
                index = place[name]
                if value is not None and convert[index] is not None:
                    value = convert[index](value)
                line[index] = value
            values.append(line)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # In CSV, None is written unquoted (NULL to COPY), text quoted ("" is blank).
                data = io.StringIO()
                csv.writer(data, quoting=csv.QUOTE_STRINGS).writerows(values)
                data.seek(0)
                cursor.cursor.copy_expert(sql, data)
            else:
                cursor.executemany(sql, values)
        self.written.add(model)
        return len(rows)

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.written))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@contextmanager
def written_in_bulk(progress: Callable[[str], None]) -> Iterator[None]:
    """The database set for a bulk load while the rows are written. The full-text indexes
    of projects and documents are built once, at the end, instead of row by row: SQLite's
    FTS5 insert triggers are dropped and then made again by ``FullTextIndex.install()``,
    which rebuilds the index; PostgreSQL's GIN indexes on the two tables are dropped and
    created again from their definitions."""
    indexes = (PROJECTS, DOCUMENTS)
    tables = [index.table for index in indexes]
    saved: list[tuple[str, str]] = []
    pragmas: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # For the run: pages in memory rather than re-read (a 3 GB file, many indexes),
            # and commits without waiting for the disk (benchmark data; a crash means a new
            # run). The connection is the command's own; both are restored at the end.
            # (SQLite changes no safety level inside a transaction, a test's.)
            changed = {"cache_size": -262144}
            if not connection.in_atomic_block:
                changed["synchronous"] = 0  # OFF
            for name, value in changed.items():
                cursor.execute(f"PRAGMA {name}")
                pragmas[name] = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA {name} = {value}")
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)"
                " AND sql LIKE '%%AFTER INSERT%%'",
                tables,
            )
            prefixes = tuple(index.fts_table for index in indexes)
            for (name,) in cursor.fetchall():
                if name.startswith(prefixes):
                    cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN (%s, %s)"
                " AND indexdef LIKE '%%USING gin%%'",
                tables,
            )
            saved = cursor.fetchall()
            for name, _definition in saved:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        progress("building the full-text indexes")
        with connection.cursor() as cursor:
            if saved:
                # Inside a transaction (a test's), PostgreSQL alters no table with foreign
                # key checks still pending: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _name, definition in saved:
                cursor.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
        for index in indexes:
            index.install()
        with connection.cursor() as cursor:
            if saved:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for name, value in pragmas.items():
                cursor.execute(f"PRAGMA {name} = {int(value)}")


@dataclass
class Totals:
    projects: int = 0
    organisations: int = 0
    documents: int = 0
    rows: int = 0


class Generator:
    def __init__(self, *, seed: int, progress: Callable[[str], None] = lambda _msg: None):
        # Deterministic per seed on purpose: synthetic benchmark data, nothing secret.
        self.rng = random.Random(seed)  # noqa: S311  # nosec B311
        self.seed = seed
        self.progress = progress
        self.words, counts = vocabulary()
        self.word_weights = list(itertools.accumulate(counts))
        self.sentences: list[str] = []
        self.cumulative: dict[int, tuple[list, list]] = {}
        self.pool = SENTENCES
        self.totals = Totals()
        self.writer = BulkWriter()

    # -- drawing ------------------------------------------------------------------------------

    def pick(self, weights: dict) -> str:
        # The same draw as choices(weights=...), with the sums made once per table.
        if id(weights) not in self.cumulative:
            self.cumulative[id(weights)] = (
                list(weights),
                list(itertools.accumulate(weights.values())),
            )
        population, cumulative = self.cumulative[id(weights)]
        return self.rng.choices(population, cum_weights=cumulative)[0]

    def text(self, n: int) -> str:
        """About ``n`` words drawn with the snapshot's frequencies, in sentences of 15 (taken
        from a pool drawn once: a word at a time was a third of the time at scale)."""
        if not self.sentences:
            words = self.rng.choices(self.words, cum_weights=self.word_weights, k=15 * self.pool)
            for start in range(0, len(words), 15):
                sentence = " ".join(words[start : start + 15])
                self.sentences.append(sentence[:1].upper() + sentence[1:] + ".")
        return " ".join(self.rng.choices(self.sentences, k=max(1, round(n / 15))))

    def phrase(self, n: int) -> str:
        return " ".join(self.rng.choices(self.words[:600], k=n)).capitalize()

    # -- writing ------------------------------------------------------------------------------

    def run(self, *, projects: int, documents: int) -> Totals:
        # Enough sentences that texts rarely repeat one, few for a small run (the tests').
        self.pool = min(SENTENCES, 100 + 5 * (projects + documents))
        with written_in_bulk(self.progress):
            self._run(projects=projects, documents=documents)
        return self.totals

    def _run(self, *, projects: int, documents: int) -> None:
        first = self._first_number(Project)
        organisations = self._organisations(
            max(20, projects // 5), self._first_number(Organisation)
        )
        # Popularity of organisations: Zipf-like, so some take part in thousands of projects.
        self.org_weights = list(
            itertools.accumulate(1 / (rank + 1) for rank in range(len(organisations)))
        )
        self.organisations = organisations
        project_ids: list[int] = []
        sectors_of: dict[int, str] = {}
        for start in range(0, projects, BATCH):
            with transaction.atomic():
                made = self._projects(first + start, min(BATCH, projects - start))
            project_ids += [p.pk for p in made]
            sectors_of.update((p.pk, p.policy_sector) for p in made)
            self.progress(f"projects {start + len(made):,}/{projects:,}")
        self.next_source_position: dict[int, int] = {}
        for start in range(0, documents, BATCH):
            with transaction.atomic():
                self._documents(start, min(BATCH, documents - start), project_ids, sectors_of)
            self.progress(f"documents {min(start + BATCH, documents):,}/{documents:,}")
        self.writer.reset_sequences()
        refresh_evaluation_flags()
        refresh_party_flags()

    @staticmethod
    def _first_number(model) -> int:
        # Numbers after every INDIGO id in the database, so the data can join existing data.
        ids = model.objects.values_list("indigo_id", flat=True)
        numbers = [int(t) for i in ids if (t := i.rsplit("-", 1)[-1]).isdigit()]
        return max(numbers, default=0) + 1

    def _organisations(self, count: int, first: int) -> list[Row]:
        made = []
        for start in range(0, count, BATCH):
            batch = []
            for number in range(first + start, first + min(start + BATCH, count)):
                country = self.pick(COUNTRIES)
                name = f"{self.phrase(2)} {self.rng.choice(ORG_KINDS)} {number}"
                batch.append(
                    Row(
                        indigo_id=f"INDIGO-ORG-{number:04d}",
                        name=name,
                        country=country,
                        organisation_type=self.rng.choice(["Private", "Public", "Third sector"]),
                        description=self.text(25),
                        status=PublicationStatus.PUBLISHED,
                    )
                )
            with transaction.atomic():  # one commit a batch, not one a row (autocommit)
                self.writer.insert(Organisation, batch)
            made += batch
        self.totals.organisations += len(made)
        self.progress(f"organisations {len(made):,}")
        return made

    def _organisation(self) -> Row:
        return self.rng.choices(self.organisations, cum_weights=self.org_weights)[0]

    def _projects(self, first: int, count: int) -> list[Row]:
        rng = self.rng
        projects = []
        plans = []
        for number in range(first, first + count):
            country = self.pick(COUNTRIES)
            year = int(self.pick(YEARS))
            currency, rate = CURRENCIES[COUNTRY_CURRENCY.get(country, "USD")]
            amount = Decimal(round(rng.lognormvariate(14.5, 1.2), -3))
            ranged = rng.random() < 0.1
            usd = (amount * Decimal(str(rate))).quantize(Decimal(1))
            sector = self.pick(SECTORS)
            project = Row(
                indigo_id=f"INDIGO-POJ-{number:04d}",
                name=f"{self.phrase(3)} {PolicySector(sector).label.lower()} bond {number}",
                stage=self.pick(STAGES),
                policy_sector=sector,
                status=PublicationStatus.PUBLISHED,
                service_start=f"{year}-{rng.randint(1, 12):02d}",
                outcomes_contract_signed=f"{year - rng.randint(0, 1)}",
                capital_currency=currency if rng.random() < 0.86 else "",
                intervention=self.text(rng.randint(15, 40)),
                target_population=self.text(rng.randint(8, 20)),
                social_challenge=self.text(rng.randint(10, 30)),
                service_users_targeted=int(rng.lognormvariate(6, 1.5)),
                max_outcome_payment_currency=currency,
                max_outcome_payment=(amount * Decimal("1.2")).quantize(Decimal(1)),
                max_outcome_payment_usd=(usd * Decimal("1.2")).quantize(Decimal(1)),
            )
            if ranged:
                project.capital_amount_min, project.capital_amount_max = amount, amount * 2
                project.capital_usd_min, project.capital_usd_max = usd, usd * 2
            elif rng.random() < 0.86:
                project.capital_amount, project.capital_usd = amount, usd
            projects.append(project)
            plans.append((country, currency, Decimal(str(rate))))
        self.writer.assign(Project, projects)  # ids first: the rows below point at them
        rows: dict[type, list] = {m: [] for m in ROW_MODELS}
        texts: dict[int, list[str]] = {}
        results_of: set[int] = set()  # id() of the projects with a result
        for project, (country, currency, usd_rate) in zip(projects, plans, strict=True):
            texts[id(project)] = []
            self._rows(project, country, currency, usd_rate, rows, texts[id(project)], results_of)
        # Derived columns as cases.services.refresh_derived_fields computes them, set before
        # the insert so that the full-text index is written once.
        for project in projects:
            launch = next(
                (
                    date
                    for name in Project.LAUNCH_DATE_FIELDS
                    if (date := getattr(project, name, ""))
                ),
                "",
            )
            project.launch_year = int(launch[:4]) if launch else None
            project.capital_raised_usd = next(
                (
                    v
                    for name in ("capital_usd", "capital_usd_max", "capital_usd_min")
                    if (v := getattr(project, name, None)) is not None
                ),
                None,
            )
            project.has_results = id(project) in results_of
            parts = [
                project.intervention,
                project.target_population,
                project.social_challenge,
                *dict.fromkeys(texts[id(project)]),
            ]
            project.search_text = "\n".join(part for part in parts if part)
        self.writer.insert(Project, projects)
        for model in ROW_MODELS:
            self.totals.rows += self.writer.insert(model, rows[model])
        self.totals.projects += len(projects)
        return projects

    def _rows(self, project, country, currency, rate, rows, texts, results_of) -> None:
        rng = self.rng
        countries = [country] + ([self.pick(COUNTRIES)] if rng.random() < 0.3 else [])
        for position, place in enumerate(dict.fromkeys(countries)):
            rows[DeliveryLocation].append(
                Row(project_id=project.id, position=position, country=place)
            )
        # 3-10 roles: at least one outcome payer, investor and service provider.
        roles: list[type[Any]] = [OutcomePaymentCommitment, Investment, ServiceProvision]
        roles += rng.choices(
            [OutcomePaymentCommitment, Investment, ServiceProvision, IntermediaryService],
            weights=[3, 3, 3, 1],
            k=rng.randint(0, 7),
        )
        positions: Counter[type] = Counter()
        payers = []
        # What refresh_derived_fields puts into search_text, in its order: the metrics'
        # definitions, then the parties' names role by role (ROLES, then their tables).
        definitions: list[str] = []
        named: dict[type, list[str]] = {model: [] for model in PARTY_ORDER}
        for model in roles:
            organisation = self._organisation()
            row = Row(
                project_id=project.id,
                position=positions[model],
                organisation_id=organisation.id,
                organisation_ref=organisation.indigo_id,
            )
            positions[model] += 1
            if model is Investment:
                row.currency = currency
                row.amount = Decimal(round(rng.lognormvariate(13, 1), -3))
                row.amount_usd = (row.amount * rate).quantize(Decimal(1))
                row.investment_type = rng.choice(["Equity", "Loan", "Grant", "Guarantee"])
            elif model is OutcomePaymentCommitment:
                payers.append(organisation)
            rows[model].append(row)
            named[model].append(organisation.name)
        # 2-8 outcome metrics, each priced, most with a result, some paid.
        for position in range(rng.randint(2, 8)):
            local = f"M{position + 1}"
            definition = self.text(rng.randint(8, 20))
            definitions.append(definition)
            rows[OutcomeMetric].append(
                Row(
                    project_id=project.id,
                    position=position,
                    local_id=local,
                    definition=definition,
                    outcome_kind=outcome_kind(definition),
                    target_population=self.phrase(4),
                    service_users_targeted=rng.randint(50, 5000),
                    policy_sector=project.policy_sector,
                )
            )
            price = Decimal(rng.randint(100, 20000))
            rows[OutcomePricing].append(
                Row(
                    project_id=project.id,
                    position=position,
                    outcome_metric_ref=local,
                    currency=currency,
                    price_per_unit=price,
                    price_per_unit_usd=(price * rate).quantize(Decimal(1)),
                )
            )
            if rng.random() < 0.7:
                engaged = rng.randint(20, 4000)
                rows[Result].append(
                    Row(
                        project_id=project.id,
                        position=positions[Result],
                        outcome_metric_ref=local,
                        level=ResultLevel.OUTCOME,
                        result_type=rng.choice(ResultType.values),
                        period_start=project.service_start,
                        number_engaged=engaged,
                        number_positive=int(engaged * rng.random()),
                        outcomes_achieved=Decimal(int(engaged * rng.random())),
                    )
                )
                positions[Result] += 1
                results_of.add(id(project))
            if rng.random() < 0.6:
                amount = price * rng.randint(5, 400)
                rows[OutcomePayment].append(
                    Row(
                        project_id=project.id,
                        position=positions[OutcomePayment],
                        outcome_metric_ref=local,
                        payer_id=(payer := rng.choice(payers)).id,
                        payer_ref=payer.indigo_id,
                        payment_type=rng.choice(PaymentType.values),
                        currency=currency,
                        amount=amount,
                        amount_usd=(amount * rate).quantize(Decimal(1)),
                    )
                )
                positions[OutcomePayment] += 1
                named[OutcomePayment].append(payer.name)
        texts += definitions
        for model in PARTY_ORDER:
            texts += named[model]

    def _documents(self, start: int, count: int, project_ids, sectors_of) -> None:
        rng = self.rng
        documents = []
        for number in range(start, start + count):
            kind = self.pick(DOCUMENT_TYPES)
            evaluation = kind == DocumentType.EVALUATION_REPORT
            documents.append(
                Row(
                    key=f"{KEY_PREFIX}{self.seed}:{number}",
                    title=f"{self.phrase(rng.randint(4, 9))}",
                    url=f"https://example.org/reports/{self.seed}/{number}",
                    document_type=kind,
                    type_basis="synthetic",
                    publisher=self._organisation().name,
                    publication_date=f"{rng.randint(2012, 2025)}-{rng.randint(1, 12):02d}",
                    abstract=self.text(rng.randint(130, 170)),
                    text=self.text(rng.randint(400, 500)),
                    text_status=TextStatus.EXTRACTED,
                    language="en",
                    evaluation_design=rng.choice(DESIGNS) if evaluation else "",
                    evidence_rating=rng.randint(1, 5) if evaluation else None,
                    authors_text="; ".join(
                        f"{self.rng.choice(self.words[:2000]).capitalize()}, "
                        f"{chr(65 + rng.randrange(26))}."
                        for _ in range(rng.randint(1, 4))
                    ),
                    status=PublicationStatus.PUBLISHED,
                )
            )
        self.writer.insert(EvidenceDocument, documents)  # given ids: the links point at them
        links, sources, areas = [], [], []
        for document in documents:
            cited = rng.sample(project_ids, min(len(project_ids), rng.choice([1, 1, 1, 2, 3])))
            relation = (
                Relation.EVALUATION_OF
                if document.document_type == DocumentType.EVALUATION_REPORT
                else Relation.SOURCE_FOR
            )
            for project_id in cited:
                position = self.next_source_position.get(project_id, 0)
                self.next_source_position[project_id] = position + 1
                sources.append(
                    Row(
                        project_id=project_id,
                        position=position,
                        document_id=document.id,
                        local_id=f"source{position + 1}",
                        name=document.title,
                        source_type="Report",
                        url=document.url,
                        publication_date=document.publication_date,
                    )
                )
                links.append(
                    Row(
                        document_id=document.id,
                        project_id=project_id,
                        relation=relation,
                        from_indigo=True,
                    )
                )
            for area in dict.fromkeys(sectors_of[p] for p in cited):
                areas.append(Row(document_id=document.id, policy_area=area, from_indigo=True))
        for model, objects in (
            (ProjectSource, sources),
            (DocumentProject, links),
            (DocumentPolicyArea, areas),
        ):
            self.totals.rows += self.writer.insert(model, objects)
        self.totals.documents += len(documents)


# The tables naming parties, in the order of cases.roles.ROLES and their sources.
PARTY_ORDER = [
    OutcomePaymentCommitment,
    OutcomePayment,
    Investment,
    ServiceProvision,
    IntermediaryService,
]
ROW_MODELS = [
    DeliveryLocation,
    OutcomePaymentCommitment,
    Investment,
    ServiceProvision,
    IntermediaryService,
    OutcomeMetric,
    OutcomePricing,
    Result,
    OutcomePayment,
]


def generate(
    *, projects: int, documents: int, seed: int, progress: Callable[[str], None] = lambda _m: None
) -> Totals:
    """Write ``projects`` projects and ``documents`` documents drawn from ``seed``."""
    return Generator(seed=seed, progress=progress).run(projects=projects, documents=documents)
