"""The shared cache and its fixed-window counter, against the real Redis and against the
in-process cache the embedded demo uses (no mock stands in for either)."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache

from jiceng.lib.cache import RedisCache, count

from .test_jobs import REDIS_URL, require_redis


def redis_cache() -> RedisCache:
    require_redis()
    return RedisCache(REDIS_URL, {"KEY_PREFIX": f"jiceng-test-{uuid.uuid4().hex[:12]}"})


def memory_cache() -> LocMemCache:
    return LocMemCache(f"jiceng-test-{uuid.uuid4().hex[:12]}", {})


@pytest.fixture(params=["redis", "memory"])
def a_cache(request):
    made = redis_cache() if request.param == "redis" else memory_cache()
    yield made
    made.delete_many(["hits", "other"])


def test_a_counter_starts_at_one_and_adds_one_per_hit(a_cache):
    assert [count("hits", 60, a_cache) for _ in range(3)] == [1, 2, 3]
    assert count("other", 60, a_cache) == 1
    assert a_cache.get("hits") == 3  # an integer the cache reads back as it is


def test_a_counter_ends_with_the_window_its_first_hit_started():
    cache = redis_cache()
    count("hits", 60, cache)
    key = cache.make_and_validate_key("hits")
    client = cache._cache.get_client(key)
    assert 58 <= client.ttl(key) <= 60
    client.expire(key, 5)  # later in the window: five seconds are left
    count("hits", 60, cache)
    assert client.ttl(key) <= 5  # a hit does not extend the window
    client.delete(key)
    assert count("hits", 60, cache) == 1  # the window has ended: the next hit starts anew
    client.delete(key)


def test_the_redis_cache_keeps_one_client_per_pool_for_the_process():
    cache = redis_cache()
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is client
    cache.set("kept", {"a": [1, 2]}, 30)
    assert cache.get("kept") == {"a": [1, 2]} and cache._cache.get_client() is client
    cache.delete("kept")
