"""The evidence-strength scale: what each rating means, shown wherever a rating is."""

from __future__ import annotations

from evidence.models import EvidenceRating

SCALE = [
    (
        EvidenceRating.DESCRIPTIVE,
        "Describes outcomes without any comparison: monitoring data, case studies, "
        "testimony. It can show what happened, not what the intervention caused.",
    ),
    (
        EvidenceRating.BEFORE_AFTER,
        "Compares the same group before and after the intervention, with no comparison "
        "group. Changes may come from other causes (the economy, people's own recovery).",
    ),
    (
        EvidenceRating.COMPARISON,
        "Compares participants with a group that did not take part, or with a historical "
        "baseline, without showing the groups were alike beforehand.",
    ),
    (
        EvidenceRating.MATCHED,
        "Compares participants with a comparison group shown to be alike on the factors "
        "that matter (matching, difference-in-differences, regression discontinuity).",
    ),
    (
        EvidenceRating.RANDOMISED,
        "Assigns people (or places) to the intervention or a control group at random, "
        "with enough of them and little attrition: differences in outcomes can be "
        "attributed to the intervention.",
    ),
]

MEANINGS = {int(rating): text for rating, text in SCALE}
