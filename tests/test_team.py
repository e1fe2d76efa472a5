"""The team page (TEN-3, TEN-4): invitations, roles, availability, deactivation, password resets."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from spoter.accounts import services
from spoter.accounts.models import Invitation, Membership, Role, User
from tests.conftest import PASSWORD, Team, client_for, make_member


def team_url(team: Team) -> str:
    return reverse("team", kwargs={"account_slug": team.account.slug})


def invite(client: Client, team: Team, email: str, role: str = "operator", inbox_mode: str = "shared"):
    return client.post(team_url(team), {"email": email, "role": role, "inbox_mode": inbox_mode})


def invitation_path() -> str:
    match = re.search(r"https?://[^/\s]+(/invitations/[^\s]+/)", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    outsider = client_for(globex.admin)
    assert outsider.get(team_url(acme)).status_code == 404
    assert invite(outsider, acme, "new@example.com").status_code == 404
    member_url = reverse("member_edit", kwargs={"account_slug": "acme", "member_id": acme.operator.id})
    assert outsider.post(member_url, {"role": "admin", "inbox_mode": "shared"}).status_code == 404
    # Ids from another account are 404 even inside one's own account's URLs.
    foreign = reverse("member_edit", kwargs={"account_slug": "globex", "member_id": acme.operator.id})
    assert outsider.get(foreign).status_code == 404
    acme.operator.refresh_from_db()
    assert acme.operator.role == Role.OPERATOR
    assert not Invitation.objects.unscoped().exists()


def test_an_invited_person_sets_a_password_and_lands_in_the_inbox(
    acme: Team, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(acme.supervisor), acme, "Nueva@Example.com", inbox_mode="private")
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["nueva@example.com"]
    path = invitation_path()
    token = path.split("/")[2]
    invitation = acme.account.invitations.get()
    assert token not in invitation.token_hash  # only the hash is kept

    newcomer = Client()
    assert newcomer.get(path).status_code == 200
    response = newcomer.post(path, {"password1": PASSWORD, "password2": PASSWORD})
    assert response["Location"] == "/a/acme/inbox/"
    membership = acme.account.memberships.get(user__email="nueva@example.com")
    assert (membership.role, membership.inbox_mode) == (Role.OPERATOR, "private")
    assert newcomer.get("/a/acme/inbox/").status_code == 200
    # The new user can log in with the password, no separate verification needed.
    assert Client().login(email="nueva@example.com", password=PASSWORD)


def test_a_used_link_does_not_work_twice(acme: Team, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(acme.admin), acme, "once@example.com")
    path = invitation_path()
    Client().post(path, {"password1": PASSWORD, "password2": PASSWORD})
    response = Client().post(path, {"password1": "another pass 123", "password2": "another pass 123"})
    assert response.status_code == 410
    assert response.context["reason"] == "used"
    assert Client().login(email="once@example.com", password=PASSWORD)


def test_an_expired_link_says_so(acme: Team, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(acme.admin), acme, "late@example.com")
    path = invitation_path()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = Client().post(path, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 410
    assert response.context["reason"] == "expired"
    assert not User.objects.filter(email="late@example.com").exists()


def test_a_made_up_link_says_so(db: None) -> None:
    response = Client().get("/invitations/not-a-real-token/")
    assert response.status_code == 410
    assert response.context["reason"] == "invalid"


def test_mismatched_passwords_keep_the_invitation_open(
    acme: Team, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(acme.admin), acme, "typo@example.com")
    response = Client().post(invitation_path(), {"password1": PASSWORD, "password2": PASSWORD + "x"})
    assert response.status_code == 400
    assert not User.objects.filter(email="typo@example.com").exists()
    assert acme.account.invitations.get().accepted_at is None


def test_someone_with_a_user_already_joins_after_logging_in(
    acme: Team, globex: Team, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(acme.admin), acme, globex.operator.user.email, role="supervisor")
    path = invitation_path()
    # Not logged in: asked to log in first, nothing joined yet.
    assert Client().get(path).context["existing"] == globex.operator.user
    assert Client().post(path).status_code == 200
    assert not acme.account.memberships.filter(user=globex.operator.user).exists()
    member = client_for(globex.operator)
    response = member.post(path)
    assert response["Location"] == "/a/acme/inbox/"
    assert acme.account.memberships.get(user=globex.operator.user).role == Role.SUPERVISOR


def test_another_logged_in_person_cannot_take_an_invitation(
    acme: Team, globex: Team, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(acme.admin), acme, globex.operator.user.email)
    response = client_for(globex.admin).post(invitation_path())
    assert response.status_code == 200
    assert not acme.account.memberships.filter(user__in=[globex.admin.user, globex.operator.user]).exists()


@pytest.mark.parametrize(
    ("email", "role", "field", "code"),
    [
        ("not-an-email", "operator", "email", "invalid"),
        ("OPERATOR@acme.test", "operator", "email", "member"),
        ("boss@example.com", "admin", "role", "invalid_choice"),  # a supervisor cannot make admins
    ],
)
def test_bad_invitations_are_refused(acme: Team, email: str, role: str, field: str, code: str) -> None:
    response = invite(client_for(acme.supervisor), acme, email, role=role)
    assert response.status_code == 400
    assert response.context["form"].has_error(field, code=code)
    assert not acme.account.invitations.exists()
    assert not mail.outbox


def test_inviting_again_replaces_the_pending_invitation(
    acme: Team, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(acme.admin), acme, "twice@example.com")
    first = invitation_path()
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(acme.admin), acme, "twice@example.com", role="supervisor")
    assert acme.account.invitations.count() == 1
    assert Client().get(first).status_code == 410


def test_changing_roles_modes_and_availability(acme: Team) -> None:
    url = reverse("member_edit", kwargs={"account_slug": "acme", "member_id": acme.operator.id})
    shown = client_for(acme.admin).get(url).context["form"]
    assert (shown["role"].value(), shown["inbox_mode"].value(), shown["available"].value()) == (
        "operator",
        "shared",
        True,
    )
    response = client_for(acme.admin).post(url, {"role": "supervisor", "inbox_mode": "private"})
    assert response.status_code == 302
    acme.operator.refresh_from_db()
    assert (acme.operator.role, acme.operator.inbox_mode, acme.operator.available) == (
        "supervisor",
        "private",
        False,
    )


def test_supervisors_cannot_make_or_touch_admins(acme: Team) -> None:
    supervisor = client_for(acme.supervisor)
    own = reverse("member_edit", kwargs={"account_slug": "acme", "member_id": acme.supervisor.id})
    assert supervisor.post(own, {"role": "admin", "inbox_mode": "shared"}).status_code == 400
    admin_url = reverse("member_edit", kwargs={"account_slug": "acme", "member_id": acme.admin.id})
    response = supervisor.post(admin_url, {"role": "operator", "inbox_mode": "shared"})
    assert response.status_code == 400
    active_url = reverse("member_set_active", kwargs={"account_slug": "acme", "member_id": acme.admin.id})
    supervisor.post(active_url, {"active": "0"})
    acme.admin.refresh_from_db()
    acme.supervisor.refresh_from_db()
    assert (acme.admin.role, acme.admin.is_active, acme.supervisor.role) == ("admin", True, "supervisor")


def test_the_last_admin_stays(acme: Team) -> None:
    url = reverse("member_edit", kwargs={"account_slug": "acme", "member_id": acme.admin.id})
    response = client_for(acme.admin).post(
        url, {"role": "supervisor", "inbox_mode": "shared", "available": "on"}
    )
    assert response.status_code == 400
    assert response.context["form"].has_error(NON_FIELD_ERRORS, code="last_admin")
    acme.admin.refresh_from_db()
    assert acme.admin.role == Role.ADMIN


def test_deactivated_people_lose_access_and_come_back(acme: Team) -> None:
    url = reverse("member_set_active", kwargs={"account_slug": "acme", "member_id": acme.operator.id})
    operator = client_for(acme.operator)
    assert operator.get("/a/acme/inbox/").status_code == 200
    client_for(acme.supervisor).post(url, {"active": "0"})
    assert operator.get("/a/acme/inbox/").status_code == 404
    client_for(acme.supervisor).post(url, {"active": "1"})
    assert operator.get("/a/acme/inbox/").status_code == 200


def test_nobody_deactivates_themselves(acme: Team) -> None:
    url = reverse("member_set_active", kwargs={"account_slug": "acme", "member_id": acme.supervisor.id})
    client_for(acme.supervisor).post(url, {"active": "0"})
    acme.supervisor.refresh_from_db()
    assert acme.supervisor.is_active


def test_a_supervisor_sends_a_password_reset(acme: Team) -> None:
    url = reverse("member_password_reset", kwargs={"account_slug": "acme", "member_id": acme.operator.id})
    client_for(acme.supervisor).post(url)
    assert mail.outbox[-1].to == [acme.operator.user.email]
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body
    assert PASSWORD not in mail.outbox[-1].body


def test_withdrawing_an_invitation_kills_the_link(acme: Team, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(acme.admin), acme, "maybe@example.com")
    path = invitation_path()
    invitation = acme.account.invitations.get()
    url = reverse("invitation_revoke", kwargs={"account_slug": "acme", "invitation_id": invitation.id})
    client_for(acme.supervisor).post(url)
    assert Client().get(path).status_code == 410


def test_supervisors_cannot_reset_admins_or_withdraw_admin_invitations(acme: Team) -> None:
    supervisor = client_for(acme.supervisor)
    supervisor.post(
        reverse("member_password_reset", kwargs={"account_slug": "acme", "member_id": acme.admin.id})
    )
    assert not mail.outbox
    invitation = acme.account.invitations.create(
        email="boss@example.com",
        role="admin",
        token_hash="b" * 64,
        expires_at=timezone.now() + timedelta(days=1),
    )
    supervisor.post(
        reverse("invitation_revoke", kwargs={"account_slug": "acme", "invitation_id": invitation.id})
    )
    assert acme.account.invitations.filter(id=invitation.id).exists()


def test_two_admins_demoting_each_other_at_once_leave_one(acme: Team, transactional_db: None) -> None:
    """Both requests start while a third transaction holds the admin rows: without the service's
    row locks both would pass the "another admin remains" check and the account would end with none."""
    second = make_member(acme.account, "admin2@acme.test", Role.ADMIN)
    first = acme.admin
    locked, release = threading.Event(), threading.Event()
    errors: list[str] = []

    def hold_the_admin_rows() -> None:
        with transaction.atomic():
            list(acme.account.memberships.filter(role=Role.ADMIN).select_for_update())
            locked.set()
            release.wait(10)
        connection.close()

    def demote(actor: Membership, target: Membership) -> None:
        try:
            services.update_membership(actor, target, role="operator", inbox_mode="shared", available=True)
        except ValidationError as error:
            errors.append(str(error.code))
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_admin_rows)
    holder.start()
    assert locked.wait(10)
    threads = [threading.Thread(target=demote, args=pair) for pair in ((first, second), (second, first))]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # both requests are now waiting on the held rows
    release.set()
    for thread in [holder, *threads]:
        thread.join(10)
    assert errors == ["last_admin"]
    assert acme.account.memberships.filter(role=Role.ADMIN, is_active=True).count() == 1
