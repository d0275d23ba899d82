"""Conductor's move workflows, one module per task, on :mod:`.base`."""
