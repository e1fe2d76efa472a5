"""ContactFilter against real rows: each kind of filter, the account's time zone, sorting with
nulls last, other accounts' tags, and the query-string and JSON round trips."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.http import QueryDict

from audience.filters import Condition, ContactFilter
from audience.models import Contact, CustomField, Tag
from spoter.accounts.models import Account
from tests.conftest import Team


def contact(account: Account, name: str, **fields: object) -> Contact:
    return Contact.objects.for_account(account).create(account=account, name=name, **fields)


def names(contact_filter: ContactFilter, account: Account) -> list[str]:
    return list(contact_filter.apply(account).values_list("name", flat=True))


def same(contact_filter: ContactFilter, account: Account) -> set[str]:
    return set(names(contact_filter, account))


@pytest.fixture
def tagged(acme: Team) -> dict[str, Tag]:
    account = acme.account
    vip, news = (Tag.objects.for_account(account).create(account=account, name=n) for n in ("VIP", "News"))
    contact(account, "Ana").tags.add(vip, news)
    contact(account, "Beto").tags.add(vip)
    contact(account, "Caro").tags.add(news)
    contact(account, "Dani")
    return {"vip": vip, "news": news}


def test_tags_any_all_none(acme: Team, tagged: dict[str, Tag]) -> None:
    account, vip, news = acme.account, tagged["vip"].id, tagged["news"].id
    assert same(ContactFilter(tags_any=(vip, news)), account) == {"Ana", "Beto", "Caro"}
    assert same(ContactFilter(tags_all=(vip, news)), account) == {"Ana"}
    assert same(ContactFilter(tags_none=(vip,)), account) == {"Caro", "Dani"}
    assert same(ContactFilter(tags_any=(news,), tags_none=(vip,)), account) == {"Caro"}


def test_another_accounts_tag_matches_nothing(acme: Team, globex: Team, tagged: dict[str, Tag]) -> None:
    theirs = Tag.objects.for_account(globex.account).create(account=globex.account, name="VIP")
    contact(globex.account, "Zoe").tags.add(theirs)
    assert names(ContactFilter(tags_any=(theirs.id,)), acme.account) == []
    assert names(ContactFilter(tags_all=(theirs.id,)), acme.account) == []
    # Excluding it excludes nobody of acme.
    assert len(names(ContactFilter(tags_none=(theirs.id,)), acme.account)) == 4
    # Even a link from an acme contact to a globex tag (never made by our code) is not followed.
    Contact.objects.for_account(acme.account).get(name="Dani").tags.add(theirs)
    assert names(ContactFilter(tags_any=(theirs.id,)), acme.account) == []


def test_a_deleted_tag_matches_nothing(acme: Team, tagged: dict[str, Tag]) -> None:
    gone = tagged["vip"].id
    tagged["vip"].delete()
    assert names(ContactFilter(tags_any=(gone,)), acme.account) == []
    assert len(names(ContactFilter(tags_none=(gone,)), acme.account)) == 4


def test_custom_field_number_date_contains_empty_set(acme: Team, globex: Team) -> None:
    account = acme.account
    CustomField.objects.for_account(account).create(account=account, key="edad", label="Edad", kind="number")
    CustomField.objects.for_account(account).create(account=account, key="alta", label="Alta", kind="date")
    CustomField.objects.for_account(account).create(account=account, key="empresa", label="Empresa")
    contact(account, "Ana", custom_fields={"edad": 9, "alta": "2024-03-01", "empresa": "Acme SA"})
    contact(account, "Beto", custom_fields={"edad": 41, "alta": "2025-01-15", "empresa": ""})
    contact(account, "Caro", custom_fields={"edad": 100})
    contact(account, "Dani")

    def run(*conditions: Condition) -> set[str]:
        return same(ContactFilter(conditions=conditions), account)

    # Numbers compare as numbers (9 < 41 < 100), not as text ("100" < "41" < "9").
    assert run(Condition("field:edad", "gt", "40")) == {"Beto", "Caro"}
    assert run(Condition("field:edad", "lt", "41")) == {"Ana"}
    assert run(Condition("field:edad", "gt", "9,5")) == {"Beto", "Caro"}  # decimal comma
    assert run(Condition("field:alta", "gt", "2024-12-31")) == {"Beto"}
    assert run(Condition("field:alta", "lt", "2025-01-01")) == {"Ana"}
    assert run(Condition("field:empresa", "contains", "acme")) == {"Ana"}
    assert run(Condition("field:empresa", "eq", "ACME sa")) == {"Ana"}
    assert run(Condition("field:empresa", "empty")) == {"Beto", "Caro", "Dani"}
    assert run(Condition("field:empresa", "set")) == {"Ana"}
    # A key the account does not have (deleted, or only globex's) matches nobody.
    CustomField.objects.for_account(globex.account).create(account=globex.account, key="plan", label="Plan")
    contact(account, "Eva", custom_fields={"plan": "oro"})
    assert run(Condition("field:plan", "set")) == set()


def test_built_in_fields(acme: Team) -> None:
    account = acme.account
    contact(account, "Ana", email="ana@example.com", phone="+5491155550001")
    contact(account, "Beto", email="")
    assert same(ContactFilter(conditions=(Condition("email", "contains", "EXAMPLE"),)), account) == {"Ana"}
    assert same(ContactFilter(conditions=(Condition("email", "empty"),)), account) == {"Beto"}
    assert same(ContactFilter(conditions=(Condition("phone", "set"),)), account) == {"Ana"}
    assert same(ContactFilter(q="5555"), account) == {"Ana"}
    assert same(ContactFilter(q="bet"), account) == {"Beto"}


def test_opted_out_and_blocked(acme: Team) -> None:
    account, now = acme.account, datetime(2025, 5, 1, tzinfo=UTC)
    contact(account, "Ana", opted_out_at=now)
    contact(account, "Beto", blocked_at=now)
    contact(account, "Caro")
    assert same(ContactFilter(opted_out="yes"), account) == {"Ana"}
    assert same(ContactFilter(opted_out="no"), account) == {"Beto", "Caro"}
    assert same(ContactFilter(blocked="yes"), account) == {"Beto"}
    assert same(ContactFilter(blocked="no", opted_out="no"), account) == {"Caro"}


def test_last_seen_is_by_day_in_the_accounts_zone(acme: Team) -> None:
    account = acme.account  # America/Argentina/Buenos_Aires, UTC-3
    # 02:00 UTC on May 2nd is still May 1st, 23:00, in Buenos Aires.
    contact(account, "Ana", last_seen_at=datetime(2025, 5, 2, 2, 0, tzinfo=UTC))
    contact(account, "Beto", last_seen_at=datetime(2025, 5, 2, 4, 0, tzinfo=UTC))
    contact(account, "Caro")
    may_2 = datetime(2025, 5, 2).date()
    assert same(ContactFilter(seen_after=may_2), account) == {"Beto"}
    assert same(ContactFilter(seen_before=may_2), account) == {"Ana"}
    assert same(ContactFilter(never_seen=True), account) == {"Caro"}
    account.time_zone = "UTC"
    assert same(ContactFilter(seen_after=may_2), account) == {"Ana", "Beto"}


def test_sort_puts_never_seen_last_both_ways(acme: Team) -> None:
    account = acme.account
    contact(account, "Never")
    contact(account, "Old", last_seen_at=datetime(2024, 1, 1, tzinfo=UTC))
    contact(account, "New", last_seen_at=datetime(2025, 1, 1, tzinfo=UTC))
    assert names(ContactFilter(sort="-last_seen_at"), account) == ["New", "Old", "Never"]
    assert names(ContactFilter(sort="last_seen_at"), account) == ["Old", "New", "Never"]
    assert names(ContactFilter(sort="name"), account) == ["Never", "New", "Old"]
    assert names(ContactFilter(sort="-name"), account) == ["Old", "New", "Never"]
    assert names(ContactFilter(), account) == ["New", "Old", "Never"]  # newest created first


def test_query_string_and_json_round_trip() -> None:
    original = ContactFilter(
        q="ana",
        tags_any=(1, 2),
        tags_all=(3,),
        tags_none=(4,),
        conditions=(Condition("field:edad", "gt", "40"), Condition("email", "empty")),
        opted_out="no",
        blocked="yes",
        seen_after=datetime(2025, 1, 1).date(),
        seen_before=datetime(2025, 2, 1).date(),
        never_seen=True,
        sort="name",
    )
    assert ContactFilter.from_query(QueryDict(original.to_query())) == original
    assert ContactFilter.from_json(original.to_json()) == original


def test_junk_input_is_dropped_not_turned_into_lookups() -> None:
    junk = QueryDict(
        "tag_any=x&tag_any=7&cond=account_id|eq|2&cond=name|regex|.*&cond=field:a%20b|eq|1"
        "&opted_out=maybe&seen_after=yesterday&sort=password"
    )
    parsed = ContactFilter.from_query(junk)
    assert parsed == ContactFilter(tags_any=(7,))
