"""Plain-Python parsing of INDIGO cell values: amounts, currencies, id lists (partial dates:
``common.partial_dates``).

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
