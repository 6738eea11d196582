"""A project's dates, declared once on Project (DATE_FIELDS, LAUNCH_DATE_FIELDS): the case
page's timeline, the publication check, the data-quality report and the launch year all read
them from there. No database needed."""

from __future__ import annotations

from cases.models import Project


def test_the_timeline_lists_the_known_dates_earliest_first_with_their_labels():
    project = Project(
        service_start="2016-07",
        outcomes_contract_signed="2016-03-14",
        anticipated_completion="2021",
        actual_service_end="",
    )
    assert project.timeline() == [
        {"label": "Outcomes contract signed", "date": "2016-03-14"},
        {"label": "Service provision started", "date": "2016-07"},
        {"label": "Anticipated completion", "date": "2021"},
    ]


def test_equal_dates_keep_the_order_of_a_contracts_life():
    project = Project(actual_completion="2020", all_contracts_signed="2020")
    assert [event["label"] for event in project.timeline()] == [
        "All contracts signed",
        "Completed",
    ]


def test_every_date_field_is_a_field_of_project_with_a_label():
    names = {field.name for field in Project._meta.get_fields()}
    assert set(Project.DATE_FIELDS) <= names
    assert set(Project.LAUNCH_DATE_FIELDS) <= set(Project.DATE_FIELDS)
    assert all(Project.DATE_FIELDS.values())


def test_a_project_without_dates_has_none_and_needs_one_to_be_published():
    assert Project().timeline() == []
    assert not Project().has_a_date()
    assert Project(anticipated_service_end="2030").has_a_date()


def test_the_launch_year_is_the_service_start_else_a_contract_signature():
    assert (
        Project(service_start="2017-01", outcomes_contract_signed="2016").launch_year_from_dates()
        == 2017
    )
    assert Project(all_contracts_signed="2015-11-02").launch_year_from_dates() == 2015
    assert Project(actual_completion="2020").launch_year_from_dates() is None
