from __future__ import annotations

from decimal import Decimal

import pytest

from cases.indigo.values import (
    clean_id,
    parse_currency,
    parse_decimal,
    parse_id_list,
    parse_indigo_id,
    parse_integer,
)
from common.partial_dates import PartialDate, parse_partial_date


@pytest.mark.parametrize(
    ("raw", "iso", "precision"),
    [
        ("2016", "2016", "year"),
        ("2016-07", "2016-07", "month"),
        ("2016-7", "2016-07", "month"),
        ("2016-07-14", "2016-07-14", "day"),
        ("2023/07", "2023-07", "month"),
        (" 2019-01-31T00:00:00Z ", "2019-01-31", "day"),
        ("6th December 2024", "2024-12-06", "day"),
        ("July 27, 2022", "2022-07-27", "day"),
        ("Sept 28 2022", "2022-09-28", "day"),
        ("2023 Apr 1", "2023-04-01", "day"),
        ("2023-01-Apr", "2023-04-01", "day"),
        ("March 2021", "2021-03", "month"),
    ],
)
def test_partial_dates_keep_their_precision(raw, iso, precision):
    parsed = parse_partial_date(raw)
    assert parsed.isoformat() == iso
    assert parsed.precision == precision


@pytest.mark.parametrize("raw", ["2018-13", "2023-28", "2021-02-30", "current", "Q4-2021", "99"])
def test_impossible_or_vague_dates_are_refused_with_a_reason(raw):
    with pytest.raises(ValueError, match=r"\S"):
        parse_partial_date(raw)


def test_empty_date_is_none():
    assert parse_partial_date("  ") is None


def test_partial_dates_sort_and_display():
    assert sorted([PartialDate(2016, 7), PartialDate(2016), PartialDate(2015, 12, 1)]) == [
        PartialDate(2015, 12, 1),
        PartialDate(2016),
        PartialDate(2016, 7),
    ]
    assert PartialDate(2016, 7).display() == "July 2016"
    assert PartialDate(2016, 7, 4).display() == "4 July 2016"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("9000000", Decimal(9000000)),
        ("6897830.457", Decimal("6897830.457")),
        ("1,234,567", Decimal(1234567)),
        ("1 234 567", Decimal(1234567)),
        ("$10,000,000", Decimal(10000000)),
        ("¥9.76 million", Decimal(9760000)),
        ("C$1.16M", Decimal(1160000)),
        ("GBP 5m", Decimal(5000000)),
        ("-12.5", Decimal("-12.5")),
    ],
)
def test_money_amounts_are_read_from_real_world_spellings(raw, value):
    assert parse_decimal(raw, money=True).value == value


def test_a_lone_currency_mark_is_an_empty_amount_with_a_warning():
    parsed = parse_decimal("$", money=True)
    assert parsed.value is None
    assert "no number" in parsed.warning


@pytest.mark.parametrize("raw", ["lots", "=D41-D36", "12 (estimate)", "1e400", "NaN", "1,2,3"])
def test_non_numbers_are_refused(raw):
    with pytest.raises(ValueError):
        parse_decimal(raw, money=True)


def test_integers_refuse_fractions():
    assert parse_integer("1,200").value == 1200
    with pytest.raises(ValueError, match="whole number"):
        parse_integer("12.5")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("GBP", "GBP"),
        ("GBP ", "GBP"),
        ("gbp", "GBP"),
        ("Russian Ruble", "RUB"),
        ("Russian rubles", "RUB"),
        ("Japanese Yen", "JPY"),
        ("Israeli new shekels", "ILS"),
        ("South African Rand", "ZAR"),
        ("South Korean Won", "KRW"),
        ("NZ dollar", "NZD"),
        ("Swedish", "SEK"),
        ("Swiss Francs", "CHF"),
    ],
)
def test_currencies_become_iso_codes(raw, code):
    assert parse_currency(raw).value == code


def test_unknown_currency_is_refused():
    with pytest.raises(ValueError, match="ISO 4217"):
        parse_currency("Moon dollars")


def test_ids_lose_stray_whitespace_and_lists_split():
    assert clean_id("INDIGO-FUND-0007\t") == "INDIGO-FUND-0007"
    assert parse_id_list("INDIGO-ORG-0171, INDIGO-ORG-1100,INDIGO-ORG-0002\n") == [
        "INDIGO-ORG-0171",
        "INDIGO-ORG-1100",
        "INDIGO-ORG-0002",
    ]
    assert parse_indigo_id(" INDIGO-POJ-0153 ", "POJ") == "INDIGO-POJ-0153"
    assert parse_indigo_id("INDIGO-POJ-12345", "POJ") == "INDIGO-POJ-12345"
    with pytest.raises(ValueError):
        parse_indigo_id("INDIGO-ORG-0001", "POJ")
