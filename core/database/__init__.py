"""The database backend of the service: PostgreSQL with two roles (decision 0012).

``ENGINE = "core.database"`` (set by ``config.settings.audit_trail``) is Django's PostgreSQL backend whose
test-database creation runs as the owner role; ``core.database.roles`` switches a connection to the owner
(``migrate``), gives the service's role its rights after each migrate, and opens an owner connection.
"""
