"""Scheduler weighers: one class per file."""
