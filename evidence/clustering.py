"""Grouping parsed citations into works: one key per distinct document.

INDIGO cites the same report once per project and page (the Fair Chance Fund final report is
~80 rows). ``work_keys`` gives each citation a key; citations with equal keys are the same
work. The rules, in order:

1. Correspondence (e-mails, interviews, "Hack and Learn" sessions) is only ever the same work
   as the same note: a "Hack and Learn" session by its month, a dated note by its exact text
   and date, an undated one only within its scope (its project, when ``scopes`` is given).
2. Same normalised URL (fragments such as ``#page=5`` ignored), when the years agree and the
   titles do not contradict each other.
3. Same normalised title, when the years and publishers agree. Different years of a series
   (an annual report 2017 and 2018) stay apart.
4. A high rapidfuzz title score, when years and publishers agree and the titles name the same
   numbers and series words (interim/final, year one/two, first/second ...).

Keys are built from the work's most cited title, year and URL, never from input order, so
the same citations give the same keys on every import. Plain Python, no Django.

Use: parse every source row, add each string's ``others`` after it (a string may cite several
works), and pass the citing record's id as its scope::

    citations, scopes = [], []
    for row in rows:
        parsed = parse_citation(row.name, indigo_type=row.type, url=row.url, ...)
        for citation in (parsed, *parsed.others):
            citations.append(citation)
            scopes.append(row.project_id)
    keys = work_keys(citations, scopes=scopes)
    print("\n".join(explain(citations, keys, scopes=scopes)))
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from evidence.citation_parser import ParsedCitation, normalise_title, normalise_url

FUZZY_THRESHOLD = 90
URL_TITLE_THRESHOLD = 60
_SERIES_WORDS = {
    "interim",
    "final",
    "baseline",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "one",
    "two",
    "three",
    "four",
    "five",
    "1st",
    "2nd",
    "3rd",
    "4th",
    "5th",
    "i",
    "ii",
    "iii",
    "iv",
    "annual",
    "update",
    "executive",
    "summary",
    "quantitative",
    "qualitative",
    "appendix",
    "annex",
    "part",
    "phase",
    "cohort",
    "technical",
    "progress",
    "midterm",
    "mid",
    "term",
    "year",
}
_GENERIC = re.compile(
    r"\b(?:website|webpage|web page|site|directory|companies house|charity commission|register|"
    r"linkedin|homepage|home page|fca)\b"
)


class _Groups:
    """Union-find that remembers why each citation joined its group."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))
        self.rule: dict[int, str] = {}

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: int, b: int, rule: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return
        # The smaller root stays: the result does not depend on the order of the calls.
        low, high = sorted((root_a, root_b))
        self.parent[high] = low
        self.rule.setdefault(max(a, b), rule)
        self.rule.setdefault(min(a, b), rule)


def _url_key(citation: ParsedCitation) -> str:
    return normalise_url(citation.url) if citation.url else ""


def _publisher(citation: ParsedCitation) -> str:
    return normalise_title(citation.publisher)


def _publishers_agree(a: ParsedCitation, b: ParsedCitation) -> bool:
    left, right = _publisher(a), _publisher(b)
    if not left or not right or left == right or left in right or right in left:
        return True
    return fuzz.token_set_ratio(left, right) >= 80


def _years_agree(a: ParsedCitation, b: ParsedCitation) -> bool:
    return a.year is None or b.year is None or a.year == b.year


def _series_marks(title: str, year: int | None) -> frozenset[str]:
    words = set(title.split())
    marks = {word for word in words if word in _SERIES_WORDS}
    marks |= {word for word in words if word.isdigit() and word != str(year)}
    return frozenset(marks)


_NOISE = {
    "the",
    "a",
    "an",
    "of",
    "for",
    "and",
    "in",
    "on",
    "to",
    "by",
    "with",
    "sib",
    "sibs",
    "fact",
    "sheet",
    "factsheet",
    "report",
    "memorandum",
    "information",
    "programme",
    "program",
    "project",
    "projects",
    "ppt",
    "cover",
    "page",
    "pdf",
    "h3",
}


def _differences_are_noise(left: str, right: str) -> bool:
    """Whether two similar titles differ only by small words or typos ("LCF"/"LFC"), not by
    a name ("Fiche ... Messidor" / "Fiche ... Woork" are two documents)."""
    left_words, right_words = set(left.split()), set(right.split())
    only_left, only_right = left_words - right_words, right_words - left_words
    for words, others in ((only_left, only_right), (only_right, only_left)):
        for word in words - _NOISE:
            if not any(_typo(word, other) for other in others):
                return False
    return True


def _typo(word: str, other: str) -> bool:
    """One slip of the keys ("LCF"/"LFC", "bond"/"bonds"), or a long word nearly the same."""
    if min(len(word), len(other)) >= 3 and DamerauLevenshtein.distance(word, other) <= 1:
        return True
    return min(len(word), len(other)) >= 6 and fuzz.ratio(word, other) >= 85


def _is_correspondence(citation: ParsedCitation) -> bool:
    return citation.document_type == "correspondence"


def _is_generic(title: str) -> bool:
    return len(title.split()) < 4 or bool(_GENERIC.search(title))


