"""nimbus's database layer (SQLAlchemy 2 + oslo.db enginefacade).

Only the api, conductor and scheduler services load this package. The
compute service never does: it reaches the database through conductor, and
an import-linter contract keeps this package out of everything it loads.
"""
