"""The full-text index of projects (see common.search for how an index works)."""

from __future__ import annotations

from common.search import FullTextIndex

PROJECTS = FullTextIndex(
    table="cases_project",
    columns=(("name", "A"), ("search_text", "B")),
    passage_column="search_text",
)

# Pipeline projects: their names, and what they are about (no description column of its own:
# the challenge, the intervention, the rationale and the population together describe one).
PIPELINES = FullTextIndex(
    table="cases_pipeline",
    columns=(
        ("name", "A"),
        ("alternative_names", "A"),
        ("social_challenge", "B"),
        ("intervention_model", "B"),
        ("rationale", "C"),
        ("target_population", "C"),
    ),
)
