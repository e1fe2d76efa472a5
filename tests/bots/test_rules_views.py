"""The rules, follow-ups and secrets pages: supervisors only, clear errors, nothing half-saved."""

from __future__ import annotations

from django.urls import reverse

from audience.models import Contact, Tag
from bots.models import BotSecret, FollowUp, Rule
from tests.bots.test_rules import quick_reply
from tests.conftest import Team, client_for


def url(team: Team, name: str, **kwargs: int) -> str:
    return reverse(name, kwargs={"account_slug": team.account.slug, **kwargs})


def test_a_supervisor_creates_edits_and_deletes_a_rule(acme: Team) -> None:
    client = client_for(acme.supervisor)
    tag = Tag.objects.for_account(acme.account).create(account=acme.account, name="VIP")
    contact = Contact.objects.for_account(acme.account).create(account=acme.account, phone="+5491100000001")
    reply = quick_reply(acme, "Hola")
    response = client.post(
        url(acme, "bots_rules"),
        {
            "name": "Precios",
            "keywords": "precio\n\n lista ",
            "pattern": r"\d{4}",
            "contacts": "+5491100000001",
            "tag_ids": [tag.id],
            "reply": reply.id,
            "add_tag_ids": [tag.id],
            "assign_ids": [acme.operator.id],
            "notify_ids": [acme.admin.id],
            "weekdays": ["0", "4"],
            "start": "09:00",
            "end": "18:00",
            "is_active": "1",
        },
    )
    assert response.status_code == 302
    rule = Rule.objects.for_account(acme.account).get()
    assert rule.keywords == "precio\nlista"
    assert rule.contact_ids == [contact.id]
    assert (rule.reply, rule.assign_ids, rule.weekdays) == (reply, [acme.operator.id], [0, 4])
    page = client.get(url(acme, "bots_rule_edit", rule_id=rule.id))
    assert page.status_code == 200
    assert "+5491100000001" in page.content.decode()
    response = client.post(
        url(acme, "bots_rule_edit", rule_id=rule.id), {"name": "Otra", "notify_ids": [acme.admin.id]}
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.keywords, rule.reply, rule.is_active) == ("Otra", "", None, False)
    assert client.post(url(acme, "bots_rule_delete", rule_id=rule.id)).status_code == 302
    assert not Rule.objects.for_account(acme.account).exists()


def test_bad_rules_are_refused_with_every_reason(acme: Team, globex: Team) -> None:
    client = client_for(acme.supervisor)
    foreign_tag = Tag.objects.for_account(globex.account).create(account=globex.account, name="X")
    response = client.post(
        url(acme, "bots_rules"),
        {
            "name": "",
            "pattern": "(a+)+",
            "contacts": "+5490000000000",
            "add_tag_ids": [foreign_tag.id],
            "assign_ids": [globex.operator.id],
            "start": "25:00",
            "reply": "x",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    for fragment in ["name", "repetition", "not contacts", "tags", "members", "HH:MM", "reply"]:
        assert fragment in text
    assert not Rule.objects.unscoped().exists()  # the probe's check that nothing was written
    no_action = client.post(url(acme, "bots_rules"), {"name": "Sin acción", "keywords": "hola"})
    assert no_action.status_code == 400
    assert "at least one action" in no_action.content.decode()


def test_follow_ups(acme: Team) -> None:
    client = client_for(acme.supervisor)
    reply = quick_reply(acme, "¿Sigue ahí?")
    assert client.post(url(acme, "bots_follow_ups"), {"hours": "abc"}).status_code == 400
    assert client.post(url(acme, "bots_follow_ups"), {"hours": "99999999999"}).status_code == 400
    assert client.post(url(acme, "bots_follow_ups"), {"hours": "3"}).status_code == 400  # no action
    assert (
        client.post(url(acme, "bots_follow_ups"), {"hours": "3", "quick_reply": reply.id}).status_code == 302
    )
    follow_up = FollowUp.objects.for_account(acme.account).get()
    assert (follow_up.hours, follow_up.quick_reply) == (3, reply)
    assert "/" + reply.shortcut in client.get(url(acme, "bots_follow_ups")).content.decode()
    assert client.post(url(acme, "bots_follow_up_delete", follow_up_id=follow_up.id)).status_code == 302
    assert not FollowUp.objects.for_account(acme.account).exists()


def test_secrets_are_never_shown(acme: Team) -> None:
    client = client_for(acme.supervisor)
    assert (
        client.post(url(acme, "bots_secrets"), {"name": "api-token", "value": "s3cr3t-value"}).status_code
        == 302
    )
    page = client.get(url(acme, "bots_secrets")).content.decode()
    assert "api-token" in page
    assert "s3cr3t-value" not in page
    assert client.post(url(acme, "bots_secrets"), {"name": "api-token", "value": "x"}).status_code == 400
    assert client.post(url(acme, "bots_secrets"), {"name": "no spaces!", "value": "x"}).status_code == 400
    assert client.post(url(acme, "bots_secrets"), {"name": "empty", "value": " "}).status_code == 400
    secret = BotSecret.objects.for_account(acme.account).get()
    assert secret.value == "s3cr3t-value"
    assert client.post(url(acme, "bots_secret_delete", secret_id=secret.id)).status_code == 302
    assert not BotSecret.objects.for_account(acme.account).exists()


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    rule = Rule.objects.for_account(globex.account).create(account=globex.account, name="theirs")
    secret = BotSecret.objects.for_account(globex.account).create(account=globex.account, name="t", value="v")
    follow_up = FollowUp.objects.for_account(globex.account).create(account=globex.account, hours=1)
    client = client_for(acme.supervisor)
    assert client.get(url(acme, "bots_rule_edit", rule_id=rule.id)).status_code == 404
    assert client.post(url(acme, "bots_rule_delete", rule_id=rule.id)).status_code == 404
    assert client.post(url(acme, "bots_secret_delete", secret_id=secret.id)).status_code == 404
    assert client.post(url(acme, "bots_follow_up_delete", follow_up_id=follow_up.id)).status_code == 404
    assert Rule.objects.for_account(globex.account).exists()


def test_operators_are_kept_out(acme: Team) -> None:
    client = client_for(acme.operator)
    for name in ["bots_rules", "bots_follow_ups", "bots_secrets"]:
        assert client.get(url(acme, name)).status_code == 403
