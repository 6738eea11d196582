"""Reading INDIGO's free-text source strings into structured citations.

INDIGO cites its sources as strings written by many hands over years: ``Evaluation of the
Fair Chance Fund Final Report (ICF, 2019) page 9``, ``Social Ventures Australia Aspire Social
Impact Bond Annual Investor report, 2018 p. 3 accessed on 24/07/2019 at https://...``,
``Email correspondence with ... on 23/05/2022``, ``Hack and Learn - August 2021``. This module
takes such a string (and the structured columns INDIGO has beside it, which always win) apart
into a title, authors, publisher, date, URL, accessed date, locator, a document type and an
evaluation design, each only where the input says so: nothing is guessed that was not read.

A string that cites several sources (``X page 16 and Y page 117``, ``X; Y``) gives the first
as the citation and the others in ``ParsedCitation.others``. Plain Python, no Django.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import probablepeople  # type: ignore[import-untyped]
from dateparser.date import DateDataParser  # type: ignore[import-untyped]
from nameparser import HumanName

from common.partial_dates import parse_partial_date

DOCUMENT_TYPES = (
    "evaluation-report",
    "academic-article",
    "policy-report",
    "case-study",
    "contract-or-legal",
    "news-or-press-release",
    "website",
    "data-set",
    "correspondence",
    "other",
)
DESIGNS = ("rct", "quasi-experimental", "pre-post", "outcome-validation", "qualitative", "process")


@dataclass(frozen=True)
class ParsedAuthor:
    name: str  # a person as "Family, Given"; an organisation as written
    kind: str  # "person" or "organisation"


@dataclass(frozen=True)
class ParsedCitation:
    original: str
    title: str
    authors: tuple[ParsedAuthor, ...]
    publisher: str
    year: int | None
    date: str
    url: str
    archive_url: str
    accessed: str
    locator: str
    document_type: str
    type_basis: str
    design: str
    design_basis: str
    # Beyond the agreed interface:
    publisher_ids: tuple[str, ...] = ()  # INDIGO organisation ids given as the publisher
    container: str = ""  # the journal an article appeared in
    language: str = ""  # from language_hint, or a note such as "(Dutch)" in the string
    others: tuple[ParsedCitation, ...] = ()  # further sources cited in the same string


# --------------------------------------------------------------------------- URLs

_URL_RE = re.compile(r"(?:https?://|file:/+|www\.)[^\s<>\"“”]+", re.IGNORECASE)
_TRACKING_PARAMS = re.compile(
    r"^(?:utm_\w+|gclid|fbclid|_ga|_gl|mc_cid|mc_eid|mtime|focal|ref|ved|usg|sa|esrc|"
    r"source|cd|rct|q|hsenc|_hsenc|_hsmi)$",
    re.IGNORECASE,
)


def _clean_url(raw: str) -> str:
    url = raw.strip()
    # Trailing punctuation belongs to the sentence, unless it closes a bracket of the URL.
    while url and url[-1] in ".,;:'’\"”»]>":
        url = url[:-1]
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1]
    return url


# Django's storage adds "_" and 7 random letters and digits to a name already taken
# ("_gCHRwYY"); a capitalised or lower-case word ("_Project", "_summary") is not one.
_STORAGE_SUFFIX = re.compile(
    r"_(?=[A-Za-z0-9]{7}\.)(?![A-Z][a-z]{6}\.)(?=[a-z0-9]*[A-Z0-9])[A-Za-z0-9]{7}(\.[a-z0-9]+)$"
)


def normalise_url(url: str) -> str:
    """A URL for matching: no scheme, no ``www.``, lower-case host, no trailing slash, no
    fragment, no tracking parameters; a Google redirect is unwrapped."""
    text = _clean_url(url)
    if not text:
        return ""
    if not re.match(r"^[a-z][a-z0-9+.-]*:", text, re.IGNORECASE):
        text = "http://" + text
    parts = urlsplit(text)
    if parts.netloc.lower().endswith("google.com") and parts.path == "/url":
        target = dict(parse_qsl(parts.query)).get("url")
        if target:
            return normalise_url(target)
    host = parts.netloc.lower()
    with contextlib.suppress(UnicodeError):  # вэб.рф and xn--90ab5f.xn--p1ai are one host
        host = host.encode("idna").decode("ascii")
    host = host.removeprefix("www.")
    if host.endswith(":80") or host.endswith(":443"):
        host = host.rsplit(":", 1)[0]
    path = unquote(parts.path).rstrip("/")
    if host == "golab.bsg.ox.ac.uk" and path.startswith("/documents/"):
        # GO Lab's site stores an upload under a new name when the name is taken
        # ("report_gCHRwYY.pdf"): the same file under both names is one address.
        path = _STORAGE_SUFFIX.sub(r"\1", path)
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING_PARAMS.match(key)
    ]
    result = host + path
    if query:
        result += "?" + urlencode(query)
    return result


# --------------------------------------------------------------------------- titles


def _fold(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def normalise_title(title: str) -> str:
    """A title for matching: case-folded, accents folded, punctuation and spaces collapsed."""
    text = _fold(title).casefold().replace("&", " and ")
    text = re.sub(r"[\W_]+", " ", text)
    return " ".join(text.split())


# --------------------------------------------------------------------------- dates

_LANGUAGES = ["en", "fr", "es", "pt", "nl", "de", "it", "fi", "da"]


@lru_cache(maxsize=4096)
def _parse_date(raw: str) -> str:
    """A partial ISO date from a date as written, or "" when it cannot be read."""
    text = raw.strip().strip(".,;()[]").strip()
    if not text or not re.search(r"\d", text):
        return ""
    text = re.sub(r"(?i)\bsept\b", "Sep", text)
    try:
        parsed = parse_partial_date(text)
    except ValueError:
        parsed = None
    if parsed is not None:
        return parsed.isoformat()
    match = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})", text)
    if match:  # day first, as the data writes it; month first when the day cannot be one
        day, month, year = (int(g) for g in match.groups())
        if month > 12 >= day:
            day, month = month, day
        year += 2000 if year < 100 else 0
        try:
            from datetime import date

            return date(year, month, day).isoformat()
        except ValueError:
            return ""
    match = re.fullmatch(r"(\d{1,2})[./](\d{4})", text)
    if match and 1 <= int(match.group(1)) <= 12:
        return f"{match.group(2)}-{int(match.group(1)):02d}"
    data = _DATE_PARSER.get_date_data(text)
    if data.date_obj is None:
        return ""
    found = data.date_obj
    if not 1900 <= found.year <= 2100:
        return ""
    if data.period == "year":
        return f"{found.year:04d}"
    if data.period == "month":
        return f"{found.year:04d}-{found.month:02d}"
    return found.date().isoformat()


# Day first, as INDIGO writes dates; the languages the snapshots' sources are written in.
_DATE_PARSER = DateDataParser(
    languages=_LANGUAGES, settings={"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first"}
)


_MONTH_NAMES = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|janvier|février|mars|avril|mai|"
    r"juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|"
    r"junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\.?"
)
_DATE = (  # each form starts at a word boundary, which keeps the search fast
    rf"(?:\b)(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH_NAMES},?\s+\d{{4}}"
    rf"|{_MONTH_NAMES}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{4}}\s+{_MONTH_NAMES}\s+\d{{1,2}}"
    rf"|{_MONTH_NAMES},?\s+\d{{4}}"
    r"|\d{4}-\d{1,2}-\d{1,2}|\d{4}-\d{1,2}(?!\d)"
    r"|\d{1,2}[./-]\d{1,3}[./-]?\d{2,4}"
    r"|\d{1,2}[./]\d{4})"
)
_DATE_RE = re.compile(_DATE, re.IGNORECASE)


# --------------------------------------------------------------------------- pieces of text

_ACCESSED_RE = re.compile(
    r"[\[(]?\s*(?:,\s*)?(?:all\s+)?(?:date\s+)?"
    r"(?:ac+ess?ed|ac+ese?d|access(?=\s+on\b)|visited|consulted|retrieved|access\s*:)"
    r"\s*(?:on\b)?\s*:?\s*"
    rf"(?P<date>{_DATE})?"
    r"\s*(?:[\])])?\s*(?:at\b\s*:?)?",
    re.IGNORECASE,
)
_LAST_UPDATED_RE = re.compile(rf"last\s+updated\s*:?\s*(?:{_DATE})\s*;?", re.IGNORECASE)
_PAGE_NUMBER = r"(?:\d+|[ivxlc]+\b)"
_LOCATOR_RE = re.compile(
    r"(?:^|(?<=[\s,.;:(\-–]))"
    r"(?P<word>(?i:pages?|pgs?\.?|pp\.?|p\.)|p(?=\s?\d)|P\.)\s*"
    rf"(?P<first>{_PAGE_NUMBER}|(?i:cover page))"
    rf"(?:\s*(?:-|–|to)\s*(?P<last>{_PAGE_NUMBER}))?"
    r"(?:\s*onwards)?"
    r"(?:\s*\((?:[a-z ]{3,20})\))?"
    rf"(?P<more>(?:\s*(?:,|and|&)\s*{_PAGE_NUMBER}(?:\s*(?:-|–)\s*\d+)?(?![\w/%])(?!\s*(?:years?|months?|weeks?|days?|per|million)\b))*)"
    r"\.?",
)
_SECTION_RE = re.compile(
    r"(?:^|(?<=[\s,.;(\-–]))(?P<word>(?i:appendix|annex|section|chapter|table|slide|exhibits?))"
    r"\s+(?P<what>[A-Z0-9][\w.-]*(?:\s+and\s+[A-Z0-9][\w.-]*)?)\.?",
)
_NOTES_RE = re.compile(
    r"\[(?:pdf|online|information provided by[^\]]*|powerpoint presentation)\]"
    r"|\((?:see documents tab|own translation|translated by google|pdf|online|webpage|website"
    r"|web page|blog|press release|news article)\)"
    r"|\((?:trans\.?|translated)(?:\s+from)?\s[^()]*\)"
    r"|\((?:in\s+)?(?P<lang>dutch|spanish|french|portuguese|german|japanese|italian|"
    r"finnish|korean|danish|swedish)\)"
    r"|\(translated by google\)|\btranslated by google\b",
    re.IGNORECASE,
)
_LANGUAGE_CODES = {
    "dutch": "nl",
    "spanish": "es",
    "french": "fr",
    "portuguese": "pt",
    "german": "de",
    "japanese": "ja",
    "italian": "it",
    "finnish": "fi",
    "korean": "ko",
    "danish": "da",
    "swedish": "sv",
}
_PREFIX_RE = re.compile(
    r"^(?:\d\)\s*)?(?:"
    r"(?:summary\s+)?(?:inferred|infered|derived|calculated|interpreted|taken)\s+(?:from|using)"
    r"(?:\s+dates\s+in)?|interpretation\s+of|based\s+on|see\s+also|see"
    r"|own\s+calculations?,?\s*(?:based\s+on|using|from)?"
    r"|translation\s+(?:from|of)\s+[\w ]{0,30}?(?::|$)|translation\s+of(?:\s+the)?"
    r")\s*:?\s*",
    re.IGNORECASE,
)
_KIND_PREFIX_RE = re.compile(
    r"^(?P<kind>article|news piece|news|magazine|report|press release|blog|blogpost|"
    r"news release|media release)\s*(?::|-|–)\s+",
    re.IGNORECASE,
)
_YEAR = r"(?:19|20)\d{2}"
_PAREN_PUBLISHER_RE = re.compile(
    rf"\((?P<who>[^()]*?)[,;\s]*(?P<year>{_YEAR})[a-z]?[\s;,]*\)"
    r"|\((?P<who2>[^()]*?)[,;\s]*(?P<nd>n\.\s?d\.?|forthcoming)\)",
    re.IGNORECASE,
)
_ND_RE = re.compile(r"[,(]?\s*\b(?:n\.\s?d\.?|no date|forthcoming)(?=[\s).,;]|$)\)?", re.IGNORECASE)
_QUOTED_RE = re.compile(
    r"\"\"(?P<a>[^\"]{4,}?)\"\"|\"(?P<b>[^\"]{4,}?)\"|“(?P<c>[^”]{4,}?)”"
    r"|(?:^|(?<=[\s(,:]))['‘](?P<d>[^'‘’]{4,}?)['’](?=$|[\s),.;:])"
)
_APA_RE = re.compile(
    r"^(?P<who>[^\"“(]{2,160}?)\.?\s*\((?P<year>(?:19|20)\d{2})[a-z]?\)\.?\s*(?P<rest>.+)$"
    r"|^(?P<who2>[^\"“(]{2,160}?)\.?\s*\((?P<nd>forthcoming|n\.d\.)\)\.?\s*(?P<rest2>.+)$"
    r"|^(?P<who3>[A-Z][\w&-]*(?: [A-Za-z][\w&-]*){0,3})\.\s+(?:[A-Z][a-z]+\.?\s+(?:\d{1,2},\s+)?)?"
    r"(?P<year3>(?:19|20)\d{2})\.\s+(?P<rest3>.+)$",
    re.IGNORECASE,
)

_ORG_WORDS = {
    "fund",
    "funds",
    "foundation",
    "trust",
    "council",
    "ministry",
    "department",
    "government",
    "university",
    "institute",
    "centre",
    "center",
    "bank",
    "capital",
    "partners",
    "partnership",
    "finance",
    "social",
    "ventures",
    "management",
    "treasury",
    "research",
    "service",
    "services",
    "society",
    "investment",
    "impact",
    "outcomes",
    "group",
    "lab",
    "inc",
    "ltd",
    "llc",
    "network",
    "agency",
    "office",
    "commission",
    "authority",
    "city",
    "county",
    "consultants",
    "consulting",
    "school",
    "association",
    "charity",
    "company",
    "website",
    "report",
    "bond",
    "bonds",
    "programme",
    "program",
    "project",
    "the",
    "of",
    "for",
    "and",
    "brookings",
    "ecorys",
    "nhs",
    "ccg",
    "cabinet",
    "health",
    "education",
    "futures",
    "fact",
    "sheet",
    "news",
    "global",
    "national",
    "world",
    "international",
    "youth",
    "care",
    "homes",
    "housing",
    "family",
    "children",
    "lottery",
    "community",
    "big",
    "evaluation",
    "girls",
    "boys",
    "reach",
    "zone",
    "enterprise",
    "in",
    "on",
    "at",
    "to",
    "by",
    "with",
    "from",
}
_DOCUMENT_WORDS = re.compile(
    r"(?i)\b(?:evaluation|report|presentation|press|communiqué|paper|article|webpage|website"
    r"|blog|fact ?sheet|case study|brief|review)\b"
)
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "le", "la", "del", "dos"}


def _looks_like_person(text: str) -> bool:
    """Whether a short phrase is a person's name ("Jake Anders", "C. Erskine"): capitalised
    words, none an organisation word, and probablepeople's model tags it as a person."""
    words = text.replace("&", " ").split()
    if not 2 <= len(words) <= 4:
        return False
    for word in words:
        if word.lower().strip(".,") in _ORG_WORDS:
            return False
        if word.lower() in _PARTICLES:
            continue
        if not re.fullmatch(
            r"[A-ZÀ-Ý][a-zà-ÿ'’-]+|[A-Z]\.(?:[A-Z]\.)*|[A-Z][a-z]+-[A-Z][a-z]+", word
        ):
            return False
    try:
        return probablepeople.tag(text)[1] == "Person"
    except probablepeople.RepeatedLabelError:
        return False


