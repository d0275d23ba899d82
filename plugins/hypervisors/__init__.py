"""Hypervisor plugins."""
