"""Test settings: production's settings (DATABASE_URL and REDIS_URL set by `make test`) plus speed."""

from spoter.settings import *  # noqa: F403 -- the settings under test, as production loads them

# A fast hasher: password hashing dominates otherwise (healthchecks, Zulip do the same).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SIMULATOR_ENABLED = True  # the suite runs the real WhatsApp adapter against the simulator
