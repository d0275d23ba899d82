"""The scheduler: filters, weighers and atomic resource claims."""