def _person(name: str) -> ParsedAuthor:
    raw = name.strip().strip(",;")
    if raw.isupper():
        raw = raw.title()
    human = HumanName(raw)
    family = " ".join(part for part in (human.last,) if part).strip()
    given = " ".join(part for part in (human.first, human.middle) if part).strip()
    if human.suffix:
        family = f"{family} {human.suffix}".strip()
    if not family:
        return ParsedAuthor(raw, "person")
    return ParsedAuthor(f"{family}, {given}" if given else family, "person")


def _authors_from(who: str) -> tuple[ParsedAuthor, ...]:
    """Authors from the text before a title: ``Smeets, D.``, ``van Es, B., Houben, O., &
    Lycklama, M.``, ``Jake Anders, Richard Dorset``, ``Gillian Plumridge & Judy Sebba``, or an
    organisation (``Ecorys``, ``Big Lottery Fund``)."""
    text = " ".join(who.strip(" ,:;-–").split())
    if re.search(r"(?:^|[\s,.])[A-Z]$", text):
        text += "."  # "Smeets, D" lost its full stop to the sentence
    text = (
        text.rstrip(" ,")
        if text.endswith(".") and re.search(r"\b[A-Z]\.$", text)
        else text.strip(" .")
    )
    if not text or _DOCUMENT_WORDS.search(text):
        return ()
    if re.search(r"\bet al\.?$", text):
        family = re.sub(r",?\s*et al\.?$", "", text).strip()
        if len(family.split()) == 1 or family.split()[0].lower() in _PARTICLES:
            return (ParsedAuthor(family, "person"),)  # a family name alone: "van Es"
        return (_person(family),)
    # Family, Initials lists (APA): split after each initial.
    if re.search(r"[A-Za-zÀ-ÿ-]+,\s*(?:[A-Z]\.\s*)+", text):
        chunks = re.split(r"(?<=\.)\s*,?\s*(?:&|and|AND)?\s+(?=[A-Za-zÀ-ÿ])|\s+(?:&|AND)\s+", text)
        people = [chunk.strip(" ,&") for chunk in chunks if chunk.strip(" ,&")]
        if all(re.fullmatch(r"[\w' À-ÿ-]+,\s*(?:[A-Z]\.\s*-?)+", chunk) for chunk in people):
            return tuple(_person(chunk) for chunk in people)
    parts = [part.strip() for part in re.split(r",\s*|\s+&\s+|\s+and\s+", text) if part.strip()]
    if parts and all(_looks_like_person(part) for part in parts):
        return tuple(_person(part) for part in parts)
    return (ParsedAuthor(text, "organisation"),)


