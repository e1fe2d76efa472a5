"""Amounts on the billing pages, written as the reader's language writes numbers."""

from __future__ import annotations

from django import template

from billing import invoices

register = template.Library()
register.filter("money", invoices.money)
register.filter("rate", invoices.rate_text)
