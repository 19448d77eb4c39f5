"""The worker tests' firms and business accounts (tests/entities/worker_fixtures.py)."""

from tests.entities.worker_fixtures import firm_a, firm_b, owner_a, owner_b  # noqa: F401
