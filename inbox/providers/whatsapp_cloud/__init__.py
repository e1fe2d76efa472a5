"""The WhatsApp Business Cloud API (Meta's Graph API): inbound webhooks and the HTTP transport."""
