"""How an event reaches its members' groups, each copy with the member's next sequence number.

On Redis (production, tests) one server-side script takes every recipient's next number and
publishes every copy in a single round trip: the pub/sub layer's own group_send costs a lock and a
round trip per group, and a message in a 500-operator account is 500 groups (benchmarks/realtime).
The script publishes exactly what the layer would (its channel names, its msgpack bytes), so the
consumers receive through the layer as usual. Anywhere else (the embedded default's in-memory
layer, an encrypted or sharded Redis layer) each copy goes through the layer's group_send.

Sequence numbers live beside the layer: a Redis hash per account (member id -> last number), or
the cache (locmem in the embedded default: one process).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.core.cache import cache

# The consumer's handler for what we send (InboxConsumer.inbox_event).
HANDLER = "inbox.event"
# Counters outlive any socket; a month of silence restarts an account's members at 1, which their
# browsers take as a gap (they resync).
SEQ_TTL = 30 * 24 * 3600

# ARGV: TTL, the layer's bytes of {"type": HANDLER, "text": ...} up to the text, the event's JSON
# up to its seq, then pairs of member id and group channel. Each copy's text is the JSON with
# the member's number and the closing brace, packed as a msgpack string.
_FANOUT = """
local head, json = ARGV[2], ARGV[3]
local seqs = {}
for i = 4, #ARGV, 2 do
  local seq = redis.call('HINCRBY', KEYS[1], ARGV[i], 1)
  redis.call('PUBLISH', ARGV[i + 1], head .. cmsgpack.pack(json .. string.format('%d', seq) .. '}'))
  seqs[#seqs + 1] = seq
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return seqs
"""


def group_name(account_id: int, membership_id: int) -> str:
    return f"inbox.{account_id}.{membership_id}"


def deliver(account_id: int, payload: dict[str, Any], members: list[int]) -> list[int]:
    """Send ``payload`` plus each member's next ``seq`` to each member's group; returns the seqs."""
    layer = get_channel_layer()
    if layer is None:
        return []
    target = _redis_target(layer)
    if target is not None:
        client, prefix = target
        head = _head(layer)
        if head is not None:
            json_head = json.dumps({**payload, "seq": 0}, separators=(",", ":"))[: -len("0}")]
            args: list[Any] = [SEQ_TTL, head, json_head]
            for member in members:
                args += [member, f"{prefix}__group__{group_name(account_id, member)}"]
            return [int(seq) for seq in _fanout(client)(keys=[_hash_key(account_id)], args=args)]
    seqs = _next_seqs(account_id, members, target[0] if target else None)
    batch = [
        (group_name(account_id, member), frame({**payload, "seq": seq}))
        for member, seq in zip(members, seqs, strict=True)
    ]
    async_to_sync(_group_send_all)(layer, batch)
    return seqs


def frame(event: dict[str, Any]) -> dict[str, Any]:
    """The layer message that carries ``event`` to a consumer, its JSON encoded once."""
    return {"type": HANDLER, "text": json.dumps(event, separators=(",", ":"))}


def current_seq(account_id: int, membership_id: int) -> int:
    """The member's last sequence number (the consumer's hello)."""
    target = _redis_target(get_channel_layer())
    if target is not None:
        value = target[0].hget(_hash_key(account_id), str(membership_id))
        return int(value) if value is not None else 0
    return int(cache.get(_cache_key(account_id, membership_id), 0))


def _head(layer: RedisPubSubChannelLayer) -> bytes | None:
    """The layer's bytes for a frame up to its text, when they are plain msgpack ending in it
    (not encrypted, no random prefix): checked by decoding a sample."""
    data: bytes = layer.serialize({"type": HANDLER, "text": ""})
    if not data.endswith(b"\xa0"):  # msgpack's empty string
        return None
    head = data[:-1]
    try:
        if layer.deserialize(head + b"\xa2{}") != {"type": HANDLER, "text": "{}"}:
            return None
    except Exception:  # noqa: BLE001  # an encrypted layer's bytes do not decode at all: not ours to publish
        return None
    return head


_clients: dict[str, redis.Redis] = {}
_scripts: dict[int, Any] = {}


def _fanout(client: redis.Redis) -> Any:
    script = _scripts.get(id(client))
    if script is None:  # EVALSHA from the second call on; redis-py reloads it after a restart
        script = _scripts.setdefault(id(client), client.register_script(_FANOUT))
    return script


def _redis_target(layer: Any) -> tuple[redis.Redis, str] | None:
    """The pub/sub layer's Redis and channel prefix, when it has exactly one host given by URL."""
    if not isinstance(layer, RedisPubSubChannelLayer):
        return None
    config = layer._kwargs  # the layer's CONFIG, as settings.CHANNEL_LAYERS gives it
    hosts = config.get("hosts") or []
    if len(hosts) != 1 or not isinstance(hosts[0], str):
        return None
    client = _clients.get(hosts[0])
    if client is None:  # one pool per process; redis-py's pools are thread-safe
        client = _clients.setdefault(hosts[0], redis.Redis.from_url(hosts[0]))
    return client, str(config.get("prefix", "asgi"))


def _hash_key(account_id: int) -> str:
    return f"inbox-seq:{account_id}"


def _cache_key(account_id: int, membership_id: int) -> str:
    return f"inbox-seq:{account_id}:{membership_id}"


def _next_seqs(account_id: int, members: list[int], client: redis.Redis | None) -> list[int]:
    if client is not None:
        pipe = client.pipeline(transaction=False)
        for member in members:
            pipe.hincrby(_hash_key(account_id), str(member), 1)
        pipe.expire(_hash_key(account_id), SEQ_TTL)
        return [int(seq) for seq in pipe.execute()[:-1]]
    seqs = []
    for member in members:  # locmem (the embedded default): one process, add + incr is enough
        key = _cache_key(account_id, member)
        cache.add(key, 0, SEQ_TTL)
        seqs.append(cache.incr(key))
    return seqs


async def _group_send_all(layer: Any, batch: list[tuple[str, dict[str, Any]]]) -> None:
    await asyncio.gather(*(layer.group_send(group, message) for group, message in batch))
