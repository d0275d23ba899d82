"""The ``local`` image plugin: a directory of images with metadata."""