# --------------------------------------------------------------------------- types and designs

_TYPE_COLUMN = {
    "evaluation report": ("evaluation-report", None),
    "evaluation": ("evaluation-report", None),
    "report": ("policy-report", "report"),
    "press release": ("news-or-press-release", None),
    "news piece": ("news-or-press-release", None),
    "news": ("news-or-press-release", None),
    "contract": ("contract-or-legal", None),
    "website": ("website", None),
    "email correspondence": ("correspondence", None),
    "correspondence": ("correspondence", None),
    "interview": ("correspondence", None),
    "academic article": ("academic-article", None),
    "journal article": ("academic-article", None),
    "case study": ("case-study", None),
    "data set": ("data-set", None),
    "dataset": ("data-set", None),
    "business case": ("policy-report", None),
    "policy report": ("policy-report", None),
    "other": ("other", None),
}

_CORRESPONDENCE_RE = re.compile(
    r"\be-?mail\b|\bcorrespond[ae]nce\b|\bcorrespondece\b|^\s*interview|\binterviews? with\b"
    r"|hack and learn|\bcommunication (?:with|via)\b|communication via emails?"
    r"|\bemail communication\b|^information (?:provided|shared) (?:by|through)"
    r"|\bform submission\b|\bconversation with\b|\b(?:phone )?call with\b|\bmeeting with\b"
    r"|\bexchange with\b|^(?:cbo|tnlcf)\b.*\b(?:updates?|requested changes)\b"
    r"|^updates? from\b|\bdata shared by\b|\bpersonal communication\b"
    r"|\bprovided by the (?:project|intermediary)\b",
    re.IGNORECASE,
)
_ACADEMIC_RE = re.compile(
    r"\bdoi\b|doi\.org|\bjournal\b|\bvol(?:ume)?\.?\s*\d|\b\d+\s?\(\d+\),\s*\d+"
    r"|\bworking paper\b|\bthesis\b|\bdissertation\b|\bconference paper\b"
    r"|\bsemanticscholar\b|\bssrn\b|\bjstor\b|\bacademic\b",
    re.IGNORECASE,
)
# A university as author or publisher: research, unless the string says it is an
# evaluation (checked first) or something more specific.
_UNIVERSITY_RE = re.compile(
    r"\buniversit(?:y|ies)\b|\buniversit[éà]\b|\buniversidad\b|\buniversidade\b"
    r"|\buniversiteit\b|\buniversität\b|\bschool of (?:economics|government|business)\b",
    re.IGNORECASE,
)
_TEXT_TYPE_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "news-or-press-release",
        re.compile(
            r"\bpress[- ]release|\bnews (?:release|piece|article|item)|\bmedia release"
            r"|\bcommuniqué de presse|\bpersbericht|\bnota de prensa|\bnewsletter"
            r"|^(?:article|news|magazine)\b|\barticle (?:on|in|by|from)\b|\bnewspaper",
            re.IGNORECASE,
        ),
    ),
    (
        "contract-or-legal",
        re.compile(
            r"\bcontract\b(?<!impact contract)(?<!outcomes contract)(?<!social contract)"
            r"(?! à impact)"
            r"|^(?:\w+\s+){0,4}agreement\b|\bagreement (?:between|among|with|for)\b"
            r"|\bdeed\b|\bdecree\b|\bdecreto\b|\bdécret\b|\blegislation\b"
            r"|\binvitation to tender\b|\brequest for proposals?\b|\bterms of reference\b"
            r"|\bcontract award\b|\bcontracts finder\b|\bMOU\b|\bmemorandum of understanding\b"
            r"|\bregulation\b|\blaw\b|\bstatute\b",
            re.IGNORECASE,
        ),
    ),
    ("academic-article", _ACADEMIC_RE),
    (
        "case-study",
        re.compile(r"\bcase[- ]stud(?:y|ies)\b|\bestudio de caso\b|\bétude de cas\b", re.I),
    ),
    (
        "evaluation-report",
        re.compile(
            r"evaluat|\bévaluation|\bevaluación|\bavaliação|\bevaluatie|\bevaluierung"
            r"|\bimpact assessment|\bindependent assessment|\bin[- ]?depth review|\bdeep dive"
            r"|\b(?:interim|final|baseline|learning) (?:\w+ )?report"
            r"|\bverification\b|\bvalidation\b|\bcohort \d+ analysis|\blessons learned"
            r"|\bphase \d+ report\b|\bpilot (?:\w+ )?report\b"
            r"|\brelatório (?:de )?(?:avaliação|final)|\brapport d'évaluation|\bzwischenbericht",
            re.IGNORECASE,
        ),
    ),
    ("academic-article", _UNIVERSITY_RE),
    (
        "data-set",
        re.compile(
            r"\bdata ?base\b|\bdata portal\b|\bdata ?set\b|\bspreadsheet\b|\bgrantnav\b"
            r"|\bdata release\b|\bopen data\b|\bsibdatabase\b|\bawards from\b",
            re.IGNORECASE,
        ),
    ),
    (
        "policy-report",
        re.compile(
            r"\bbusiness case\b|\bministry\b|\bministère\b|\bministerio\b|\bministério\b"
            r"|\bdepartment\b|\bcouncil\b|\bgovernment\b|\bgovt\b|\btreasury\b|\bparliament"
            r"|\bcabinet\b|\bHM\b|\bDWP\b|\bDCMS\b|\bMHCLG\b|\bDCLG\b|\bMOJ\b|\bOSII\b"
            r"|\boffice of\b|\bstate of\b|\bcity of\b|\bprovince\b|\bgouvernement\b|\bgobierno\b"
            r"|\bpolicy\b|\bwhite paper\b|\bgreen paper\b|\bstrategy\b|\breport\b|\breporte\b"
            r"|\brapport\b|\brelatório\b|\binforme\b|\bverslag\b|\bmemorandum\b|\bfact ?sheet"
            r"|\bfiche\b|\bprospectus\b|\bbrochure\b|\bpresentation\b|\bbrief(?:ing)?\b"
            r"|\bguidance\b|\bguide\b|\btoolkit\b|\bdiscussion paper\b|\bpaper\b|\bsummary\b"
            r"|\bdossier\b|\blessons\b|\bprimer\b|\bannual review\b|\baccounts\b|\bspecification\b"
            r"|\bpublication\b|\bmagazine\b|\boverview\b|\bintroduction to\b|\bproposal\b"
            r"|\breview\b|\binfographic\b",
            re.IGNORECASE,
        ),
    ),
    (
        "website",
        re.compile(
            r"\bweb ?sites?\b|\bwebiste\b|\bweb-site\b|\bweb ?page\b|\bblog(?:post)?\b"
            r"|\bhomepage\b|\bportal\b|\bdirectory\b|\bcompanies house\b|\bcharity commission\b"
            r"|\bregister\b|\blinkedin\b|\bonline\b|\bsite\b",
            re.IGNORECASE,
        ),
    ),
]
_NEWS_HOSTS = re.compile(
    r"(?:^|\.)(?:cronista\.com|noticiasurbanas\.com\.ar|themarker\.com|elpais\.com\.uy"
    r"|thestandard\.com\.hk|probonoaustralia\.com\.au|theguardian\.com|bbc\.co\.uk|ft\.com"
    r"|impact-investor\.com|civilsociety\.co\.uk|thirdsector\.co\.uk|lagazettedescommunes\.com"
    r"|devex\.com|reuters\.com|bloomberg\.com|nytimes\.com|lesechos\.fr|lemonde\.fr"
    r"|industrymoves\.com|pioneerspost\.com|apolitical\.co|rtes\.fr|chroniclelive\.co\.uk)$"
)
_NEWS_PATH = re.compile(
    r"/(?:news|press|noticias|nieuws|actualites|media-releases?|persbericht)", re.I
)


