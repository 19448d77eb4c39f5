"""The admin kit (``core.admin.base``) and the kernel's own admins: accounts, calendar, audit trail, jobs."""

from core.admin import accounts, documents, jobs, records, site  # noqa: F401  (each registers its admins)
