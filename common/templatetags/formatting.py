"""Formatting for case data: money with its currency, partial dates, countries."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django_countries import countries

from common.partial_dates import partial_date_from_db

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    """``GBP 5,000,000``; decimals only when there are any; empty when unknown."""
    if amount is None:
        return ""
    value = Decimal(amount)
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    return f"{currency} {text}".strip()


@register.filter
def usd(amount: Decimal | None) -> str:
    """USD conversions are approximate: whole dollars."""
    if amount is None:
        return ""
    return money(Decimal(amount).quantize(Decimal(1)), "USD")


@register.filter
def partial_date(value: str) -> str:
    """``2016-07`` → ``July 2016``, keeping the precision the source gave."""
    try:
        parsed = partial_date_from_db(value or "")
    except ValueError:
        return value
    return parsed.display() if parsed else ""


@register.filter
def country_name(code: str) -> str:
    return countries.name(code) or code


@register.filter
def number(value) -> str:
    """A count or amount as recorded: ``5,358`` (not ``5,358.0000``), ``12.5``; grouped."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal | float):
        if value == int(value):
            return f"{int(value):,}"
        if isinstance(value, Decimal):
            return f"{value.normalize():,f}"
    return f"{value:,}"


@register.filter
def percent(value) -> str:
    """A share (0.85) as a whole percentage ("85%"); above 1 it reads as more than 100%."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):.0%}"


@register.filter
def whole(value) -> str:
    """A number rounded to a whole one, grouped: for spans of money."""
    if value is None:
        return ""
    return f"{round(value):,}"


@register.filter
def web_url(value: str) -> str:
    """Only http(s) addresses become links; anything else (``javascript:``, ``data:``) is
    dropped."""
    text = (value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


@register.filter
def sanitised(value: str):
    """Curated rich text: cleaned when saved, and cleaned again here, so only the allowed
    tags and safe links ever reach the page."""
    from django.utils.safestring import mark_safe

    from common.richtext import sanitise_html

    return mark_safe(sanitise_html(value or ""))  # noqa: S308 - nh3 output  # nosec B308, B703
