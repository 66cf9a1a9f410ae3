"""Prefect tasks: thin wrappers over the steps of credit.steps (one task per step, per unit where it runs
per unit), adding logs, named states and artifacts."""
