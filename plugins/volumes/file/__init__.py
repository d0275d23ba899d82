"""The ``file`` volume driver: volumes as sparse files in a directory."""
