"""Django admin (in Chinese) for regulators: the site gate, accounts, lists and due process, audit and calendar.

The shared machinery (role check, read-only records, transitions through the
services) is in :mod:`regulator.admin.base`; the admins of the other apps use it.
"""

from regulator.admin import accounts, listings, records, site  # noqa: F401  (each registers its admins)
