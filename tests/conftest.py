"""Two accounts, each with an admin, a supervisor and an operator (healthchecks' hc/test.py idea)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from billing.catalogue import PERSONALIZADO
from billing.subscriptions import put_on_plan
from spoter.accounts.models import Account, Membership, Role, User
from spoter.celery import app

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """The cache (Redis under `make test`) outlives the test database: forget what the last test
    left there, such as allauth's rate-limit counters."""
    cache.clear()


def make_member(account: Account, email: str, role: Role) -> Membership:
    user = User.objects.create_user(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return account.memberships.create(user=user, role=role)


@dataclass
class Team:
    account: Account
    admin: Membership
    supervisor: Membership
    operator: Membership

    def member(self, role: Role) -> Membership:
        return {Role.ADMIN: self.admin, Role.SUPERVISOR: self.supervisor, Role.OPERATOR: self.operator}[role]


def make_team(slug: str) -> Team:
    account = Account.objects.create(name=slug.title(), slug=slug)
    # A large customer: the features under test are not held back by plan limits, which
    # tests/billing/ covers on its own accounts.
    put_on_plan(account, PERSONALIZADO, extra_lines=50, extra_operators=50)
    return Team(
        account=account,
        admin=make_member(account, f"admin@{slug}.test", Role.ADMIN),
        supervisor=make_member(account, f"supervisor@{slug}.test", Role.SUPERVISOR),
        operator=make_member(account, f"operator@{slug}.test", Role.OPERATOR),
    )


@pytest.fixture
def acme(db: None) -> Team:
    return make_team("acme")


@pytest.fixture
def globex(db: None) -> Team:
    return make_team("globex")


def client_for(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture
def worker(transactional_db: None) -> Iterator[None]:
    """A real Celery worker (solo pool, in a thread) consuming the test Redis broker."""
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.fixture
def english(request: pytest.FixtureRequest) -> Iterator[None]:
    """Messages in English (the default is es-AR): the acme account speaks it, and so does code
    called outside a request."""
    if "acme" in request.fixturenames:
        account = request.getfixturevalue("acme").account
        account.language = "en"
        account.save(update_fields=["language"])
    with translation.override("en"):
        yield
