"""Bundled plugins: hypervisors, filters, weighers, networks, volumes, images."""
