"""Interfaces of the kernel: one abc.ABC per plugin area."""
