"""Assignment (INB-6): who may assign what, transfers, and the per-line round robin."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from inbox.assignment import AssignmentError, assign, auto_assign, configure_round_robin, transfer_all
from inbox.models import Conversation, ConversationEvent, ConversationStatus, EventKind, Line
from spoter.accounts.models import InboxMode, Membership
from tests.conftest import Team
from tests.inbox.team.conftest import (
    Inbox,
    given_to_another_with_private_inbox,
    make_conversation,
    operators,
    robin,
)


def assignee_of(conversation: Conversation) -> object:
    conversation.refresh_from_db(fields=["assignee"])
    return conversation.assignee


def lines_of(conversation: Conversation) -> list[tuple[str, int | None, int | None]]:
    return list(
        ConversationEvent.objects.for_account(conversation.account)
        .filter(conversation=conversation)
        .values_list("kind", "actor_id", "target_id")
    )


def test_an_operator_takes_an_unassigned_chat_and_a_line_says_so(
    acme: Team, conversation: Conversation
) -> None:
    assert assign(conversation, acme.operator, by=acme.operator)
    conversation.refresh_from_db()
    assert conversation.assignee == acme.operator
    assert lines_of(conversation) == [(EventKind.ASSIGNED, acme.operator.id, acme.operator.id)]
    assert not assign(conversation, acme.operator, by=acme.operator)  # no change, no second line
    assert len(lines_of(conversation)) == 1


def test_an_operator_hands_over_or_releases_their_own_chat(acme: Team, conversation: Conversation) -> None:
    [other] = operators(acme, 1)
    assign(conversation, acme.operator, by=acme.operator)
    assign(conversation, other, by=acme.operator)
    assert assignee_of(conversation) == other
    assign(conversation, None, by=other)
    assert assignee_of(conversation) is None
    assert lines_of(conversation)[-1] == (EventKind.UNASSIGNED, other.id, other.id)


def test_an_operator_cannot_take_someone_elses_chat_or_give_away_an_unassigned_one(
    acme: Team, conversation: Conversation
) -> None:
    [other] = operators(acme, 1)
    with pytest.raises(AssignmentError) as refused:
        assign(conversation, other, by=acme.operator)  # not theirs to give
    assert refused.value.code == "not_yours"
    assign(conversation, other, by=acme.supervisor)
    for target in (acme.operator, None):
        with pytest.raises(AssignmentError):
            assign(conversation, target, by=acme.operator)
    assert assignee_of(conversation) == other
    assert lines_of(conversation) == [(EventKind.ASSIGNED, acme.supervisor.id, other.id)]


def test_a_private_operator_cannot_touch_chats_outside_their_inbox(
    acme: Team, conversation: Conversation
) -> None:
    given_to_another_with_private_inbox(acme, conversation)
    with pytest.raises(AssignmentError) as refused:
        assign(conversation, acme.operator, by=acme.operator)
    assert refused.value.code == "not_visible"


def test_supervisors_and_admins_assign_anything_but_not_to_the_deactivated(
    acme: Team, conversation: Conversation
) -> None:
    first, second = operators(acme, 2)
    assign(conversation, first, by=acme.supervisor)
    assign(conversation, second, by=acme.admin)
    assert assignee_of(conversation) == second
    first.is_active = False
    first.save(update_fields=["is_active"])
    with pytest.raises(AssignmentError):
        assign(conversation, first, by=acme.admin)


def test_members_of_another_account_are_refused(acme: Team, globex: Team, conversation: Conversation) -> None:
    with pytest.raises(ValueError, match="another account"):
        assign(conversation, globex.operator, by=acme.supervisor)
    with pytest.raises(ValueError, match="another account"):
        assign(conversation, acme.operator, by=globex.admin)
    assert assignee_of(conversation) is None


def test_assignment_is_pushed_to_the_new_assignee_and_a_private_previous_one_drops_it(
    acme: Team, line: Line, listen: Callable[[Membership], Inbox], django_capture_on_commit_callbacks: object
) -> None:
    first, second = operators(acme, 2)
    for member in (first, second):
        member.inbox_mode = InboxMode.PRIVATE
        member.save(update_fields=["inbox_mode"])
    conversation = make_conversation(line)
    assign(conversation, first, by=acme.supervisor)
    inbox_first, inbox_second = listen(first), listen(second)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]  # pytest-django
        assign(conversation, second, by=acme.supervisor)
    assert inbox_second.types() == ["conversation.assigned"]
    assert inbox_first.types() == ["conversation.removed"]


def test_transfer_all_moves_open_and_pending_chats_only(acme: Team, line: Line) -> None:
    source, target = operators(acme, 2)
    chats = [make_conversation(line, f"+54911000000{index}") for index in range(4)]
    for chat in chats:
        assign(chat, source, by=acme.supervisor)
    Conversation.objects.unscoped().filter(id=chats[1].id).update(status=ConversationStatus.PENDING)
    Conversation.objects.unscoped().filter(id=chats[2].id).update(status=ConversationStatus.CLOSED)
    assert transfer_all(source, target, by=acme.supervisor) == 3
    assignees = dict(
        Conversation.objects.unscoped().filter(id__in=[c.id for c in chats]).values_list("id", "assignee_id")
    )
    assert assignees == {
        chats[0].id: target.id,
        chats[1].id: target.id,
        chats[2].id: source.id,
        chats[3].id: target.id,
    }
    assert lines_of(chats[0])[-1] == (EventKind.ASSIGNED, acme.supervisor.id, target.id)
    assert transfer_all(source, target, by=acme.supervisor) == 0


def test_only_supervisors_transfer_and_never_to_the_deactivated(acme: Team, line: Line) -> None:
    source, target = operators(acme, 2)
    assign(make_conversation(line), source, by=acme.supervisor)
    with pytest.raises(AssignmentError):
        transfer_all(source, target, by=acme.operator)
    target.is_active = False
    target.save(update_fields=["is_active"])
    with pytest.raises(AssignmentError):
        transfer_all(source, target, by=acme.admin)
    with pytest.raises(AssignmentError):
        transfer_all(source, source, by=acme.admin)
    assert Conversation.objects.unscoped().filter(assignee=source).count() == 1


def test_round_robin_takes_turns_and_skips_unavailable_and_deactivated(acme: Team, line: Line) -> None:
    first, second, third = operators(acme, 3)
    robin(line, [first, second, third])
    got = [auto_assign(make_conversation(line, f"+5491100000{index:02d}")) for index in range(4)]
    assert got == [first, second, third, first]
    second.available = False
    second.save(update_fields=["available"])
    third.is_active = False
    third.save(update_fields=["is_active"])
    got = [auto_assign(make_conversation(line, f"+5491100001{index:02d}")) for index in range(2)]
    assert got == [first, first]
    second.available = True
    second.save(update_fields=["available"])
    assert auto_assign(make_conversation(line, "+549110000200")) == second


def test_round_robin_does_nothing_when_off_empty_or_on_another_line(acme: Team, line: Line) -> None:
    [member] = operators(acme, 1)
    robin(line, [member], enabled=False)
    chat = make_conversation(line)
    assert auto_assign(chat) is None
    configure_round_robin(line, [], enabled=True, by=acme.supervisor)
    assert auto_assign(chat) is None
    other_line = Line.objects.for_account(acme.account).create(
        account=acme.account, name="Otra", provider="sandbox", display_number="+5491100000009"
    )
    assert auto_assign(make_conversation(other_line, "+5491199999999")) is None
    assert assignee_of(chat) is None


def test_round_robin_leaves_a_chat_someone_already_took(acme: Team, line: Line) -> None:
    [member] = operators(acme, 1)
    robin(line, [member])
    chat = make_conversation(line)
    assign(chat, acme.operator, by=acme.operator)
    chat.assignee = None  # the caller's stale copy
    assert auto_assign(chat) is None
    assert assignee_of(chat) == acme.operator


def test_only_supervisors_configure_the_round_robin(acme: Team, globex: Team, line: Line) -> None:
    with pytest.raises(AssignmentError):
        configure_round_robin(line, [acme.operator], enabled=True, by=acme.operator)
    with pytest.raises(ValueError, match="another account"):
        configure_round_robin(line, [globex.operator], enabled=True, by=acme.supervisor)
    rr = configure_round_robin(line, [acme.operator], enabled=True, by=acme.supervisor)
    assert rr.enabled
    assert list(rr.members.for_account(acme.account)) == [acme.operator]
