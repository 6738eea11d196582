"""The system check on the INDIGO layout (cases.checks): the real layout passes, a broken one
is named column by column, and the check runs with Django's own. No database needed."""

from __future__ import annotations

from django.apps import apps
from django.core.checks.registry import registry

from cases import checks as layout_checks
from cases.indigo import tables
from cases.indigo.layout import FUND, MONEY, MONEY_AS_WRITTEN, PARENT, STR, Choice, Table
from cases.models import ResultType, Stage
from evidence.interchange import TABLES as EVIDENCE_TABLES

BROKEN = Table(
    "projects_results.csv",
    "cases.Result",
    parent="project",
    columns=[
        ("Project ID", "project", PARENT),
        ("Renamed", "no_such_field", STR),
        ("Start", "period_start", MONEY),
        ("Type", "result_type", Choice(Stage)),
        ("Achieved", "number_engaged", MONEY_AS_WRITTEN),
    ],
)


def _ids(errors):
    return [error.id for error in errors]


def test_the_layouts_of_both_apps_pass_the_check():
    assert layout_checks.check_tables(tables.TABLES) == []
    assert layout_checks.check_tables(EVIDENCE_TABLES) == []


def test_a_column_whose_field_is_missing_or_of_the_wrong_kind_is_an_error():
    errors = layout_checks.check_tables([BROKEN])
    messages = [error.msg for error in errors]
    assert _ids(errors) == ["cases.E103", "cases.E104", "cases.E105", "cases.E104"]
    assert "cases.Result.no_such_field, which does not exist" in messages[0]
    assert (
        "cases.Result.period_start, a PartialDateField, which is not a DecimalField"
        in (messages[1])
    )
    assert "does not have the choices of Stage" in messages[2]
    # An as-written column needs its value field of the right kind as well as its _text field.
    assert "cases.Result.number_engaged, a BigIntegerField" in messages[3]
    assert all(error.obj is BROKEN.model for error in errors)


def test_a_reference_to_the_wrong_table_and_a_wrong_owner_are_errors():
    table = Table(
        "projects_outcome_payments.csv",
        "cases.OutcomePayment",
        parent="project",
        columns=[("Fund ID", "fund", PARENT), ("Payer", "payer", FUND)],
    )
    errors = layout_checks.check_tables([table])
    assert _ids(errors) == ["cases.E102", "cases.E103", "cases.E105"]
    assert "links to cases.Organisation, not cases.OutcomeFund" in errors[2].msg


def test_a_table_of_an_unknown_model_is_an_error():
    table = Table("gone.csv", "cases.Gone", parent="-", columns=[("ID", "indigo_id", "pojid")])
    assert _ids(layout_checks.check_tables([table])) == ["cases.E101"]


def test_the_check_is_registered_with_djangos_checks(monkeypatch):
    assert layout_checks.check_indigo_layout in registry.get_checks()
    assert layout_checks.check_indigo_layout() == []
    monkeypatch.setattr(tables, "TABLES", [*tables.TABLES, BROKEN])
    errors = layout_checks.check_indigo_layout(app_configs=None)
    assert _ids(errors) == ["cases.E103", "cases.E104", "cases.E105", "cases.E104"]
    # `manage.py check evidence` does not check the case tables.
    assert layout_checks.check_indigo_layout(app_configs=[apps.get_app_config("evidence")]) == []


def test_the_code_list_of_a_choice_column_is_checked_against_its_field():
    table = Table(
        "projects_results.csv",
        "cases.Result",
        parent="project",
        columns=[("Project ID", "project", PARENT), ("Type", "result_type", Choice(ResultType))],
    )
    assert layout_checks.check_tables([table]) == []
