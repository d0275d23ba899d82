"""Image plugins."""
