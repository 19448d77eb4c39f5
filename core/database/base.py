"""Django's PostgreSQL backend, with test databases created, migrated and dropped by the owner role.

pytest-django (and Django's runner) create the test database through the ``default`` connection; here that
is the service's role, which may not create databases nor own tables. So creation, the migrations it runs
and the final drop switch the connection to the owner (``roles.owner_session``); the tests then run as the
service's role, on a database it owns nothing of, as in production.
"""

from __future__ import annotations

from django.conf import settings
from django.db.backends.postgresql import base, creation

from core.database import roles


class DatabaseCreation(creation.DatabaseCreation):
    def create_test_db(self, *args, **kwargs):
        with roles.owner_session(self.connection):
            name = super().create_test_db(*args, **kwargs)
            service_role = roles.service_role(self.connection)
            if service_role:  # again: createcachetable runs after migrate's post_migrate
                roles.grant_service_role(self.connection, service_role)
        return name

    def _create_test_db(self, verbosity, autoclobber, keepdb=False):
        if getattr(settings, "DATABASE_EMBEDDED", False) and self.connection.settings_dict.get("OWNER"):
            from config import embedded  # the embedded server only: its superuser hands over a left-over

            embedded.release(self._get_test_db_name())
        return super()._create_test_db(verbosity, autoclobber, keepdb)

    def _clone_test_db(self, suffix, verbosity, keepdb=False):
        with roles.owner_session(self.connection):
            return super()._clone_test_db(suffix, verbosity, keepdb)

    def destroy_test_db(self, *args, **kwargs):
        with roles.owner_session(self.connection):
            return super().destroy_test_db(*args, **kwargs)


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
