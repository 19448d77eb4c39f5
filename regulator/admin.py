"""The regulator app's admins live in its rooms; importing them here registers them (admin autodiscovery)."""

from regulator.disclosure import admin as disclosure_admin  # noqa: F401
from regulator.lists import admin as lists_admin  # noqa: F401
