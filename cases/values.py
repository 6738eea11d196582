"""Plain-Python parsing of INDIGO cell values: partial dates, amounts, currencies, id lists.

Nothing here needs Django. Each parser takes the raw cell text and returns a clean value, or
raises ``ValueError`` with a reason a curator can act on. Quirks that the real INDIGO
snapshots contain and that have one sensible reading are accepted; the caller may report a
warning for them through the ``Parsed.warning`` field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

# ---------------------------------------------------------------------------------------------
# Partial dates


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


# ---------------------------------------------------------------------------------------------
# Numbers and money

_SCALE_WORDS = {
    "k": Decimal(1_000),
    "thousand": Decimal(1_000),
    "m": Decimal(1_000_000),
    "mn": Decimal(1_000_000),
    "million": Decimal(1_000_000),
    "millions": Decimal(1_000_000),
    "bn": Decimal(1_000_000_000),
    "billion": Decimal(1_000_000_000),
}
_CURRENCY_MARKS = re.compile(r"^(?:[A-Z]{3}|[A-Z]{1,2}?\$|[$£€¥₩₪₹R])\s*|\s*(?:[A-Z]{3})$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
MAX_AMOUNT = Decimal("1e15")


@dataclass(frozen=True)
class Parsed:
    value: Any
    warning: str = ""


def parse_decimal(raw: str, *, money: bool = False) -> Parsed:
    """Read a number: ``1234.5``, ``1,234,567``, ``1 234``; for money also ``$10,000,000``,
    ``¥9.76 million``, ``GBP 5m``. A cell holding only a currency mark is empty (warned)."""
    text = raw.strip().replace("\u00a0", " ")
    if not text:
        return Parsed(None)
    original = text
    warning = ""
    if money:
        stripped = _CURRENCY_MARKS.sub("", text).strip()
        if stripped != text:
            warning = f"currency mark removed from amount {original!r}"
            text = stripped
        if not text:
            return Parsed(None, f"amount {original!r} holds no number; left empty")
    scale = Decimal(1)
    words = text.rsplit(None, 1)
    suffix = re.match(r"^(.*\d)\s*([A-Za-z]+)$", text)
    if suffix and suffix.group(2).lower() in _SCALE_WORDS:
        text, scale = suffix.group(1), _SCALE_WORDS[suffix.group(2).lower()]
        warning = f"amount {original!r} read as {suffix.group(1)} × {scale:,}"
    elif len(words) == 2 and words[1].lower() in _SCALE_WORDS:
        text, scale = words[0], _SCALE_WORDS[words[1].lower()]
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    elif re.match(r"^\d{1,3}(?: \d{3})+(?:\.\d+)?$", text):
        text = text.replace(" ", "")
    if not _NUMBER.match(text):
        raise ValueError(f"{original!r} is not a number")
    try:
        value = Decimal(text) * scale
    except InvalidOperation:
        raise ValueError(f"{original!r} is not a number") from None
    if abs(value) >= MAX_AMOUNT:
        raise ValueError(f"{original!r} is too large")
    if value != value.to_integral_value():
        value = value.quantize(Decimal("0.0001")).normalize()
    else:
        value = value.quantize(Decimal(1))
    return Parsed(value, warning)


def parse_integer(raw: str) -> Parsed:
    """Whole numbers such as counts of service users: ``1200``, ``1,200``, ``1200.0``."""
    parsed = parse_decimal(raw)
    if parsed.value is None:
        return parsed
    if parsed.value != parsed.value.to_integral_value():
        raise ValueError(f"{raw.strip()!r} is not a whole number")
    if abs(parsed.value) > 2**31 - 1:
        raise ValueError(f"{raw.strip()!r} is too large")
    return Parsed(int(parsed.value), parsed.warning)


def format_decimal(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize(), "f")
    return text


# ---------------------------------------------------------------------------------------------
# Currencies (ISO 4217)

ISO_4217 = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
    MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
    SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH
    UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL
    """.split()
)

# Spelled-out names seen in INDIGO files, and common others, folded to lower case.
CURRENCY_NAMES = {
    "pound": "GBP",
    "pounds": "GBP",
    "pound sterling": "GBP",
    "sterling": "GBP",
    "british pound": "GBP",
    "euro": "EUR",
    "euros": "EUR",
    "us dollar": "USD",
    "us dollars": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "canadian dollar": "CAD",
    "canadian dollars": "CAD",
    "australian dollar": "AUD",
    "australian dollars": "AUD",
    "nz dollar": "NZD",
    "new zealand dollar": "NZD",
    "russian ruble": "RUB",
    "russian rubles": "RUB",
    "russian rouble": "RUB",
    "japanese yen": "JPY",
    "yen": "JPY",
    "israeli new shekel": "ILS",
    "israeli new shekels": "ILS",
    "shekel": "ILS",
    "south african rand": "ZAR",
    "rand": "ZAR",
    "south korean won": "KRW",
    "korean won": "KRW",
    "won": "KRW",
    "swedish": "SEK",
    "swedish krona": "SEK",
    "swedish kronor": "SEK",
    "swiss franc": "CHF",
    "swiss francs": "CHF",
    "danish krone": "DKK",
    "danish kroner": "DKK",
    "norwegian krone": "NOK",
    "indian rupee": "INR",
    "indian rupees": "INR",
    "colombian peso": "COP",
    "colombian pesos": "COP",
    "chilean peso": "CLP",
    "argentine peso": "ARS",
    "mexican peso": "MXN",
    "brazilian real": "BRL",
    "uae dirham": "AED",
    "dirham": "AED",
}


def parse_currency(raw: str) -> Parsed:
    """An ISO 4217 code, or a spelled-out name that has exactly one reading."""
    text = " ".join(raw.split())
    if not text:
        return Parsed("")
    if text.upper() in ISO_4217 and len(text) == 3:
        if text != text.upper():
            return Parsed(text.upper(), f"currency {text!r} read as {text.upper()}")
        return Parsed(text)
    code = CURRENCY_NAMES.get(text.lower())
    if code:
        return Parsed(code, f"currency {text!r} read as {code}")
    raise ValueError(f"{text!r} is not an ISO 4217 currency code or a known currency name")


# ---------------------------------------------------------------------------------------------
# Identifiers and lists

INDIGO_ID = re.compile(r"^INDIGO-(POJ|ORG|FUND|PL)-\d{4,}$")


def clean_id(raw: str) -> str:
    """Ids sometimes carry stray whitespace (a trailing tab): drop it."""
    return "".join(raw.split())


def parse_id_list(raw: str) -> list[str]:
    """``INDIGO-ORG-0001, INDIGO-ORG-0002`` (commas, semicolons or line breaks) → ids."""
    return [clean_id(part) for part in re.split(r"[,;\n]+", raw) if clean_id(part)]


def parse_indigo_id(raw: str, kind: str) -> str:
    value = clean_id(raw)
    if not value:
        return ""
    if not INDIGO_ID.match(value) or value.split("-")[1] != kind:
        raise ValueError(f"{raw.strip()!r} is not an INDIGO-{kind}-NNNN identifier")
    return value


def clean_text(raw: str) -> str:
    """Trim a cell; keep inner line breaks (they carry meaning in long text)."""
    return raw.replace("\r\n", "\n").strip()
