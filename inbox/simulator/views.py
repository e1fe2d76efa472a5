"""The phone page: a person plays a WhatsApp customer of a simulated number.

No login: a development tool, mounted only when settings.SIMULATOR_ENABLED (off in production).
"""

from __future__ import annotations

import hashlib

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inbox.send_errors import SendError
from inbox.simulator import phone
from inbox.simulator.forms import ComposeForm, StartChatForm, TapForm
from inbox.simulator.models import SimCustomer, SimMessage, SimNumber

RECENT_CHATS = 10


@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = StartChatForm(request.POST)
        if form.is_valid():
            customer = phone.start_chat(
                form.cleaned_data["number"], form.cleaned_data["phone"], form.cleaned_data["name"]
            )
            return redirect("simulator:chat", customer.id)
    else:
        first = (
            SimNumber.objects.filter(phone_number_id=request.GET.get("number", "")).first()
            or SimNumber.objects.first()
        )
        form = StartChatForm(initial={"number": first})
    recent = SimCustomer.objects.select_related("number").order_by("-last_inbound_at", "-created_at")[
        :RECENT_CHATS
    ]
    return render(
        request,
        "simulator/index.html",
        {"form": form, "recent": recent, "has_numbers": SimNumber.objects.exists()},
    )


@require_GET
def chat(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = get_object_or_404(SimCustomer.objects.select_related("number"), id=customer_id)
    return render(
        request, "simulator/chat.html", {"customer": customer, "form": ComposeForm(), **_thread(customer)}
    )


@require_GET
def thread(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The chat, polled about every second; 204 (htmx swaps nothing) when nothing changed."""
    customer = get_object_or_404(SimCustomer, id=customer_id)
    context = _thread(customer)
    if request.GET.get("v") == context["version"]:
        return HttpResponse(status=204)
    return render(request, "simulator/_thread.html", {"customer": customer, **context})


@require_POST
def send(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = get_object_or_404(SimCustomer.objects.select_related("number"), id=customer_id)
    form = ComposeForm(request.POST, request.FILES)
    if form.is_valid():
        text, upload = form.cleaned_data["text"], form.cleaned_data["file"]
        try:
            if upload:
                phone.send_file(customer, upload.read(), upload.name or "file", caption=text)
            else:
                phone.say(customer, text)
        except SendError as error:
            form.add_error("file", error.message)
    if not form.is_valid():
        return render(
            request,
            "simulator/chat.html",
            {"customer": customer, "form": form, **_thread(customer)},
            status=400,
        )
    return _after_action(request, customer)


@require_POST
def tap(request: HttpRequest, customer_id: int, message_id: int) -> HttpResponse:
    customer = get_object_or_404(SimCustomer.objects.select_related("number"), id=customer_id)
    message = get_object_or_404(
        SimMessage, id=message_id, customer=customer, direction=SimMessage.Direction.FROM_BUSINESS
    )
    form = TapForm(request.POST)
    if (
        not form.is_valid()
        or phone.tap(customer, message, form.cleaned_data["kind"], form.cleaned_data["value"]) is None
    ):
        return HttpResponseBadRequest()
    return _after_action(request, customer)


@require_GET
def media(request: HttpRequest, customer_id: int, message_id: int) -> HttpResponse:
    """A file of the chat, for the phone to show (the Graph API's download needs the token)."""
    message = get_object_or_404(
        SimMessage.objects.select_related("media"), id=message_id, customer_id=customer_id
    )
    if message.media is None:
        raise Http404
    return HttpResponse(bytes(message.media.data), content_type=message.media.mime_type)


def _after_action(request: HttpRequest, customer: SimCustomer) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]  # django-htmx's middleware sets it
        return render(request, "simulator/_thread.html", {"customer": customer, **_thread(customer)})
    return redirect("simulator:chat", customer.id)


def _thread(customer: SimCustomer) -> dict[str, object]:
    phone.see(customer)
    messages = phone.thread(customer)
    quoted = {message.wamid: message for message in messages}
    for message in messages:
        message.quoted = quoted.get(message.context_wamid)  # type: ignore[attr-defined]  # for the template
    state = repr([(message.id, message.status) for message in messages]).encode()
    # Not "messages": base.html shows Django's flash messages under that name.
    return {"chat": messages, "version": hashlib.sha256(state).hexdigest()[:16]}