def _cluster(
    citations: Sequence[ParsedCitation], scopes: Sequence[str] | None = None
) -> tuple[list[str], dict[int, str]]:
    count = len(citations)
    groups = _Groups(count)
    titles = [normalise_title(c.title) for c in citations]
    urls = [_url_key(c) for c in citations]
    fixed: dict[int, str] = {}

    # 1. Correspondence: its own keys, never merged with anything else.
    for index, citation in enumerate(citations):
        if not _is_correspondence(citation):
            continue
        session = re.search(r"hack and learn", titles[index])
        when = citation.date[:7] or (str(citation.year) if citation.year else "")
        if session and when:
            fixed[index] = f"hack-and-learn-{when}"
            groups.rule[index] = f"the Hack and Learn session of {when}"
            continue
        scope = ""
        if not citation.date:
            scope = scopes[index] if scopes is not None else citation.original
        digest = _digest(f"{titles[index]}|{citation.date}|{scope}", 10)
        fixed[index] = f"correspondence-{_slug(titles[index])}-{digest}"
        groups.rule[index] = (
            "the same correspondence note and date" if citation.date else "an undated note"
        )
    others = [index for index in range(count) if index not in fixed]

    # 2. Same URL.
    by_url: dict[str, list[int]] = defaultdict(list)
    for index in others:
        if urls[index]:
            by_url[urls[index]].append(index)
    for url, members in by_url.items():
        for position, a in enumerate(members):
            for b in members[position + 1 :]:
                if not _years_agree(citations[a], citations[b]):
                    continue
                if (
                    titles[a]
                    and titles[b]
                    and titles[a] != titles[b]
                    and fuzz.token_set_ratio(titles[a], titles[b]) < URL_TITLE_THRESHOLD
                ):
                    continue  # one address, two documents (a page that lists several)
                groups.union(a, b, f"same URL ({url})")

    # 3. Same normalised title.
    by_title: dict[str, list[int]] = defaultdict(list)
    for index in others:
        if titles[index]:
            by_title[titles[index]].append(index)
    for title, members in by_title.items():
        years = {citations[i].year for i in members if citations[i].year is not None}
        for position, a in enumerate(members):
            for b in members[position + 1 :]:
                ca, cb = citations[a], citations[b]
                if ca.year != cb.year and (len(years) > 1 or not _years_agree(ca, cb)):
                    continue
                if not _publishers_agree(ca, cb):
                    continue
                if _GENERIC.search(title) and (urls[a] != urls[b] or not urls[a]):
                    continue  # "Own website", "GrantNav webpage": only the same page is one work
                if _is_generic(title) and urls[a] != urls[b]:
                    continue  # "Companies House" at two addresses: two records
                groups.union(a, b, f"same title ({title!r}, {ca.year or cb.year or 'no year'})")

    # 4. Fuzzy titles, between distinct titles of four words or more.
    distinct = sorted(t for t in by_title if len(t.split()) >= 4 and not _is_generic(t))
    for i, left in enumerate(distinct):
        matches = process.extract(
            left,
            distinct[i + 1 :],
            scorer=fuzz.token_sort_ratio,
            score_cutoff=FUZZY_THRESHOLD,
            limit=None,
        )
        for right, score, _ in matches:
            for a in by_title[left]:
                for b in by_title[right]:
                    ca, cb = citations[a], citations[b]
                    if not (_years_agree(ca, cb) and _publishers_agree(ca, cb)):
                        continue
                    year = ca.year or cb.year
                    if _series_marks(left, year) != _series_marks(right, year):
                        continue
                    if not _differences_are_noise(left, right):
                        continue
                    groups.union(a, b, f"similar titles ({left!r} ~ {right!r}, score {int(score)})")

    # Keys: from the members' most common title and year (then URL), not from input order.
    members_of: dict[int, list[int]] = defaultdict(list)
    for index in others:
        members_of[groups.find(index)].append(index)
    keys = [""] * count
    for index, key in fixed.items():
        keys[index] = key
    clusters_by_key: dict[str, list[list[int]]] = defaultdict(list)
    for members in members_of.values():
        titled = Counter((titles[i], citations[i].year or 0) for i in members)
        title, year = min(titled, key=lambda s: (-titled[s], s[0] == "", s))
        linked = Counter(urls[i] for i in members if urls[i])
        url = min(linked, key=lambda u: (-linked[u], u)) if linked else ""
        digest = _digest(f"{title}|{year}|{url}", 10)
        label = _slug(title or url) or "untitled"
        clusters_by_key[f"{label}-{year or 'nd'}-{digest}"].append(members)
    for key, clusters in clusters_by_key.items():
        for members in clusters:
            final = key
            if len(clusters) > 1:  # same title, year and URL, yet not one work: tell apart
                first = min(citations[i].original for i in members)
                final += "-" + _digest(first, 6)
            for index in members:
                keys[index] = final
    return keys, groups.rule


def _digest(text: str, length: int) -> str:
    # A short, stable fingerprint for a key; nothing secret depends on it.
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:length]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalise_title(text))[:50].strip("-")


def work_keys(
    citations: Sequence[ParsedCitation], *, scopes: Sequence[str] | None = None
) -> list[str]:
    """A stable key per citation; equal keys mean the same work. ``scopes`` (one per
    citation, e.g. the citing project's id) keeps undated correspondence from merging
    across projects; without it each undated note is its own work."""
    return _cluster(citations, scopes)[0]


def explain(
    citations: Sequence[ParsedCitation],
    keys: Sequence[str],
    *,
    scopes: Sequence[str] | None = None,
) -> list[str]:
    """Readable lines: each work, the citations merged into it and the rule that merged each."""
    _, rules = _cluster(citations, scopes)
    by_key: dict[str, list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        by_key[key].append(index)
    lines = [f"{len(citations)} citations -> {len(by_key)} works"]
    for key in sorted(by_key):
        members = by_key[key]
        first = citations[members[0]]
        lines.append(
            f"work {key}: {first.title or first.url or first.original!r}"
            f" [{first.document_type}] - {len(members)} citation(s)"
        )
        for index in members:
            rule = rules.get(index, "alone")
            lines.append(f"    {citations[index].original!r} <- {rule}")
    return lines
