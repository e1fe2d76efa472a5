"""Bank debit mandates (BIL-3): the CBU and CUIT with their check digits, and the admin's page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from billing.mandates import current_mandate, record_mandate
from billing.models import BankMandate
from billing.validators import (
    CBU_BLOCK1_WEIGHTS,
    CBU_BLOCK2_WEIGHTS,
    cbu_check_digit,
    cuit_check_digit,
    validate_cbu,
    validate_cuit,
)
from spoter.accounts.models import Role
from tests.conftest import Team, client_for

# Published examples: a Banco Macro CBU, and the CUITs of Banco Nación and AFIP.
GOOD_CBU = "2850590940090418135201"
OTHER_CBU = "0110599520000001234569"  # Banco Nación, branch 0599
GOOD_CUIT = "30-50001091-2"
AFIP_CUIT = "33693450239"


def url(team: Team, **query: str) -> str:
    base = reverse("billing_bank_debit", kwargs={"account_slug": team.account.slug})
    return base + (f"?next={query['next']}" if query else "")


def mandate(**changes: str) -> dict[str, str]:
    return {
        "cbu": "285 0590 9 400904181352-01",
        "business_name": "Panadería Ñandú S.A.",
        "cuit": GOOD_CUIT,
        "holder": "María José Pérez",
    } | changes


def mandates(team: Team) -> list[BankMandate]:
    return list(BankMandate.objects.for_account(team.account).order_by("id"))


@pytest.mark.parametrize(
    "value", [GOOD_CBU, OTHER_CBU, "285-05909 40090418135201", " 2850590940090418135201 "]
)
def test_good_cbus_pass(value: str) -> None:
    validate_cbu(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2850590840090418135201", "The CBU's first block does not check: 2850590"),
        ("2850590940090418135202", "The CBU's second block does not check: the account number 4009041813520"),
        ("285059094009041813520", "A CBU has 22 digits; this one has 21."),
        ("28505909400904181352011", "A CBU has 22 digits; this one has 23."),
        ("", "A CBU has 22 digits; this one has 0."),
        ("2850590940090418135A01", "A CBU has only digits"),
        ("CBU 2850590940090418135201", "A CBU has only digits"),
    ],
)
def test_bad_cbus_say_what_is_wrong(value: str, message: str, english: None) -> None:
    with pytest.raises(ValidationError) as error:
        validate_cbu(value)
    assert message in error.value.messages[0]


@pytest.mark.parametrize("value", [GOOD_CUIT, AFIP_CUIT, "20-12345678-6", "27 25123456 1"])
def test_good_cuits_pass(value: str) -> None:
    validate_cuit(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("30-50001091-3", "The CUIT's check digit (the last one) does not match"),
        ("30-5000109-2", "A CUIT has 11 digits"),
        ("30-50001091-2X", "A CUIT has 11 digits"),
        ("ab-cdefghij-k", "A CUIT has 11 digits"),
        ("21-50001091-2", "A CUIT starts with 20, 23, 24, 27, 30, 33, 34; this one starts with 21."),
        # 30-00000004-?: the algorithm gives 10, which no CUIT has.
        ("30000000040", "The CUIT's check digit"),
    ],
)
def test_bad_cuits_say_what_is_wrong(value: str, message: str, english: None) -> None:
    assert cuit_check_digit("3000000004") is None
    with pytest.raises(ValidationError) as error:
        validate_cuit(value)
    assert message in error.value.messages[0]


def build_cbu(bank_branch: str, account: str) -> str:
    return (
        bank_branch
        + str(cbu_check_digit(bank_branch, CBU_BLOCK1_WEIGHTS))
        + account
        + str(cbu_check_digit(account, CBU_BLOCK2_WEIGHTS))
    )


@given(
    bank_branch=st.text(alphabet="0123456789", min_size=7, max_size=7),
    account=st.text(alphabet="0123456789", min_size=13, max_size=13),
    position=st.integers(min_value=0, max_value=21),
    shift=st.integers(min_value=1, max_value=9),
)
def test_any_single_wrong_digit_of_a_cbu_is_caught(
    bank_branch: str, account: str, position: int, shift: int
) -> None:
    cbu = build_cbu(bank_branch, account)
    validate_cbu(cbu)
    typo = cbu[:position] + str((int(cbu[position]) + shift) % 10) + cbu[position + 1 :]
    with pytest.raises(ValidationError):
        validate_cbu(typo)


@given(
    prefix=st.sampled_from(["20", "23", "24", "27", "30", "33", "34"]),
    number=st.text(alphabet="0123456789", min_size=8, max_size=8),
    position=st.integers(min_value=2, max_value=10),
    shift=st.integers(min_value=1, max_value=9),
)
def test_any_single_wrong_digit_of_a_cuit_is_caught(
    prefix: str, number: str, position: int, shift: int
) -> None:
    check = cuit_check_digit(prefix + number)
    if check is None:
        return  # no valid CUIT with these ten digits
    cuit = f"{prefix}{number}{check}"
    validate_cuit(cuit)
    typo = cuit[:position] + str((int(cuit[position]) + shift) % 10) + cuit[position + 1 :]
    with pytest.raises(ValidationError):
        validate_cuit(typo)


def test_the_admin_records_a_mandate(acme: Team) -> None:
    response = client_for(acme.admin).post(url(acme), mandate())
    assert response.status_code == 302
    assert response["Location"] == reverse("billing", kwargs={"account_slug": acme.account.slug})
    [saved] = mandates(acme)
    assert (saved.cbu, saved.cuit) == (GOOD_CBU, "30500010912")  # digits only
    assert (saved.business_name, saved.holder) == ("Panadería Ñandú S.A.", "María José Pérez")
    assert saved.created_by == acme.admin.user
    assert saved.revoked_at is None


def test_the_page_shows_the_current_mandate_masked(acme: Team) -> None:
    client = client_for(acme.admin)
    assert 'data-testid="current-mandate"' not in client.get(url(acme)).content.decode()
    client.post(url(acme), mandate())
    page = client.get(url(acme)).content.decode()
    assert 'data-testid="current-mandate"' in page
    assert "285•••••••••••••••5201" in page
    assert GOOD_CBU not in page
    assert "30-50001091-2" in page
    assert "Panadería Ñandú S.A." in page


def test_a_new_mandate_revokes_the_previous_one(acme: Team, globex: Team) -> None:
    record_mandate(globex.account, created_by=globex.admin.user, **mandate())
    client = client_for(acme.admin)
    client.post(url(acme), mandate())
    client.post(url(acme), mandate(cbu=OTHER_CBU, cuit=AFIP_CUIT, holder="Juan Gómez"))
    first, second = mandates(acme)
    assert first.revoked_at is not None
    assert second.revoked_at is None
    assert current_mandate(acme.account) == second
    assert second.cbu == OTHER_CBU
    # Another account's mandate is untouched.
    assert current_mandate(globex.account) is not None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"cbu": "2850590940090418135202"}, "cbu", "The CBU's second block does not check"),
        ({"cbu": "2850590840090418135201"}, "cbu", "The CBU's first block does not check"),
        ({"cbu": "12345"}, "cbu", "A CBU has 22 digits; this one has 5."),
        ({"cbu": "28505909400904181352OI"}, "cbu", "A CBU has only digits"),
        ({"cuit": "30-50001091-3"}, "cuit", "The CUIT's check digit"),
        ({"cuit": "3050001091"}, "cuit", "A CUIT has 11 digits"),
        ({"holder": ""}, "holder", "This field is required."),
        ({"business_name": " "}, "business_name", "This field is required."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    acme: Team, english: None, changes: dict[str, str], field: str, message: str
) -> None:
    client = client_for(acme.admin)
    client.post(url(acme), mandate(cbu=OTHER_CBU))
    response = client.post(url(acme), mandate(**changes))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    [kept] = mandates(acme)
    assert kept.revoked_at is None  # the previous mandate still stands


def test_the_service_refuses_a_bad_cbu_too(acme: Team) -> None:
    with pytest.raises(ValidationError):
        record_mandate(acme.account, created_by=acme.admin.user, **mandate(cbu="2850590940090418135202"))
    assert mandates(acme) == []


def test_saving_returns_to_a_page_of_the_same_account(acme: Team) -> None:
    back = reverse("billing_invoices", kwargs={"account_slug": acme.account.slug}) + "?from=plan"
    client = client_for(acme.admin)
    page = client.get(url(acme, next=back)).content.decode()
    assert f'name="next" value="{back}"' in page
    response = client.post(url(acme), {**mandate(), "next": back})
    assert response["Location"] == back


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/a/acme/billing/", "//evil.example/a/acme/", "/a/globex/billing/", "/admin/"],
)
def test_saving_never_redirects_elsewhere(acme: Team, next_url: str) -> None:
    response = client_for(acme.admin).post(url(acme), {**mandate(), "next": next_url})
    assert response["Location"] == reverse("billing", kwargs={"account_slug": acme.account.slug})


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.OPERATOR])
def test_only_admins_record_mandates(acme: Team, role: Role) -> None:
    client = client_for(acme.member(role))
    assert client.get(url(acme)).status_code == 403
    assert client.post(url(acme), mandate()).status_code == 403
    assert mandates(acme) == []


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    client: Client = client_for(globex.admin)
    assert client.post(url(acme), mandate()).status_code == 404
    assert mandates(acme) == []


# Superscript and Arabic-Indic digits: str.isdigit() takes them, int() does not.
@pytest.mark.parametrize("value", ["²" * 22, "\u0660" * 22, "20" + "²" * 9])
def test_digits_of_other_scripts_are_refused_not_a_500(value: str) -> None:
    with pytest.raises(ValidationError):
        validate_cbu(value)
    with pytest.raises(ValidationError):
        validate_cuit(value)
