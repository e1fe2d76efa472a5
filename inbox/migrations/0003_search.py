"""Full-text search of message text in Spanish with accents ignored (INB-11), PostgreSQL only.

``spanish_unaccent`` is Spanish stemming after unaccent; the GIN index is on (account, text
vector) through btree_gin, so one account's search reads only its own rows. inbox/search.py
queries with exactly the indexed expression. Contact names, profile names and phones get a
trigram index, so a substring search does not read every contact.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'spanish_unaccent') THEN
            CREATE TEXT SEARCH CONFIGURATION spanish_unaccent (COPY = spanish);
            ALTER TEXT SEARCH CONFIGURATION spanish_unaccent
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
        END IF;
    END $$""",
    "CREATE INDEX IF NOT EXISTS inbox_message_search ON inbox_message"
    " USING gin (account_id, to_tsvector('spanish_unaccent'::regconfig, text))",
    # The account's latest messages, searched first (inbox/search.py).
    "CREATE INDEX IF NOT EXISTS inbox_message_account_id ON inbox_message (account_id, id)",
    # Contacts by any part of the name or the phone: Django's icontains is UPPER(col) LIKE.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS audience_contact_search ON audience_contact USING gin"
    " (account_id, upper(name::text) gin_trgm_ops, upper(profile_name::text) gin_trgm_ops,"
    " phone gin_trgm_ops)",
]
REVERSE = [
    "DROP INDEX IF EXISTS audience_contact_search",
    "DROP INDEX IF EXISTS inbox_message_account_id",
    "DROP INDEX IF EXISTS inbox_message_search",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS spanish_unaccent",
]


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def reverse(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("inbox", "0002_foundation"), ("audience", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
