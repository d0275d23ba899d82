"""The in-process transport (``local://``): see :mod:`.driver`."""
