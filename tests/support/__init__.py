"""What every test folder shares: one API client, one page client, one today, and objects made by the services.

* ``clients``: ``api_client`` (DRF, force-authenticated or with a real token; ``api_token`` for the raw
  token) and ``page_client`` (Django's client for the web pages and the admin);
* ``dates``: ``today``, the service's date in Asia/Shanghai;
* ``states``: ``listing_in`` and ``complaint_in``, a listing or a complaint in any state, walked
  there through the services;
* ``factories``: the factory_boy factories of the registry and the accounts.
"""

from tests.support.clients import api_client, api_token, page_client
from tests.support.dates import today
from tests.support.states import DECISION, complaint_in, listing_in

__all__ = ["DECISION", "api_client", "api_token", "complaint_in", "listing_in", "page_client", "today"]
