"""EMP-1's worker path: a customer writes, the message commits, a worker analyses it; once."""

from __future__ import annotations

import time
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

from empaty import adjustment, analysis
from empaty.analysis_tasks import analyse_account, analyse_stragglers
from empaty.models import AccountAdjustment, MessageAnalysis
from inbox.models import Message
from inbox.simulator import phone
from tests.conftest import Team
from tests.inbox.simulator.helpers import connect_line
from tests.inbox.webhooks.conftest import PHONE_NUMBER_ID, deliver, fixture, make_line

WAMID = "wamid.HBgNNTQ5MTE1NTU1MDAwMRUCABIYFDNBMDFBQ0U2TEXT"


def wait_for(check: Callable[[], object], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def says(text: str, wamid: str = WAMID, phone_number_id: str = PHONE_NUMBER_ID) -> None:
    replace = {
        "Hola, ¿tienen *stock* del modelo 42?": text,
        WAMID: wamid,
        "1767258000": str(int(time.time())),
    }
    deliver(fixture("text", **replace, **{PHONE_NUMBER_ID: phone_number_id}))


def test_a_message_written_on_the_simulator_is_analysed_by_a_worker(
    worker: None, live_server: LiveServer, acme: Team
) -> None:
    _line, number = connect_line(acme, live_server.url)
    customer = phone.start_chat(number, "+54 9 11 2233-4455", "Ana")
    said = phone.say(customer, "Muchísimas gracias!! Me encantó el pedido, son unos genios 😍")
    analyses = MessageAnalysis.objects.for_account(acme.account)
    wait_for(lambda: analyses.filter(message__wamid=said.wamid).exists(), "the analysis")
    result = analyses.get(message__wamid=said.wamid)
    assert (result.polarity, result.emotion) == ("positive", "joy")
    assert 0 < result.score <= 1
    assert result.contact.profile_name == "Ana"
    assert result.model_version
    assert not result.adjusted
    assert sum(result.probabilities["emotion"].values()) == pytest.approx(1.0, abs=1e-3)


def test_what_is_analysed_is_analysed_once(acme: Team) -> None:
    make_line(acme, phone_number_id=PHONE_NUMBER_ID, provider="sandbox")
    says("hola, tienen envíos a Córdoba?")
    says("no me llegó nada, es una vergüenza", wamid="wamid.second")
    assert analyse_account(acme.account.id) == 2
    assert analyse_account(acme.account.id) == 0
    assert MessageAnalysis.objects.for_account(acme.account).count() == 2
    outbound_and_media = Message.objects.for_account(acme.account).exclude(analysis__isnull=False)
    assert not outbound_and_media.filter(direction="in", type="text").exists()


def test_the_signal_queues_one_task_per_account_after_commit(
    acme: Team, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    make_line(acme, phone_number_id=PHONE_NUMBER_ID, provider="sandbox")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        says("hola")
        says("hola otra vez", wamid="wamid.two")
    assert callbacks  # queued after commit, not inside the receiving transaction
    assert cache.get(analysis.QUEUED_KEY.format(account_id=acme.account.id)) == 1  # one task waiting
    analyse_account(acme.account.id)
    assert cache.get(analysis.QUEUED_KEY.format(account_id=acme.account.id)) is None


def test_the_sweep_queues_accounts_a_lost_task_left_behind(acme: Team, globex: Team) -> None:
    make_line(acme, phone_number_id=PHONE_NUMBER_ID, provider="sandbox")
    says("hola")  # no on-commit here: as if the task was lost
    assert analyse_stragglers() == 1
    assert cache.get(analysis.QUEUED_KEY.format(account_id=acme.account.id)) == 1


def test_backfill(acme: Team, globex: Team) -> None:
    make_line(acme, phone_number_id=PHONE_NUMBER_ID, provider="sandbox")
    says("hola")
    says("gracias!", wamid="wamid.two")
    out = StringIO()
    call_command("empaty_backfill", "--account", acme.account.slug, stdout=out)
    assert f"{acme.account.slug}: 2 analysed" in out.getvalue()
    assert MessageAnalysis.objects.for_account(acme.account).count() == 2


def test_corrections_teach_their_account_only(acme: Team, globex: Team) -> None:
    """The same complaint, corrected in acme, is read the corrected way in acme, not in globex."""
    text = "che el pedido 4471 todavía está en camino"
    make_line(acme, phone_number_id=PHONE_NUMBER_ID, provider="sandbox")
    make_line(globex, phone_number_id="1099", provider="sandbox")
    first = _analysed(acme, text, "wamid.a1", PHONE_NUMBER_ID)
    base = (first.polarity, first.emotion)
    wanted = ("negative", "fear") if base != ("negative", "fear") else ("positive", "joy")
    analysis.correct(first, acme.supervisor, polarity=wanted[0], emotion=wanted[1])
    adjustment.train(acme.account)
    assert AccountAdjustment.objects.for_account(acme.account).get().corrections == 1
    again = _analysed(acme, text, "wamid.a2", PHONE_NUMBER_ID)
    assert (again.polarity, again.emotion) == wanted
    assert again.adjusted
    elsewhere = _analysed(globex, text, "wamid.g1", "1099")
    assert (elsewhere.polarity, elsewhere.emotion) == base
    assert not elsewhere.adjusted
    assert not AccountAdjustment.objects.for_account(globex.account).exists()


def test_a_similar_message_also_moves_towards_the_correction(acme: Team) -> None:
    make_line(acme, phone_number_id=PHONE_NUMBER_ID, provider="sandbox")
    texts = [f"el pedido {n} sigue en camino, avisame" for n in range(40, 48)]
    rows = [_analysed(acme, text, f"wamid.t{i}", PHONE_NUMBER_ID) for i, text in enumerate(texts)]
    for row in rows:
        analysis.correct(row, acme.operator, emotion="fear")
    adjustment.train(acme.account)
    unseen = _analysed(acme, "mi pedido sigue en camino?", "wamid.unseen", PHONE_NUMBER_ID)
    assert unseen.emotion == "fear"
    assert unseen.adjusted


def _analysed(team: Team, text: str, wamid: str, phone_number_id: str) -> MessageAnalysis:
    says(text, wamid, phone_number_id)
    analyse_account(team.account.id)
    return MessageAnalysis.objects.for_account(team.account).get(message__wamid=wamid)
