"""Scheduler filters: one class per file."""
