"""What every app's models share: the publication status and its workflow log, field types
for partial dates, money and codes, and the named check constraint of a code list."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from common.partial_dates import parse_partial_date


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


def choice_check(
    prefix: str, field: str, choices: type[models.TextChoices]
) -> models.CheckConstraint:
    """The database refuses a value outside the code list (blank means not recorded)."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": [*choices.values, ""]}),
        name=f"{prefix}_{field}_valid",
    )


def validate_partial_date(value: str) -> None:
    from django.core.exceptions import ValidationError

    try:
        parsed = parse_partial_date(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if parsed is not None and parsed.isoformat() != value:
        raise ValidationError(f"write the date as {parsed.isoformat()}")


class DefaultsMixin:
    """A field type with its own defaults, which migrations need not repeat (they are
    left out of ``deconstruct()`` while unchanged)."""

    defaults: ClassVar[dict[str, object]] = {}

    def __init__(self, *args, **kwargs):
        for key, value in self.defaults.items():
            kwargs.setdefault(key, value)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key, value in self.defaults.items():
            if key in kwargs and kwargs[key] == value:
                del kwargs[key]
        return name, path, args, kwargs


class PartialDateField(DefaultsMixin, models.CharField):
    """``2016``, ``2016-07`` or ``2016-07-14``: sorts as text and keeps its precision."""

    defaults: ClassVar[dict[str, object]] = {
        "max_length": 10,
        "blank": True,
        "validators": [validate_partial_date],
        "help_text": "YYYY, YYYY-MM or YYYY-MM-DD, as precise as known.",
    }


if TYPE_CHECKING:
    from decimal import Decimal

    from django.db.models.expressions import Combinable

    # AmountField is nullable through its defaults, which the type checker cannot see.
    _NullableDecimalField = models.DecimalField[
        str | float | Decimal | Combinable | None, Decimal | None
    ]
else:
    _NullableDecimalField = models.DecimalField


class AmountField(DefaultsMixin, _NullableDecimalField):
    """A money amount or count: up to 15 digits before the point and 4 after."""

    defaults: ClassVar[dict[str, object]] = {
        "max_digits": 19,
        "decimal_places": 4,
        "null": True,
        "blank": True,
    }


class CurrencyField(DefaultsMixin, models.CharField):
    """An ISO 4217 currency code."""

    defaults: ClassVar[dict[str, object]] = {
        "max_length": 3,
        "blank": True,
        "validators": [RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code.")],
    }


class CountryField(DefaultsMixin, models.CharField):
    """An ISO 3166-1 alpha-2 country code."""

    defaults: ClassVar[dict[str, object]] = {
        "max_length": 2,
        "blank": True,
        "validators": [RegexValidator(r"^[A-Z]{2}$", "Use a two-letter ISO 3166 code.")],
    }


class SourceIdsField(DefaultsMixin, models.TextField):
    """The ids of the project's sources that back a section: ``source1,source7``."""

    defaults: ClassVar[dict[str, object]] = {"blank": True}


class AsWrittenField(DefaultsMixin, models.TextField):
    """The cell as written beside a typed value (``price_text`` beside ``price``), kept when
    the cell is not a plain value (``"£1,000 per person"``); blank when it is. Its label
    comes from its name: ``price_text`` is "price as given"."""

    defaults: ClassVar[dict[str, object]] = {
        "blank": True,
        "help_text": "The cell as written when it is not a plain value.",
    }

    def set_attributes_from_name(self, name: str) -> None:
        if self.verbose_name is None and name:
            self.verbose_name = f"{name.removesuffix('_text').replace('_', ' ')} as given"
        super().set_attributes_from_name(name)


# ---------------------------------------------------------------------------------------------
# Publication


class Publishable(models.Model):
    """A record with a publication status (see ``common.workflow``): made here it starts as
    a draft; only published ones are shown anywhere public."""

    status = models.CharField(
        max_length=20, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class StatusChange(models.Model):
    """A step of the publication workflow: who moved which record from what to what, when,
    and why. Kept for projects and evidence documents alike."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    from_status = models.CharField(max_length=20, choices=PublicationStatus.choices)
    to_status = models.CharField(max_length=20, choices=PublicationStatus.choices)
    user = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # The workflow log of one record, newest first.
            models.Index(
                fields=["content_type", "object_id", "at"], name="statuschange_record_idx"
            ),
        ]
        constraints = [
            choice_check("statuschange", "from_status", PublicationStatus),
            choice_check("statuschange", "to_status", PublicationStatus),
        ]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status} at {self.at:%Y-%m-%d %H:%M}"
