"""Insights: the case data as charts, a map, a gap map of the evidence and comparisons.

Every figure is an aggregate computed by the database over published records only; the
dashboard's population is exactly the case list's result set for the same parameters.
"""