def _type_from_text(text: str, url: str, kind_prefix: str) -> tuple[str, str]:
    match = _CORRESPONDENCE_RE.search(text)
    if match:
        return "correspondence", f"string mentions {match.group(0).strip().lower()!r}"
    academic = _ACADEMIC_RE.search(text)
    if academic:
        return "academic-article", f"string mentions {academic.group(0).strip().lower()!r}"
    if kind_prefix:
        kind = kind_prefix.lower()
        mapped = {
            "report": "policy-report",
            "blog": "website",
            "blogpost": "website",
        }.get(kind, "news-or-press-release")
        return mapped, f"string starts with {kind_prefix!r}"
    for document_type, pattern in _TEXT_TYPE_RULES:
        match = pattern.search(text)
        if match:
            return document_type, f"string mentions {match.group(0).strip().lower()!r}"
    if url:
        # The words of the address: ".../CBO_Indepth_reviews_HCT...pdf".
        path = unquote(urlsplit(url if "//" in url else "http://" + url).path)
        words = " ".join(re.split(r"[\W_]+", path))
        for document_type, pattern in _TEXT_TYPE_RULES:
            if document_type in {"policy-report", "website", "data-set"}:
                continue  # "report", "site" and the like in a path say too little
            match = pattern.search(words)
            if match:
                return document_type, f"URL mentions {match.group(0).strip().lower()!r}"
        host = urlsplit(url if "//" in url else "http://" + url).netloc.lower()
        if _NEWS_HOSTS.search(host.removeprefix("www.")) or _NEWS_PATH.search(url):
            return "news-or-press-release", f"URL is a news page ({host})"
        path = urlsplit(url if "//" in url else "http://" + url).path.lower()
        if re.search(r"\.(?:xlsx?|csv|ods)$", path):
            return "data-set", "URL is a spreadsheet"
        if re.search(r"\.(?:pdf|docx?|pptx?)$", path):
            return "other", "URL is a document file, nothing says what kind"
        return "website", "the string is a web address"
    return "other", "nothing in the string or columns says"


