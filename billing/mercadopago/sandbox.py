"""A fake Mercado Pago in memory: the endpoints Spoter uses (preapprovals, authorized payments,
payments) and what a payer and Mercado Pago's charging would do (authorise, charge, decline and
retry, cancel after 3 rejected charges), plus correctly signed webhook deliveries.

One implementation served two ways: the tests wrap a ``Sandbox`` in a local HTTP server
(tests/billing/fake_mercadopago.py) so the SDK's real HTTP path runs; the embedded `make run`
default, with no access token, hands the SDK an ``InProcessClient`` and the payer clicks through
the simulator page (billing/mercadopago/simulator.py).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from mercadopago.http import HttpClient

from billing.mercadopago.signatures import sign

Answer = tuple[int, dict[str, Any]]
STATUSES = ("pending", "authorized", "paused", "cancelled")
REJECTIONS_BEFORE_CANCEL = 3  # FACTS.md: after 3 rejected charges Mercado Pago cancels


def _error(status: int, message: str) -> Answer:
    return status, {
        "status": status,
        "error": "bad_request" if status == 400 else "not_found",
        "message": message,
    }


@dataclass(frozen=True)
class Delivery:
    """A webhook as Mercado Pago would post it."""

    query: dict[str, str]
    body: bytes
    headers: dict[str, str]


class Sandbox:
    """Mercado Pago's state for one test server or one development process. A dict per resource
    guarded by a lock is enough for a development tool; nothing survives a restart."""

    def __init__(self, init_point: Callable[[str], str]) -> None:
        self.init_point = init_point
        self.lock = threading.Lock()
        self.preapprovals: dict[str, dict[str, Any]] = {}
        self.authorized_payments: dict[str, dict[str, Any]] = {}
        self.payments: dict[str, dict[str, Any]] = {}
        self.rejected: dict[str, int] = {}
        self.requests: list[tuple[str, str, Any]] = []  # (method, path, body): what the SDK sent
        self._ids = itertools.count(6_114_264_375)

    # The HTTP API ------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: Any, authorization: str) -> Answer:
        if not authorization.startswith("Bearer ") or len(authorization) <= len("Bearer "):
            return 401, {"status": 401, "error": "unauthorized", "message": "invalid access token"}
        try:
            data = json.loads(body) if isinstance(body, (str, bytes)) and body else {}
        except ValueError:
            return _error(400, "invalid JSON body")
        with self.lock:
            self.requests.append((method, path, data))
            if method == "POST" and path == "/preapproval":
                return self._create(data)
            if match := re.fullmatch(r"/preapproval/([\w-]+)", path):
                if method == "GET":
                    return self._found(self.preapprovals, match[1], "preapproval")
                if method == "PUT":
                    return self._update(match[1], data)
            if method == "GET" and path == "/authorized_payments/search":
                return self._search(query)
            if method == "GET" and (match := re.fullmatch(r"/authorized_payments/(\d+)", path)):
                return self._found(self.authorized_payments, match[1], "authorized payment")
            if method == "GET" and (match := re.fullmatch(r"/v1/payments/(\d+)", path)):
                return self._found(self.payments, match[1], "payment")
        return _error(404, f"resource not found: {method} {path}")

    def _found(self, table: dict[str, dict[str, Any]], key: str, what: str) -> Answer:
        if key not in table:
            return _error(404, f"{what} {key} not found")
        return 200, dict(table[key])

    def _create(self, data: dict[str, Any]) -> Answer:
        recurring = data.get("auto_recurring") or {}
        for field in ("reason", "payer_email", "back_url", "external_reference"):
            if not data.get(field):
                return _error(400, f"{field} is required")
        if recurring.get("currency_id") != "ARS" or (
            recurring.get("frequency"),
            recurring.get("frequency_type"),
        ) != (
            1,
            "months",
        ):
            return _error(400, "auto_recurring must charge ARS every month")
        if not _positive(recurring.get("transaction_amount")):
            return _error(400, "auto_recurring.transaction_amount must be a positive number")
        preapproval_id = uuid.uuid4().hex
        now = timezone.now().isoformat()
        self.preapprovals[preapproval_id] = {
            "id": preapproval_id,
            "status": "pending",
            "reason": data["reason"],
            "external_reference": data["external_reference"],
            "payer_email": data["payer_email"],
            "back_url": data["back_url"],
            "init_point": self.init_point(preapproval_id),
            "auto_recurring": {**recurring},
            "date_created": now,
            "last_modified": now,
        }
        return 201, dict(self.preapprovals[preapproval_id])

    def _update(self, preapproval_id: str, data: dict[str, Any]) -> Answer:
        preapproval = self.preapprovals.get(preapproval_id)
        if preapproval is None:
            return _error(404, f"preapproval {preapproval_id} not found")
        if preapproval["status"] == "cancelled":
            return _error(400, "You can not modify a cancelled preapproval")
        status = data.get("status", preapproval["status"])
        if status not in STATUSES or (status == "authorized" and preapproval["status"] == "pending"):
            return _error(400, f"invalid status change to {status}")
        if "auto_recurring" in data:
            amount = data["auto_recurring"].get("transaction_amount")
            if not _positive(amount) or data["auto_recurring"].get("currency_id", "ARS") != "ARS":
                return _error(400, "auto_recurring.transaction_amount must be a positive ARS amount")
            preapproval["auto_recurring"]["transaction_amount"] = amount
        preapproval["status"] = status
        preapproval["last_modified"] = timezone.now().isoformat()
        return 200, dict(preapproval)

    def _search(self, query: dict[str, str]) -> Answer:
        found = [
            dict(item)
            for item in self.authorized_payments.values()
            if item["preapproval_id"] == query.get("preapproval_id", item["preapproval_id"])
        ]
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 30))
        page = sorted(found, key=lambda item: item["id"])[offset : offset + limit]
        return 200, {"paging": {"offset": offset, "limit": limit, "total": len(found)}, "results": page}

    # What the payer and Mercado Pago do --------------------------------------------------------

    def authorise(self, preapproval_id: str) -> dict[str, Any]:
        """The payer entered a card on the init_point page."""
        with self.lock:
            preapproval = self.preapprovals[preapproval_id]
            if preapproval["status"] == "pending":
                preapproval["status"] = "authorized"
            return dict(preapproval)

    def charge(self, preapproval_id: str, *, approved: bool) -> dict[str, Any]:
        """Mercado Pago charges the month: processed with an approved payment, or declined and
        ``recycling`` (retried) with a rejected payment."""
        with self.lock:
            preapproval = self.preapprovals[preapproval_id]
            payment_id, charge_id = str(next(self._ids)), str(next(self._ids))
            now = timezone.now().isoformat()
            self.payments[payment_id] = {
                "id": int(payment_id),
                "status": "approved" if approved else "rejected",
                "status_detail": "accredited" if approved else "cc_rejected_insufficient_amount",
                "transaction_amount": preapproval["auto_recurring"]["transaction_amount"],
                "currency_id": "ARS",
                "date_created": now,
                "point_of_interaction": {
                    "type": "SUBSCRIPTIONS",
                    "transaction_data": {"subscription_id": preapproval_id, "invoice_id": int(charge_id)},
                },
            }
            self.authorized_payments[charge_id] = {
                "id": int(charge_id),
                "type": "scheduled",
                "preapproval_id": preapproval_id,
                "external_reference": preapproval["external_reference"],
                "reason": preapproval["reason"],
                "currency_id": "ARS",
                "transaction_amount": preapproval["auto_recurring"]["transaction_amount"],
                "date_created": now,
                "debit_date": now,
                "retry_attempt": 0 if approved else 1,
                "status": "processed" if approved else "recycling",
                "payment": self._payment_summary(payment_id),
            }
            return dict(self.authorized_payments[charge_id])

    def finish_recycling(self, charge_id: str) -> dict[str, Any]:
        """The retries ran out: the charge ends ``processed`` with its payment still rejected;
        the third rejected charge of a preapproval cancels it."""
        with self.lock:
            charge = self.authorized_payments[charge_id]
            charge["status"] = "processed"
            preapproval_id = charge["preapproval_id"]
            self.rejected[preapproval_id] = self.rejected.get(preapproval_id, 0) + 1
            if self.rejected[preapproval_id] >= REJECTIONS_BEFORE_CANCEL:
                self.preapprovals[preapproval_id]["status"] = "cancelled"
            return dict(charge)

    def _payment_summary(self, payment_id: str) -> dict[str, Any]:
        payment = self.payments[payment_id]
        return {"id": payment["id"], "status": payment["status"], "status_detail": payment["status_detail"]}


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def delivery(topic: str, data_id: str, secret: str, action: str = "updated") -> Delivery:
    """A webhook about one resource, signed as Mercado Pago signs them."""
    request_id, ts = str(uuid.uuid4()), str(int(time.time()))
    body = {
        "action": action,
        "api_version": "v1",
        "data": {"id": data_id},
        "date_created": timezone.now().isoformat(),
        "id": uuid.uuid4().int % 10**12,
        "live_mode": False,
        "type": topic,
    }
    return Delivery(
        query={"data.id": data_id, "type": topic},
        body=json.dumps(body).encode(),
        headers={
            "x-signature": f"ts={ts},v1={sign(secret, data_id, request_id, ts)}",
            "x-request-id": request_id,
        },
    )


class InProcessClient(HttpClient):  # type: ignore[misc]  # the SDK ships no types
    """The SDK's HTTP client for the embedded default: requests go to the sandbox, not the network."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        headers = kwargs.get("headers") or {}
        params = {key: str(value) for key, value in (kwargs.get("params") or {}).items()}
        status, body = self.sandbox.handle(
            method, urlsplit(url).path, params, kwargs.get("data"), headers.get("Authorization", "")
        )
        return {"status": status, "response": body}


_local: Sandbox | None = None
_local_lock = threading.Lock()


def local() -> Sandbox:
    """This process's sandbox (the embedded default runs web, worker and beat in one process)."""
    global _local  # one fake Mercado Pago per development process
    with _local_lock:
        if _local is None:
            _local = Sandbox(
                init_point=lambda id_: settings.SITE_URL + reverse("mercadopago_simulator", args=[id_])
            )
        return _local
