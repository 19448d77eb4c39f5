"""The regulator app's admins live in its rooms; importing them here registers them (admin autodiscovery).

disclosure: its own admin, 变更推送 (admin_feeds, which registers the feed tasks too), 双公示记录 (admin_publicity);
lists: its own admin, 诚信评选 (admin_awards), 定时导入 (admin_import_sources).
"""

from regulator.disclosure import admin as disclosure_admin  # noqa: F401
from regulator.disclosure import admin_feeds, admin_publicity  # noqa: F401
from regulator.lists import admin as lists_admin  # noqa: F401
from regulator.lists import admin_awards, admin_import_sources  # noqa: F401
