"""``manage.py migrate`` as the owner role: the service's role owns nothing and may not change the schema.

Django's own command, run with the ``default`` connection switched to ``DATABASE_OWNER_URL`` (or the
embedded server's owner role) for its duration (decision 0012); ``post_migrate`` then reinstalls the audit
triggers and grants the service's role its rights (``core.apps``). Test databases go through here too.
Without an owner URL it is Django's command unchanged.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.commands import migrate
from django.db import connections

from core.database import roles


class Command(migrate.Command):
    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if getattr(settings, "DATABASE_EMBEDDED", False) and connection.settings_dict.get("OWNER"):
            from config import embedded  # the embedded server only: a database from before the two roles

            changed = embedded.adopt(connection.settings_dict["NAME"])
            if changed and options["verbosity"]:
                self.stdout.write(f"Handed {len(changed)} objects to {embedded.OWNER_ROLE} (decision 0012).")
        with roles.owner_session(connection):
            return super().handle(*args, **options)