_DESIGN_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("rct", re.compile(r"\brandomi[sz]ed(?: controlled)?(?: trial)?|\bRCT\b", re.IGNORECASE)),
    (
        "quasi-experimental",
        re.compile(
            r"\bquasi[- ]experiment\w*|\bpropensity score\w*|\bPSM\b|\bmatched comparison"
            r"|\bcomparison group\b|\bdifference[- ]in[- ]differences?"
            r"|\bsynthetic (?:control|comparison)"
            r"|\bhistorical (?:comparison|baseline|control)|\bregression discontinuity"
            r"|\bcounterfactual\b",
            re.IGNORECASE,
        ),
    ),
    ("pre-post", re.compile(r"\bpre[- /]post\b|\bbefore[- ]and[- ]after\b", re.IGNORECASE)),
    (
        "outcome-validation",
        re.compile(
            r"\bvalidation of (?:the )?outcomes?|\boutcomes? validation|\bverification of (?:the )?"
            r"(?:impact indicators|outcomes?|results)|\boutcomes? verification|\bvalidation report",
            re.IGNORECASE,
        ),
    ),
    ("qualitative", re.compile(r"\bqualitative\b|\bqualitativ|\bqualitativa", re.IGNORECASE)),
    (
        "process",
        re.compile(r"\bprocess (?:evaluation|review|study)|\bimplementation evaluation", re.I),
    ),
]


def _design(text: str) -> tuple[str, str]:
    for design, pattern in _DESIGN_RULES:
        match = pattern.search(text)
        if match:
            return design, f"title: {match.group(0).strip().lower()!r}"
    return "", ""


# --------------------------------------------------------------------------- splitting

_SPLIT_RE = re.compile(
    r"\.?\s+See also\s+|\s*,?\s+and\s+see\s+|\.\s+Sources include:\s*|\s*&&&\s*"
    r"|(?<=[\s.,;])\d{1,2}\)\s+(?=[A-Z])"  # "1) ... 2) ...": a numbered list of sources
)


def _words(text: str) -> int:
    return len(re.findall(r"[^\W\d_]{2,}", _URL_RE.sub(" ", text)))


def _has_anchor(text: str) -> bool:
    """Whether a piece ends a citation: it holds a URL, a page locator or an accessed note."""
    return bool(
        _URL_RE.search(text) or _LOCATOR_RE.search(text) or re.search(r"(?i)accessed", text)
    )


def _ends_citation(text: str) -> bool:
    """Before an "and": an anchor, or a closing "(Publisher, 2014)"."""
    return _has_anchor(text) or bool(re.search(rf"\([^()]*{_YEAR}[a-z]?\)\W*$", text))


_AND_SPLIT = re.compile(
    r"\s*\n\s*|\s+AND\s+|\s*,?\s+and\s+(?=[A-Z(]|https?://|www\.|(?:e-?mail|interview|correspondence)\b)"
)
_AFTER_URL = re.compile(
    r"(?<=\S)\s+(?=[A-Z](?!ccessed|vailable|etrieved|ast updated|ll accessed)[\w.-]*\s)"
)


def _split_after_urls(text: str) -> list[str]:
    """ "Press Release https://... ABN AMRO Webpage https://...": a new source starts where a
    capitalised word follows a URL."""
    cuts = []
    for match in _URL_RE.finditer(text):
        after = _AFTER_URL.match(text, match.end())
        if after and _words(text[after.end() :]) >= 2:
            cuts.append((match.end(), after.end()))
    if not cuts:
        return [text]
    parts, start = [], 0
    for end, restart in cuts:
        parts.append(text[start:end])
        start = restart
    parts.append(text[start:])
    return parts


_LIST_SPLIT = re.compile(
    r"(?<=[\w/])[.,]+\s+(?=[A-Z][^,]{2,80}?\s+(?:at\s+)?https?://)|(?<=\w\w|\w\))\.\s+(?=[A-Z])"
)


def _split_at(
    text: str, pattern: re.Pattern[str], ends: Callable[[str], bool] = _has_anchor
) -> list[str]:
    """Split where the piece before holds a URL, locator or accessed note and both sides
    are long enough to be citations."""
    parts: list[str] = []
    start = 0
    for match in pattern.finditer(text):
        before, after = text[start : match.start()], text[match.end() :]
        if ends(before) and _words(before) >= 1 and (_words(after) >= 2 or _URL_RE.search(after)):
            parts.append(before)
            start = match.end()
    parts.append(text[start:])
    return parts


_STOCK_WORDS = re.compile(
    r"(?i)\b(?:available|at|from|online|accessed|accesed|retrieved|on|see|pdf|pages?|pg|pp?|"
    r"not|publicly|link|url|also|all)\b"
)


def _substance(text: str) -> int:
    """How many words of a piece are not a URL, a date, a locator or a stock phrase."""
    rest = _URL_RE.sub(" ", text)
    rest = _DATE_RE.sub(" ", rest)
    rest = _STOCK_WORDS.sub(" ", rest)
    return len(re.findall(r"[^\W\d_]{2,}", rest))


