"""assistant/lock_store.py against a real Redis server, started here on a free port."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from assistant.lock_store import AtomicRedisLockStore
from conftest import ROOT, free_port

PREFIX = "test"
DB = 1  # the lock stores' default database


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
                              stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield port
    server.terminate()
    server.wait(10)


def store(port: int) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(host="127.0.0.1", port=port, key_prefix=PREFIX)


# A "server": its own process and connection, handling messages of one conversation. Inside the lock it
# reads a counter, yields to its event loop and writes the counter plus one; it counts how often it
# found another holder inside, and lock errors. (With Rasa's RedisLockStore in its place, two runs:
# 19 and 9 overlaps, 12 and 6 lock errors, 171 and 187 of 200 counted, 71 and 36 s.)
WORKER = """
import asyncio, sys
import redis
from assistant.lock_store import AtomicRedisLockStore
from rasa.core.lock_store import LockError, RedisLockStore
port, conversation, messages, kind = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
store = (AtomicRedisLockStore if kind == "atomic" else RedisLockStore)(host="127.0.0.1", port=port, key_prefix="test")
r = redis.Redis(port=port)
async def main():
    for _ in range(messages):
        try:
            async with store.lock(conversation, lock_lifetime=5, wait_time_in_seconds=0.001):
                if r.incr(conversation + ":inside") != 1:
                    r.incr(conversation + ":overlaps")
                count = int(r.get(conversation + ":count") or 0)
                await asyncio.sleep(0.001)
                r.set(conversation + ":count", count + 1)
                r.decr(conversation + ":inside")
        except LockError:
            r.incr(conversation + ":lock errors")
asyncio.run(main())
"""


def run_servers(port: int, kind: str, servers: int = 4, messages: int = 50) -> Tuple[int, int, int]:
    conversation = f"race-{uuid.uuid4().hex}"
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(port), conversation, str(messages), kind],
                                cwd=ROOT) for _ in range(servers)]
    assert [w.wait(300) for w in workers] == [0] * servers
    r = redis.Redis(port=port)
    return tuple(int(r.get(f"{conversation}:{what}") or 0) for what in ("count", "overlaps", "lock errors"))


def test_four_servers_never_handle_one_conversation_at_once(port: int) -> None:
    # Every message handled (200), none while another held the lock, no lock error.
    assert run_servers(port, "atomic") == (200, 0, 0)


def test_messages_are_served_in_the_order_they_came(port: int) -> None:
    conversation = f"order-{uuid.uuid4().hex}"
    servers = [store(port) for _ in range(3)]
    served: List[str] = []

    async def message(name: str, server: AtomicRedisLockStore, hold: float) -> None:
        async with server.lock(conversation, wait_time_in_seconds=0.01):
            served.append(name)
            await asyncio.sleep(hold)

    async def main() -> None:
        first = asyncio.create_task(message("first", servers[0], 0.3))
        await asyncio.sleep(0.05)
        second = asyncio.create_task(message("second", servers[1], 0))
        await asyncio.sleep(0.05)
        third = asyncio.create_task(message("third", servers[2], 0))
        await asyncio.gather(first, second, third)

    asyncio.run(main())
    assert served == ["first", "second", "third"]
    assert redis.Redis(port=port, db=DB).exists(PREFIX + ":lock:" + conversation) == 0  # gone when nobody waits


def test_the_lock_is_stored_as_rasas_store_stores_it(port: int) -> None:
    conversation = f"format-{uuid.uuid4().hex}"
    rasas = RedisLockStore(host="127.0.0.1", port=port, key_prefix=PREFIX)
    r = redis.Redis(port=port, db=DB)

    async def main() -> None:
        async with store(port).lock(conversation, lock_lifetime=30):
            lock = rasas.get_lock(conversation)
            assert lock.conversation_id == conversation and lock.now_serving == 0
            assert 30_000 < r.pttl(PREFIX + ":lock:" + conversation) <= 90_000  # expires after its ticket
            assert rasas.issue_ticket(conversation) == 1  # Rasa's store sees the ticket and queues behind it

    asyncio.run(main())
    assert [t.number for t in rasas.get_lock(conversation).tickets] == [1]  # ours given back, Rasa's kept


def test_a_crashed_servers_ticket_expires(port: int) -> None:
    conversation = f"crash-{uuid.uuid4().hex}"
    crashed = store(port)
    # The crashed server took a ticket (lifetime 0.5 s) and never gave it back.
    crashed._take(keys=[PREFIX + ":lock:" + conversation], args=[conversation, time.time(), 0.5])

    async def main() -> float:
        started = time.perf_counter()
        async with store(port).lock(conversation, wait_time_in_seconds=0.05):
            return time.perf_counter() - started

    waited = asyncio.run(main())
    assert 0.4 < waited < 5


def test_a_waiting_message_whose_ticket_expires_gets_a_lock_error(port: int) -> None:
    conversation = f"expired-{uuid.uuid4().hex}"

    async def main() -> None:
        async with store(port).lock(conversation, lock_lifetime=10):
            with pytest.raises(LockError):
                async with store(port).lock(conversation, lock_lifetime=0.3, wait_time_in_seconds=0.1):
                    pass

    asyncio.run(main())


def test_redis_unreachable_is_a_lock_error() -> None:
    unreachable = AtomicRedisLockStore(host="127.0.0.1", port=free_port(), socket_timeout=1)

    async def main() -> None:
        async with unreachable.lock("anyone"):
            pass

    with pytest.raises(LockError):
        asyncio.run(main())


def test_rasa_creates_it_from_the_endpoint_settings(port: int) -> None:
    created = LockStore.create(EndpointConfig.from_dict(
        {"type": "assistant.lock_store.AtomicRedisLockStore", "url": "127.0.0.1", "port": port, "db": 1,
         "key_prefix": "poi"}))
    assert isinstance(created, AtomicRedisLockStore) and created.key_prefix == "poi:lock:"
    assert created.red.connection_pool.connection_kwargs["port"] == port


def test_the_scale_out_endpoints_use_it() -> None:
    endpoints = (Path(ROOT) / "scale" / "endpoints.yml").read_text()
    assert "type: assistant.lock_store.AtomicRedisLockStore" in endpoints
