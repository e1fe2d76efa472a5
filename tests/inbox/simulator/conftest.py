"""A simulated number with a customer who just wrote, and the browser fixtures of tests/browser."""

import pytest

from inbox.simulator import phone
from inbox.simulator.models import SimCustomer, SimNumber
from tests.browser.conftest import browser, new_context  # noqa: F401 -- re-exported fixtures
from tests.inbox.simulator.helpers import make_number


@pytest.fixture
def number(db: None) -> SimNumber:
    return make_number()


@pytest.fixture
def customer(number: SimNumber) -> SimCustomer:
    """A customer who wrote a moment ago: the 24-hour window is open."""
    customer = phone.start_chat(number, "+54 9 11 2233-4455", "Ana")
    phone.say(customer, "Hola")
    customer.refresh_from_db()
    return customer
