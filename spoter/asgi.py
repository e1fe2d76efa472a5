import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spoter.settings")
django_application = get_asgi_application()

# Both need Django set up first.
from channels.routing import ProtocolTypeRouter  # noqa: E402

from inbox.webhooks.asgi import WebhookApp  # noqa: E402

application = ProtocolTypeRouter({"http": WebhookApp(django_application)})
