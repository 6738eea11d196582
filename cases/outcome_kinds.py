"""Kinds of outcome: a metric's definition read against a curated list of patterns.

The kind is stored on each metric (``OutcomeMetric.outcome_kind``, set when it is saved and
by ``cases.services.refresh_derived_fields`` after an import), so that the price benchmarks
read it instead of classifying every price's definition while a page waits (at 100,000
cases, a policy area's page spent 1.5 s of its 3 s in this function). No model is imported
here: the model's ``save()`` uses it.
"""

from __future__ import annotations

import functools
import re

# Kinds of outcome, the first pattern that matches a metric's definition wins (case is
# ignored; patterns are plain alternations that PostgreSQL and SQLite read alike).
KINDS: list[tuple[str, str, str]] = [
    (
        "sustained-employment",
        "Sustained employment",
        r"(job|employ|work)[^.]*(sustain|retention|retain|[0-9]+ ?(weeks|months))"
        r"|(sustain|retention|[0-9]+ ?(weeks|months))[^.]*(job|employ|work)",
    ),
    (
        "job-entry",
        "Entry into employment",
        r"(entry|entering|start|into|gain|finds)[^.]*(job|employ|work)|job (entr|placement)",
    ),
    (
        "accommodation-sustained",
        "Accommodation sustained",
        r"(accommodation|accomodation|tenanc|housing|housed)[^.]*(sustain|[0-9]+ ?(weeks|months))"
        r"|(sustain)[^.]*(accommodation|accomodation|tenanc|housing)",
    ),
    (
        "accommodation-entry",
        "Entry into accommodation",
        r"accommodation|accomodation|tenanc|housing|housed|homeless",
    ),
    (
        "reduced-reoffending",
        "Reduced reoffending",
        r"reoffend|re-offend|reconvict|re-convict|recidiv|re-incarcerat|reincarcerat|convictions",
    ),
    (
        "school-attainment",
        "Education: attainment and qualifications",
        r"qualification|attainment|exam|gcse|key stage|literacy|numeracy|learning gain"
        r"|test result|educational completion|basic skills|english (for|as a)",
    ),
    (
        "school-attendance",
        "Education: attendance, behaviour and staying in school",
        r"attendance|truan|enrolled in (high )?school|school enrol|out-of-school"
        r"|school behaviour|attitude to school",
    ),
    (
        "care-avoided",
        "Children kept out of care",
        r"care placement|in care|out-of-home|foster|placement days|edge of care",
    ),
    (
        "health-improved",
        "Health improved",
        r"health|diabet|hba1c|blood pressure|hospital|wellbeing|well being|depress|dementia"
        r"|cured|into (drug|alcohol) treatment|viral load",
    ),
    (
        "engagement",
        "Engagement and assessment",
        r"engage|assessment|initial plan|enrolment in programme",
    ),
]
KIND_LABELS = {key: label for key, label, _pattern in KINDS} | {"": "Not assigned"}


# The patterns are lower case; the definition is lowered once instead of matching each pattern
# with IGNORECASE (three times faster: 80,000 definitions in 1.2 s, not 3.7 s).
# (tests/insights/test_prices.py checks they stay lower case).
_PATTERNS = [(key, re.compile(pattern)) for key, _l, pattern in KINDS]


# Real data repeats a few hundred definitions; a bounded memo, so that synthetic or unusual
# data (every definition its own) cannot grow a worker's memory.
@functools.lru_cache(maxsize=4096)
def outcome_kind(definition: str | None) -> str:
    """The kind of outcome of a metric's definition, or '': the first kind whose pattern it
    contains. Read in Python when a metric is written: as a CASE of regular expressions over
    a subquery in SQL, the database ran the subquery and the expressions once per kind for
    every price (21 s for a policy area's page at 100,000 projects)."""
    if not definition:
        return ""
    lowered = definition.lower()
    return next((key for key, pattern in _PATTERNS if pattern.search(lowered)), "")
