"""Deployments, schedules and alerts as code."""