def _top_level_split(text: str) -> list[str]:
    """Split on ``;`` outside brackets and quotes (``(06/2015; accessed July 2019)`` stays)."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char == ";" and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    pieces: list[str] = []
    for part in parts:
        pieces.extend(_SPLIT_RE.split(part))
    return pieces


def _split_sources(text: str) -> list[str]:
    """The sources one string cites, in order. Splits on ``;`` (outside brackets), ``See
    also``, numbered lists, and on line breaks, ``and``/``AND``, ``, `` or ``. `` after a URL,
    a locator, an accessed note or a closing "(Publisher, 2014)". A sentence with no words of
    its own (a URL after "Available at:", a page) belongs to the one before."""
    parts: list[str] = []
    for piece in _top_level_split(text):
        if not piece or not piece.strip(" .,;"):
            continue
        for and_part in _split_at(piece, _AND_SPLIT, _ends_citation):
            for chunk in _split_after_urls(and_part):
                parts.extend(_sentences(chunk))
    return parts or [text]


def _sentences(chunk: str) -> list[str]:
    pieces: list[str] = []
    for part in _split_at(chunk, _LIST_SPLIT):
        if not part.strip(" .,;"):
            continue
        if (
            pieces
            and _substance(part) < 2
            and _substance(pieces[-1]) >= 2
            and not (_URL_RE.search(part) and _URL_RE.search(pieces[-1]))
        ):
            pieces[-1] += " " + part  # "... Pg 34. Available at: https://...": one source
        else:
            pieces.append(part)
    return pieces


# --------------------------------------------------------------------------- the parser


def _strip(text: str) -> str:
    text = re.sub(r"\s+", " ", text.replace("<", " ").replace(">", " "))
    text = re.sub(r"^\s*(?:and|&)\s+|\s+(?:and|&)\s*[.,;:]?\s*$", " ", text)
    if text.count("(") > text.count(")"):
        text = re.sub(r"\((?=[^()]*$)", " ", text)  # an opening bracket whose end was a note
    if text.count(")") > text.count("("):
        text = re.sub(r"^([^()]*)\)", r"\1 ", text)
    text = re.sub(r"\(\s*[,;:]?\s*\)|\[\s*\]", " ", text)
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = text.strip(" ,;:-–—|\t")
    text = re.sub(r"(?:\s*[-–,;:(])+$", "", text)
    text = text.rstrip(" .,;:") if not re.search(r"\b[A-Z]\.$|\.\.\.$|etc\.$", text) else text
    return " ".join(text.split())


def _page_locator(first: str, last: str | None) -> str:
    if last:
        return f"pages {first}-{last}"
    return f"page {first}"


@dataclass
class _Work:
    text: str
    title: str = ""
    authors: tuple[ParsedAuthor, ...] = ()
    publisher: str = ""
    year: int | None = None
    date: str = ""
    url: str = ""
    accessed: str = ""
    locator: str = ""
    container: str = ""
    language: str = ""
    kind_prefix: str = ""


def _read_part(part: str) -> _Work:
    work = _Work(text=part)
    s = " " + part.replace("\u00a0", " ") + " "
    # A remark after the citation is not part of it.
    s = re.split(r"(?i)[\s.,;]\s*(?:note that|n\.b\.|nb:|currency converted|exchange rate)\b", s)[0]
    s = s.replace('\\"', '"')

    # URLs, with the words that announce them.
    urls = []
    for match in _URL_RE.finditer(s):
        urls.append(_clean_url(match.group(0)))
    s = _URL_RE.sub(" ", s)
    s = re.sub(r"<\s*>", " ", s)
    s = re.sub(
        r"(?i)\b(?:available\s+(?:at|from|online)|retrieved\s+from|link|url|at|on|from|via)\s*:?\s*"
        r"(?=$|[\s,.;)\]-]*$)",
        " ",
        s,
    )
    s = re.sub(r"(?i)\b(?:available\s+(?:at|from|online))\s*:?", " ", s)
    public = [u for u in urls if not u.lower().startswith("file:")]
    work.url = public[0] if public else ""

    # Accessed notes and "last updated".
    s = _LAST_UPDATED_RE.sub(" ", s)
    for match in _ACCESSED_RE.finditer(s):
        if match.group("date") and not work.accessed:
            work.accessed = _parse_date(match.group("date"))
    s = re.sub(
        rf"\((?P<d>{_DATE})\s*;\s*(?=ac+ess|visited)",
        lambda m: f"({m.group('d')}) (",
        s,
        flags=re.I,
    )
    s = _ACCESSED_RE.sub(_balanced_blank, s)

    # Notes in brackets, including the language of the original.
    for match in _NOTES_RE.finditer(s):
        if match.group("lang"):
            work.language = _LANGUAGE_CODES[match.group("lang").lower()]
    s = _NOTES_RE.sub(" ", s)
    s = re.sub(r"(?i)\(trans\.?\).*$", " ", s)  # "(trans.) English title ..." after the original

    # Locators.
    pages: list[tuple[str, str | None]] = []
    cover = False
    for match in _LOCATOR_RE.finditer(s):
        first, last = match.group("first"), match.group("last")
        if first.lower() == "cover page":
            cover = True
        else:
            pages.append((first, last))
            # "page 2 and 3", "pp. 6, 13-15": more pages of the same locator
            for more in re.finditer(r"(\d+|[ivxlc]+)(?:\s*[-–]\s*(\d+))?", match.group("more")):
                pages.append((more.group(1), more.group(2)))
    s = _LOCATOR_RE.sub(" ", s)
    sections = [f"{m.group('word').lower()} {m.group('what')}" for m in _SECTION_RE.finditer(s)]
    s = _SECTION_RE.sub(" ", s)
    if len(pages) == 1:
        work.locator = _page_locator(*pages[0])
    elif pages:
        work.locator = "pages " + ", ".join(f"{a}-{b}" if b else a for a, b in pages)
    elif cover:
        work.locator = "cover page"
    if sections:
        work.locator = ", ".join([work.locator, *sections] if work.locator else sections)

    s = re.sub(r"^\s*\d{1,2}\)\s*", "", s)  # "1) ": the number of a list
    s = _strip(s)
    kind = _KIND_PREFIX_RE.match(s)
    if kind:
        work.kind_prefix = kind.group("kind")
        s = s[kind.end() :]
    without = _PREFIX_RE.sub("", s)
    if without != s and _words(without) < 4 and not work.url and not _re_year(without):
        without = s  # "Own calculation based on Amount committed": a note, nothing cited
    s = without
    kind = _KIND_PREFIX_RE.match(s)
    if kind and not work.kind_prefix:
        work.kind_prefix = kind.group("kind")
        s = s[kind.end() :]
    s = re.sub(r"(?i)\[\s*(?:pdf|online)\s*\]", " ", s)
    s = _strip(s)

    if _CORRESPONDENCE_RE.search(s):
        # The whole note is the title: who, with whom, when. Its date is read, not removed.
        work.title = s
        found = [m.group(0) for m in _DATE_RE.finditer(s)]
        for raw in found:
            date = _parse_date(raw)
            if date:
                work.date = date
                break
        return work

    # APA: Authors. (Year). Title. Container, vol(issue), pages.
    apa = _APA_RE.match(s)
    if apa and not _QUOTED_RE.match(s):
        who = apa.group("who") or apa.group("who2") or apa.group("who3") or ""
        year = apa.group("year") or apa.group("year3")
        rest = apa.group("rest") or apa.group("rest2") or apa.group("rest3") or ""
        if len(who.split()) <= 14 and not re.search(r"\d", who):
            work.authors = _authors_from(who)
            work.year = int(year) if year else None
            quoted = _QUOTED_RE.search(rest)
            if quoted and quoted.start() < 3:
                work.title = _strip(next(g for g in quoted.groups() if g))
                tail = rest[quoted.end() :]
            else:
                pieces = re.split(r"(?<=\w\w)\.\s+(?=[A-Z\d])|\s*\[", rest, maxsplit=1)
                work.title = _strip(pieces[0])
                tail = pieces[1] if len(pieces) > 1 else ""
            place = re.search(r",\s*(?P<place>[A-Z][\w ]+):\s*(?P<pub>[^,.:]+)$", work.title)
            if place and not tail:  # "Title, Amsterdam: Royal Tropical Institute"
                work.publisher = place.group("pub").strip()
                work.title = _strip(work.title[: place.start()])
            tail = _strip(re.sub(r"(?i)\[[^\]]*\]", " ", tail))
            journal = re.match(r"^(?P<j>[^,]+?),\s*\d+\s*(?:\(\d+\))?,", tail)
            if journal:
                work.container = journal.group("j").strip()
            elif tail:
                place = re.match(r"^[A-Z][\w ]+:\s*(?P<p>[^.,]+)", tail)
                if place:
                    work.publisher = place.group("p").strip()
                elif not re.search(r"\d", tail) and len(tail.split()) <= 8:
                    work.publisher = tail
                else:
                    first = tail.split(",")[0].strip()
                    if first and not re.search(r"\d", first) and len(first.split()) <= 8:
                        work.publisher = first
            work.title = _finish_title(work, work.title)
            return work

    # "(Publisher, 2019)" at the start or the end, or after the title.
    lead = re.match(r"^\((?P<inner>[^()]+)\)\s*:?\s*", s)
    if lead and _PAREN_PUBLISHER_RE.fullmatch(f"({lead.group('inner')})"):
        _publisher_year(work, lead.group("inner"))
        s = s[lead.end() :]
    elif lead and s[lead.end() :].strip(" .,;:"):
        # "(Changing Lives website) Title": who published it, then the title.
        who = _strip(re.sub(r"(?i)\b(?:website|webpage|web page)\b", " ", lead.group("inner")))
        if who and len(who.split()) <= 8:
            work.publisher = work.publisher or who
            s = s[lead.end() :]
    elif lead:
        s = lead.group("inner")
    else:
        matches = list(_PAREN_PUBLISHER_RE.finditer(s))
        if matches:
            last = matches[-1]
            inner = s[last.start() + 1 : last.end() - 1]
            if _publisher_year(work, inner):
                s = s[: last.start()] + " " + s[last.end() :]

    # A date in brackets: "(11/12/2017)", "(06/2015; accessed July 2019)", "(January 2022)".
    for match in re.finditer(rf"\((?:published(?: on)?\s+)?(?P<d>{_DATE})[^()]*\)", s, re.I):
        date = _parse_date(match.group("d"))
        if date:
            work.date = work.date or date
            s = s[: match.start()] + " " + s[match.end() :]
            break
    s = _strip(s)

    # A quoted title: Who, "Title" ...
    quoted = _QUOTED_RE.search(s)
    if quoted:
        inside = len(next(g for g in quoted.groups() if g).split())
        before = s[: quoted.start()]
        documentish = bool(_DOCUMENT_WORDS.search(before))
        if (
            inside < 2
            or (len(before.split()) > 8 and not (documentish and inside >= 4))
            or (documentish and inside < 4)
        ):
            quoted = None
    if quoted:
        title = next(g for g in quoted.groups() if g)
        who = s[: quoted.start()]
        after = s[quoted.end() :]
        who = re.sub(r"(?i)\b(?:website|webpage|web page|blog(?: post)?|press release)\b", " ", who)
        who = _strip(who)
        if who and len(who.split()) <= 12 and not re.search(r"\d{3}", who):
            work.authors = _authors_from(who)
        _date_from_tail(work, after)
        s = title
    else:
        # "Given Family, Given Family, Title": names before the title.
        pieces = list(re.split(r",\s+", s))
        names: list[str] = []
        while len(pieces) > len(names) + 1:
            candidate = pieces[len(names)]
            people = [p for p in re.split(r"\s+&\s+|\s+and\s+", candidate) if p]
            if people and all(_looks_like_person(p) for p in people):
                names.extend(people)
                continue
            break
        if names:
            count = 0
            consumed = 0
            while consumed < len(names):
                candidate = pieces[count]
                consumed += len([p for p in re.split(r"\s+&\s+|\s+and\s+", candidate) if p])
                count += 1
            work.authors = tuple(_person(n) for n in names)
            s = ", ".join(pieces[count:])
    work.title = _finish_title(work, s)
    return work


def _re_year(text: str) -> bool:
    return bool(re.search(rf"\b{_YEAR}\b", text))


def _balanced_blank(match: re.Match[str]) -> str:
    """Blank out a note, keeping a bracket it closes but did not open (or the reverse)."""
    text = match.group(0).strip()
    opened = text.startswith(("(", "["))
    closed = text.endswith((")", "]"))
    if closed and not opened:
        return ") "
    if opened and not closed:
        return " ("
    return " "


def _publisher_year(work: _Work, inner: str) -> bool:
    """Read "Publisher, 2019" (or "2019", "Publisher, n.d.") from inside brackets."""
    match = re.fullmatch(
        rf"\s*(?P<who>.*?)[,;\s]*(?:(?P<year>{_YEAR})[a-z]?|(?P<nd>n\.\s?d\.?|forthcoming))[\s;,]*",
        inner,
        re.IGNORECASE,
    )
    if not match:
        return False
    if _DATE_RE.fullmatch(inner.strip()):
        date = _parse_date(inner)
        if date:
            work.date = work.date or date
            work.year = work.year or int(date[:4])
            return True
    who = match.group("who").strip(" ,;")
    date_in_who = _DATE_RE.search(f"{who} {match.group('year') or ''}".strip())
    if who and date_in_who and date_in_who.start() > 0:
        # "Garvey, July 2015": a month and year, not a publisher called "July".
        date = _parse_date(date_in_who.group(0))
        if date:
            work.date = work.date or date
            who = who[: date_in_who.start()].strip(" ,;")
    if match.group("year"):
        work.year = work.year or int(match.group("year"))
    if who:
        if re.search(r"\bet al\b", who):
            work.authors = work.authors or _authors_from(who)
        elif not work.publisher and not re.match(r"\d", who):  # "13 Octcober": a date
            work.publisher = _strip(re.sub(r"(?i)\b(?:webpage|website)\b", " ", who))
    return True


def _date_from_tail(work: _Work, tail: str) -> None:
    year = re.search(rf"\((?P<y>{_YEAR})\)", tail)
    if year:
        work.year = work.year or int(year.group("y"))
    match = _DATE_RE.search(tail)
    if match:
        date = _parse_date(match.group(0))
        if date:
            work.date = work.date or date


def _finish_title(work: _Work, text: str) -> str:
    s = _strip(text)
    if _ND_RE.search(s):
        s = _strip(_ND_RE.sub(" ", s))
    # A trailing date: ", 30 October 2017", "- March 2021", "(22 August 2019)".
    trailing = re.search(rf"(?:,|\s[-–]|\bon|\bin|\bpublished)\s*(?P<d>{_DATE})\s*$", s, re.I)
    if trailing:
        date = _parse_date(trailing.group("d"))
        if date:
            work.date = work.date or date
            s = _strip(s[: trailing.start()])
    # A trailing year: ", 2018".
    year = re.search(rf"(?:,|(?<=[?!]))\s*(?P<y>{_YEAR})$", s)
    if year:
        work.year = work.year or int(year.group("y"))
        s = _strip(s[: year.start()]) + ("?" if s[: year.start()].rstrip().endswith("?") else "")
        s = s.replace("??", "?")
    elif (
        (bare := re.search(rf"\s(?P<y>{_YEAR})$", s))
        and work.year is None
        and not re.search(rf"\d\s*[-–/]\s*{bare.group('y')}$", s)  # not "2013-2018"
    ):
        work.year = int(bare.group("y"))
    publisher = re.search(
        r"\.\s+(?P<p>(?:Minist[eèéê]r(?:e|io|y)|Department|Government|Gouvernement|Gobierno"
        r"|Cabinet Office|City of|Council)\b[^.]*)$",
        s,
    )
    if publisher and not work.publisher:
        work.publisher = _strip(publisher.group("p"))
        s = _strip(s[: publisher.start()])
    s = re.sub(r"^(?:the\s+)?(?:report|article)\s*[:\-–]\s*", "", s, flags=re.I)
    # A closing sentence that only names the medium: ". Official legal information website".
    s = re.sub(
        r"(?<=[.\"”])\s+(?:[\w-]+\s+){0,4}(?:website|webpage|web page)\.?$", "", s, flags=re.I
    )
    s = _strip_quotes(s)
    return _strip(s)


def _strip_quotes(text: str) -> str:
    """Quotes around a whole title go; a quote inside it stays, unless it is left unpaired
    at an end."""
    pairs = {'"': '"', "“": "”", "'": "'", "‘": "’"}
    text = text.strip()
    while len(text) > 1 and text[0] in pairs and text[-1] == pairs[text[0]]:
        text = text[1:-1].strip()
    for quote in ('"', "“", "”"):
        if text.count(quote) % 2 and text.count('"') + text.count("“") + text.count("”") == 1:
            text = text.strip(quote).strip()
    if text.endswith('"') and text.count('"') % 2:
        text = text[:-1].rstrip()
    if text.startswith('"') and text.count('"') % 2:
        text = text[1:].lstrip()
    return text


def _structured_date(raw: str) -> str:
    return _parse_date(raw) if raw and raw.strip() else ""


def parse_citation(
    text: str,
    *,
    indigo_type: str = "",
    publishing_organisations: str = "",
    url: str = "",
    archive_url: str = "",
    publication_date: str = "",
    accessed_date: str = "",
    language_hint: str = "",
    notes: str = "",
) -> ParsedCitation:
    """Parse one INDIGO source string; the structured columns, when given, win over what
    the string says. ``notes`` may name authors (``Authors: A B & C D``)."""
    original = text
    flat = (text or "").replace("\r", "")
    parts = _split_sources(flat.strip()) if flat.strip() else [""]
    works = [_read_part(part) for part in parts]
    primary, rest = works[0], works[1:]
    # A lone URL in a column, with a name in the string: the string is the title.
    citations = [
        _citation(
            original,
            work,
            indigo_type=indigo_type if index == 0 else "",
            publishing_organisations=publishing_organisations if index == 0 else "",
            url=url if index == 0 else "",
            archive_url=archive_url if index == 0 else "",
            publication_date=publication_date if index == 0 else "",
            accessed_date=accessed_date if index == 0 else "",
            language_hint=language_hint,
            notes=notes if index == 0 else "",
        )
        for index, work in enumerate([primary, *rest])
    ]
    head = citations[0]
    if len(citations) > 1:
        from dataclasses import replace

        head = replace(head, others=tuple(citations[1:]))
    return head


def _citation(
    original: str,
    work: _Work,
    *,
    indigo_type: str,
    publishing_organisations: str,
    url: str,
    archive_url: str,
    publication_date: str,
    accessed_date: str,
    language_hint: str,
    notes: str,
) -> ParsedCitation:
    publisher = work.publisher
    publisher_ids: tuple[str, ...] = ()
    organisations = " ".join(publishing_organisations.split())
    if organisations:
        ids = re.findall(r"INDIGO-ORG-\d+", organisations)
        if ids and not re.sub(r"INDIGO-ORG-\d+|[,;\s]", "", organisations):
            publisher_ids = tuple(ids)
            publisher = ""
        else:
            publisher = organisations
    date = _structured_date(publication_date) or work.date
    year = int(date[:4]) if date else work.year
    if date and work.year and not publication_date.strip() and date[:4] != str(work.year):
        date = ""  # the string's year and a date found elsewhere in it disagree: keep the year
        year = work.year
    the_url = _clean_url(" ".join(url.split())) or work.url
    accessed = _structured_date(accessed_date) or work.accessed
    authors = work.authors
    note_authors = re.match(r"(?i)^\s*authors?\s*:\s*(?P<who>.+)$", notes or "")
    if note_authors:
        authors = _authors_from(note_authors.group("who").replace("&", " & "))
    title = work.title
    if "http" in title.lower() or "www." in title.lower():
        title = _strip(_URL_RE.sub(" ", title))

    type_text = " ".join(part for part in (work.text,) if part)
    column = " ".join(indigo_type.split()).lower()
    if column in _TYPE_COLUMN:
        document_type, refine = _TYPE_COLUMN[column]
        type_basis = f"INDIGO type: {indigo_type.strip()}"
        if refine == "report":
            for candidate in ("evaluation-report", "case-study", "academic-article"):
                pattern = dict(_TEXT_TYPE_RULES)[candidate]
                match = pattern.search(type_text)
                if match:
                    document_type = candidate
                    type_basis += f"; string mentions {match.group(0).strip().lower()!r}"
                    break
    else:
        document_type, type_basis = _type_from_text(type_text, the_url, work.kind_prefix)
        if indigo_type.strip():
            type_basis += f" (INDIGO type {indigo_type.strip()!r} not recognised)"
    design, design_basis = ("", "")
    if document_type not in {"correspondence", "news-or-press-release", "website"}:
        design, design_basis = _design(title or work.text)
        if design and not title:
            design_basis = design_basis.replace("title:", "string:", 1)
    return ParsedCitation(
        original=original,
        title=title,
        authors=authors,
        publisher=publisher,
        year=year,
        date=date,
        url=the_url,
        archive_url=_clean_url(" ".join(archive_url.split())),
        accessed=accessed,
        locator=work.locator,
        document_type=document_type,
        type_basis=type_basis,
        design=design,
        design_basis=design_basis,
        publisher_ids=publisher_ids,
        container=work.container,
        language=language_hint or work.language,
    )
