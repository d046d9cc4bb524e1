"""With REDIS_URL set, the cache is Redis, shared by every process (issue 16 part 2)."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)


def redis_reachable() -> bool:
    try:
        socket.create_connection(REDIS, timeout=1).close()
    except OSError:
        return False
    return True


SCRIPT = """
import sys, django
django.setup()
from django.core.cache import cache
from django.conf import settings
print(settings.CACHES["default"]["BACKEND"])
key, value = sys.argv[1], sys.argv[2]
if value:
    cache.set(key, value, 60)
else:
    print(cache.get(key))
    cache.delete(key)
"""


def run(key: str, value: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHINCHOKU_", "DATABASE_URL"))}
    env.update(
        REDIS_URL=f"redis://{REDIS[0]}:{REDIS[1]}/15",
        DJANGO_SETTINGS_MODULE="shinchoku.settings",
        PYTHONPATH=str(REPO),
        SHINCHOKU_SECRET_KEY="redis-cache-test-key",
    )
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, key, value],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return out.stdout.split()


@pytest.mark.skipif(not redis_reachable(), reason="no Redis at 127.0.0.1:6379")
def test_two_processes_share_the_redis_cache():
    key = f"shared-{uuid.uuid4().hex}"
    assert run(key, "書いた値") == ["django.core.cache.backends.redis.RedisCache"]
    assert run(key, "") == ["django.core.cache.backends.redis.RedisCache", "書いた値"]
