"""Prefect tasks: one step each, thin wrappers over credit.pipeline."""
