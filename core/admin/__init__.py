"""The admin kit (``core.admin.base``) and the kernel's own admins: accounts, calendar, audit trail, jobs."""

from core.admin import accounts, clients, documents, jobs, records, site  # noqa: F401  (each registers its admins)
