"""The contacts page (AUD-1): the account's contacts filtered, sorted and loaded 50 at a time,
with bulk actions on the rows picked or on every contact the filter matches, and erasure."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from audience import bulk, erasure
from audience.filters import BUILT_IN_FIELDS, OPERATORS, SORTS, ContactFilter
from audience.models import Contact, CustomField, Segment, Tag
from audience.segments import segment_filter
from audience.tags import get_or_create_tag
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role

PAGE = 50
BULK_ACTIONS = ("add_tag", "remove_tag", "opt_out", "delete")


def request_filter(data: QueryDict) -> ContactFilter:
    """The filter of a query string: ``cond`` as ``field|op|value``, or the form's rows of
    ``cond_field`` / ``cond_op`` / ``cond_value`` (a row without a field is ignored)."""
    merged = data.copy()
    fields, ops, values = (data.getlist(key) for key in ("cond_field", "cond_op", "cond_value"))
    rows = [f"{field}|{op}|{value}" for field, op, value in zip(fields, ops, values, strict=False) if field]
    merged.setlist("cond", data.getlist("cond") + rows)
    return ContactFilter.from_query(merged)


def _get_segment(request: AccountRequest, raw_id: str) -> Segment | None:
    if not raw_id.isdigit():
        return None
    return Segment.objects.for_account(request.account).filter(id=int(raw_id)).first()


@require_role(Role.OPERATOR)
def contacts(request: AccountRequest, account_slug: str) -> HttpResponse:
    account = request.account
    segment = _get_segment(request, request.GET.get("segment", ""))
    contact_filter = request_filter(request.GET)
    if segment is not None and "q" not in request.GET:  # opened from the list: its saved filter
        contact_filter = segment_filter(segment)
    matching = contact_filter.apply(account)
    try:
        offset = max(int(request.GET.get("offset", "0")), 0)
    except ValueError:
        offset = 0
    rows = list(
        matching.prefetch_related(Prefetch("tags", queryset=Tag.objects.for_account(account)))[
            offset : offset + PAGE + 1
        ]
    )
    more = len(rows) > PAGE
    query = contact_filter.to_query()
    context: dict[str, Any] = {
        "contacts": rows[:PAGE],
        "next_offset": offset + PAGE if more else None,
        "query": query,
        "can_supervise": request.membership.role_enum.at_least(Role.SUPERVISOR),
    }
    if offset:  # the next page, for "load more" / infinite scroll
        return render(request, "audience/list_rows.html", context)
    custom_fields = list(CustomField.objects.for_account(account))
    context |= {
        "filter": contact_filter,
        "total": matching.count(),
        "tags": list(Tag.objects.for_account(account)),
        "field_choices": [(name, _field_label(name)) for name in BUILT_IN_FIELDS]
        + [(f"field:{field.key}", field.label) for field in custom_fields],
        "operators": _operator_labels(),
        "sorts": _sort_labels(),
        "condition_rows": [*contact_filter.conditions, None],
        "segment": segment,
        "query_pairs": list(QueryDict(query).lists()),
        "tag_selects": [
            ("tag_any", _("With any of the tags"), contact_filter.tags_any),
            ("tag_all", _("With all of the tags"), contact_filter.tags_all),
            ("tag_none", _("Without the tags"), contact_filter.tags_none),
        ],
        "yes_no": [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))],
        "confirm_delete": _(
            "Erase the selected contacts with all their conversations? This cannot be undone."
        ),
    }
    return render(request, "audience/list.html", context)


def _field_label(name: str) -> str:
    field = Contact._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _operator_labels() -> list[tuple[str, str]]:
    labels = {
        "eq": _("is"),
        "contains": _("contains"),
        "gt": _("greater than"),
        "lt": _("less than"),
        "empty": _("is empty"),
        "set": _("has a value"),
    }
    return [(op, labels[op]) for op in OPERATORS]


def _sort_labels() -> list[tuple[str, str]]:
    labels = {
        "-created_at": _("Newest first"),
        "created_at": _("Oldest first"),
        "name": _("Name, A to Z"),
        "-name": _("Name, Z to A"),
        "-last_seen_at": _("Last seen, recent first"),
        "last_seen_at": _("Last seen, oldest first"),
    }
    return [(sort, labels[sort]) for sort in SORTS]


class BulkError(Exception):
    pass


@require_POST
@require_role(Role.OPERATOR)
def contact_bulk(request: AccountRequest, account_slug: str) -> HttpResponse:
    account, post = request.account, request.POST
    query = post.get("query", "")
    try:
        action = post.get("action", "")
        if action not in BULK_ACTIONS:
            raise BulkError(_("Choose an action."))
        if action == "delete" and not request.membership.role_enum.at_least(Role.SUPERVISOR):
            raise PermissionDenied
        selected = _selection(request, query)
        if action == "opt_out":
            count = bulk.opt_out(selected, by=request.membership)
            text = ngettext("%(count)s contact opted out.", "%(count)s contacts opted out.", count)
        elif action == "delete":
            count = bulk.erase(selected, by=request.membership)
            text = ngettext("%(count)s contact erased.", "%(count)s contacts erased.", count)
        else:
            tag = _tag(request, create=action == "add_tag")
            if action == "add_tag":
                count = bulk.add_tag(selected, tag)
                text = ngettext("%(count)s contact tagged.", "%(count)s contacts tagged.", count)
            else:
                count = bulk.remove_tag(selected, tag)
                text = ngettext("%(count)s contact untagged.", "%(count)s contacts untagged.", count)
    except BulkError as error:
        return render(
            request, "audience/list_bulk_error.html", {"error": str(error), "query": query}, status=400
        )
    messages.success(request, text % {"count": count})
    return redirect(
        reverse("contacts", kwargs={"account_slug": account.slug}) + (f"?{query}" if query else "")
    )


def _selection(request: AccountRequest, query: str) -> QuerySet[Contact]:
    if request.POST.get("scope") == "all":
        return bulk.selected_contacts(request.account, contact_filter=request_filter(QueryDict(query)))
    raw_ids = request.POST.getlist("contact")
    if not raw_ids:
        raise BulkError(_("Select at least one contact."))
    if not all(raw.isdigit() for raw in raw_ids):
        raise BulkError(_("Some selected contacts do not exist."))
    ids = {int(raw) for raw in raw_ids}
    selected = bulk.selected_contacts(request.account, ids=sorted(ids))
    if selected.count() != len(ids):  # another account's ids, or erased meanwhile
        raise BulkError(_("Some selected contacts do not exist."))
    return selected


def _tag(request: AccountRequest, *, create: bool) -> Tag:
    raw_id, name = request.POST.get("tag", ""), request.POST.get("tag_name", "").strip()
    if name and create:
        try:
            return get_or_create_tag(request.account, name)
        except ValidationError as error:
            raise BulkError(" ".join(error.messages)) from error
    if not raw_id:
        raise BulkError(_("Choose a tag."))
    tag = (
        Tag.objects.for_account(request.account).filter(id=int(raw_id)).first() if raw_id.isdigit() else None
    )
    if tag is None:
        raise BulkError(_("That tag does not exist."))
    return tag


@require_role(Role.SUPERVISOR)
def contact_delete(request: AccountRequest, account_slug: str, contact_id: int) -> HttpResponse:
    contact = Contact.objects.for_account(request.account).filter(id=contact_id).first()
    if contact is None:
        raise Http404
    if request.method == "POST":
        erasure.erase_contact(contact, by=request.membership)
        messages.success(request, _("The contact and all their data were erased."))
        return redirect("contacts", account_slug=request.account.slug)
    counts = erasure.erasure_counts(request.account, [contact.id])
    return render(
        request,
        "audience/delete_confirm.html",
        {"contact": contact, "lines": erasure.confirmation_lines(counts)},
    )
