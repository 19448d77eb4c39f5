"""The OpenAPI schema generates a working client: openapi-python-client, then real calls against a live server.

Issue #17 item 6: a client generated from ``/api/schema/`` must import (the token operation once raised
``NameError: Unset``), and its answers must parse into the generated model classes rather than ``None``
(operations without a response schema). This test does what a department's developer would do: fetch
the schema from a running server, generate the client into a temporary folder, import it, get a token,
search the public black list, run a licence check and read ``me/``.

The generator runs in a subprocess (its own ``python -m openapi_python_client``) into ``tmp_path``, so
parallel workers never share a package; the package gets a name of its own and leaves ``sys.modules`` clean.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
import uuid

import httpx
import pytest

from core.models import UserRole
from tests.support.factories import EntityFactory, UserFactory
from tests.support.states import listing_in

PASSWORD = "correct-horse-battery"  # tests.support.factories.UserFactory


@pytest.fixture
def generated_client(live_server, transactional_db, tmp_path):
    """The package openapi-python-client generates from the live server's schema, imported."""
    schema = httpx.get(f"{live_server.url}/api/schema/", params={"format": "json"}, timeout=30)
    assert schema.status_code == 200, schema.text[:500]
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema.json()), encoding="utf-8")
    name = f"credit_client_{uuid.uuid4().hex[:8]}"
    config = tmp_path / "config.yml"
    # No post hooks (they would run ruff on the output); a PDF or NDJSON answer is bytes or text to the client.
    config.write_text(f"post_hooks: []\nproject_name_override: {name}\npackage_name_override: {name}\n"
                      "content_type_overrides:\n  application/pdf: application/octet-stream\n"
                      "  application/x-ndjson: text/plain\n", encoding="utf-8")
    generated = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(path), "--meta", "none",
         "--output-path", str(tmp_path / name), "--config", str(config)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    # A warning means part of the schema was dropped from the client (an operation or a response).
    assert "Warning" not in generated.stdout, generated.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(name), name
    finally:
        sys.path.remove(str(tmp_path))
        for module in [module for module in sys.modules if module == name or module.startswith(f"{name}.")]:
            del sys.modules[module]


@pytest.fixture
def world(transactional_db):
    listed = EntityFactory(name="运城市黑名单测试旅行社有限公司")
    listing = listing_in(entity=listed, list_type="black")
    own = EntityFactory(name="运城市自助测试旅行社有限公司")
    UserFactory(username="client-regulator", role=UserRole.REGULATOR)
    UserFactory(username="client-business", role=UserRole.BUSINESS, entities=[own])
    return {"listed": listed, "listing": listing, "own": own}


def _module(package: str, dotted: str):
    return importlib.import_module(f"{package}.{dotted}")


def _import_every_module(package, name: str) -> dict[str, str]:
    failed = {}
    for info in pkgutil.walk_packages(package.__path__, f"{name}."):
        try:
            importlib.import_module(info.name)
        except Exception as exc:  # noqa: BLE001 - any failure to import is the finding
            failed[info.name] = repr(exc)
    return failed


def test_the_generated_client_imports_and_parses_token_blacklist_licence_check_and_me(generated_client, live_server,
                                                                                      world):
    """One generation (the slow part) for both checks: every module imports, and four calls parse."""
    package, name = generated_client
    assert not _import_every_module(package, name)
    models = _module(name, "models")
    token_create = _module(name, "api.accounts.api_v1_auth_token_create")
    blacklist = _module(name, "api.public.api_v1_public_blacklist_retrieve")
    licence_check = _module(name, "api.licence_checks.api_v1_licence_checks_create")
    me = _module(name, "api.self_service.api_v1_me_retrieve")
    anonymous = package.Client(base_url=live_server.url, raise_on_unexpected_status=True)

    def login(username: str):
        issued = token_create.sync(client=anonymous, body=models.AuthTokenRequest(username=username,
                                                                                   password=PASSWORD))
        assert isinstance(issued, models.TokenIssued), issued
        assert issued.token
        # The security scheme documents the prefix: `Authorization: Token <token>` (not Bearer).
        return package.AuthenticatedClient(base_url=live_server.url, token=issued.token, prefix="Token",
                                           raise_on_unexpected_status=True)

    regulator = login("client-regulator")

    page = blacklist.sync(client=anonymous, q="黑名单测试")
    assert isinstance(page, models.PublicListPage), page
    assert page.count == 1
    assert isinstance(page.results[0], models.PublicListing)
    assert page.results[0].credit_code == world["listed"].credit_code
    assert page.results[0].list_type == models.ListTypeEnum.BLACK
    assert isinstance(page.receipt, models.Receipt)
    assert page.receipt.payload.kind == "public_blacklist"

    answer = licence_check.sync(client=regulator, body=models.LicenceCheckRequest(
        licence_type=models.LicenceTypeEnum("travel_agency_business"),
        applicant_credit_code=world["listed"].credit_code))
    assert isinstance(answer, models.LicenceCheckAnswer), answer
    assert answer.allowed is False
    assert isinstance(answer.blocking[0], models.LicenceCheckRow)
    assert answer.blocking[0].listing_id == world["listing"].pk
    assert isinstance(answer.receipt, models.Receipt)

    mine = me.sync(client=login("client-business"))
    assert isinstance(mine, models.SelfService), mine
    assert mine.username == "client-business"
    assert isinstance(mine.entities[0], models.MeEntity)
    assert mine.entities[0].credit_code == world["own"].credit_code
    assert mine.entities[0].score == mine.entities[0].credit.score
