"""The committed Great Expectations suites, one JSON per dataset: data only (installed as package data).

What each expectation type runs, for which rules: `credit.validation.registry`; the GX classes:
`credit.validation.gx_expectations`; the catalogue of rules: docs/rules.md.
"""
