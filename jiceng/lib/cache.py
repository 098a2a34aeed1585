"""The shared cache: Django's Redis cache with one client per pool, and a fixed-window
counter that costs one round trip.

Django's `RedisCache` builds a new `redis.Redis` object (and its table of response
callbacks) on every call; this one keeps the client of each pool for the life of the
process. The API's rate limit and the tracking page's attempt limit count with `count`,
which on Redis is `INCR` and `EXPIRE … NX` in one pipeline, where Django's own
`add`/`incr` takes two or three round trips.
"""

from __future__ import annotations

from django.core.cache import cache as default_cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _KeptClients(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(DjangoRedisCache):
    """`django.core.cache.backends.redis.RedisCache`, keeping its clients."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _KeptClients

    def count(self, key: str, window: int) -> int:
        full_key = self.make_and_validate_key(key)
        pipe = self._cache.get_client(full_key, write=True).pipeline(transaction=False)
        pipe.incr(full_key)
        pipe.expire(full_key, window, nx=True)
        return pipe.execute()[0]


def count(key: str, window: int, cache=None) -> int:
    """Add one to the counter `key` and answer its new value. The first hit starts a window
    of `window` seconds; the key expires when it ends, and the next hit starts anew."""
    cache = cache or default_cache
    counter = getattr(cache, "count", None)
    if counter is not None:
        return counter(key, window)
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=window)
        return 1
