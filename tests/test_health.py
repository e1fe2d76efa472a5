"""/healthz reports the database, channel layer and broker (OPS-2)."""

from __future__ import annotations

import pytest
from channels.layers import channel_layers
from django.test import Client

from spoter.celery import app as celery_app


def test_all_up(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "channel_layer": "ok", "broker": "ok"},
        "down": [],
    }


def test_a_broker_that_is_down_is_named(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


def test_a_channel_layer_that_is_down_is_named(db: None, settings) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    channel_layers.backends.clear()
    try:
        response = Client().get("/healthz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    assert response.json()["down"] == ["channel_layer"]
