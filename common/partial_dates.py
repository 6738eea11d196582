"""Partial dates: ``2016``, ``2016-07`` or ``2016-07-14``, parsed from the ways real data
writes them and kept with their precision. Plain Python; nothing here needs Django."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day: ``2016``, ``2016-07``, ``2016-07-14``.

    Stored as that ISO text, so it sorts correctly and keeps its precision.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1800 <= self.year <= 2200:
            raise ValueError(f"year {self.year} is out of range (1800-2200)")
        if self.month is None and self.day is not None:
            raise ValueError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1-12")
        if self.day is not None:
            import calendar

            last = calendar.monthrange(self.year, self.month or 1)[1]
            if not 1 <= self.day <= last:
                raise ValueError(f"day {self.day} does not exist in {self.year}-{self.month:02d}")

    def sort_key(self) -> tuple[int, int, int]:
        # A year alone sorts before any month of it, as its ISO text does.
        return (self.year, self.month or 0, self.day or 0)

    def __lt__(self, other: PartialDate) -> bool:
        return self.sort_key() < other.sort_key()

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def isoformat(self) -> str:
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
        if self.day:
            text += f"-{self.day:02d}"
        return text

    __str__ = isoformat

    def display(self) -> str:
        import calendar

        if self.day:
            return f"{self.day} {calendar.month_name[self.month or 1]} {self.year}"
        if self.month:
            return f"{calendar.month_name[self.month]} {self.year}"
        return str(self.year)


_MONTHS = {
    name.lower(): number
    for number, names in enumerate(
        [
            (),
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_ISO_DATE = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?$")
_ISO_DATETIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"([A-Za-z]+)\.?"
_WORDY_DATES = [
    (re.compile(rf"^{_DAY}\s+{_MONTH},?\s+(\d{{4}})$"), ("d", "m", "y")),  # 6th December 2024
    (re.compile(rf"^{_MONTH}\s+{_DAY},?\s+(\d{{4}})$"), ("m", "d", "y")),  # July 27, 2022
    (re.compile(rf"^(\d{{4}})\s+{_MONTH}\s+{_DAY}$"), ("y", "m", "d")),  # 2023 Apr 1
    (re.compile(rf"^(\d{{4}})-(\d{{1,2}})-{_MONTH}$"), ("y", "d", "m")),  # 2023-01-Apr
    (re.compile(rf"^{_MONTH},?\s+(\d{{4}})$"), ("m", "y")),  # March 2021
]


def parse_partial_date(raw: str) -> PartialDate | None:
    """Read ``2016``, ``2016-07``, ``2016-07-14`` (or ``/`` separators, a time of day, or a
    spelled-out month such as ``6th December 2024``). Empty gives ``None``."""
    text = raw.strip()
    if not text:
        return None
    datetime_match = _ISO_DATETIME.match(text)
    if datetime_match:
        text = datetime_match.group(1)
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(g) if g else None for g in match.groups())
        return PartialDate(year, month, day)  # type: ignore[arg-type]
    for pattern, order in _WORDY_DATES:
        match = pattern.match(text)
        if not match:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        month = _MONTHS.get(parts["m"].lower())
        if month is None:
            raise ValueError(f"{parts['m']!r} is not a month name")
        day = int(parts["d"]) if "d" in parts else None
        return PartialDate(int(parts["y"]), month, day)
    raise ValueError(f"{raw.strip()!r} is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)")


def partial_date_from_db(text: str) -> PartialDate | None:
    return parse_partial_date(text) if text else None
