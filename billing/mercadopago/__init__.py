"""Card payments through Mercado Pago subscriptions (preapprovals without a plan), their webhooks,
the worker that applies them, the reconciliation sweep and the sandbox that plays Mercado Pago."""

from __future__ import annotations


class MercadoPagoError(Exception):
    """Mercado Pago refused or could not be reached; ``str(error)`` is a user-facing message."""
