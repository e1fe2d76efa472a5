"""What the inbox tells the apps built on it (campaigns), without importing them.

Each is sent inside the transaction that made the change, so a receiver's writes commit or roll
back with it.
"""

from django.dispatch import Signal

# A new inbound message was stored: sender=Line, message=Message.
message_received = Signal()
# An outbound message was queued (by a person, or automated): sender=Line, message=Message.
message_sent = Signal()
# WhatsApp refused an outbound message or asked us to slow down: sender=Line, message=Message,
# code=int | None, permanent=bool.
send_refused = Signal()
# A template's status changed: sender=Line (one of its WABA's), template=Template.
template_status_changed = Signal()
# A number's quality or messaging tier changed: sender=Line, event=str ("FLAGGED", "DOWNGRADE", ...).
line_quality_changed = Signal()
# A customer stopped (or resumed) marketing messages on Meta: sender=Line, wa_id=str, user_id=str,
# value=str ("stop" or "resume").
marketing_preference = Signal()
