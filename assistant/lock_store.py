"""Rasa's Redis lock store, with each change to a conversation's lock made inside Redis at once.

Several Rasa servers take turns on one conversation through a ticket lock in Redis: each message
takes the next ticket and waits until its ticket is first in line. Rasa's RedisLockStore reads the
lock, changes it in Python and writes it back, so two servers taking a ticket for the same
conversation at the same moment can both get the same number and handle two messages at once
(RasaHQ/rasa#11256; the fix went to Rasa Pro only). It also makes seven round trips to Redis for
every message.

Here taking a ticket is one Lua script and giving it back another (Redis runs a script alone, so
nothing can come in between): two round trips a message, three or more only while a message waits
for the one before it. Same ticket lock (first come, first served; a ticket expires after Rasa's lock
lifetime, so a crashed server's ticket does not block a conversation for ever), same key and format as
Rasa's store, so the inherited methods read it; the key itself expires once its last ticket has.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Optional, Text

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# Shared by the scripts. KEYS[1]: the lock's key; ARGV[1]: conversation id; ARGV[2]: the time now.
# A lock is Rasa's JSON: {"conversation_id": ..., "tickets": ["{\"number\": 0, \"expires\": ...}", ...]}.
_LIVE_TICKETS = """
local now = tonumber(ARGV[2])
local tickets = {}
local stored = redis.call('GET', KEYS[1])
if stored then
  for _, text in ipairs(cjson.decode(stored)['tickets']) do
    local ticket = cjson.decode(text)
    if ticket['expires'] >= now then table.insert(tickets, ticket) end
  end
end
local function save()
  if #tickets == 0 then redis.call('DEL', KEYS[1]) return end
  local texts, last = {}, now
  for i, ticket in ipairs(tickets) do
    texts[i] = cjson.encode(ticket)
    last = math.max(last, ticket['expires'])
  end
  -- The key outlives its last ticket by a minute (other servers' clocks may differ a little).
  redis.call('SET', KEYS[1], cjson.encode({conversation_id = ARGV[1], tickets = texts}),
             'PX', math.ceil((last - now) * 1000) + 60000)
end
"""
# ARGV[3]: lifetime in seconds. Takes the next ticket; returns {ticket, the ticket served now}.
TAKE = _LIVE_TICKETS + """
local number = 0
if #tickets > 0 then number = tickets[#tickets]['number'] + 1 end
table.insert(tickets, {number = number, expires = now + tonumber(ARGV[3])})
save()
return {number, tickets[1]['number']}
"""
# ARGV[3]: a waiting ticket. Drops expired tickets; returns the ticket served now, or -1 if the
# waiting ticket has expired.
CHECK = _LIVE_TICKETS + """
local mine = false
for _, ticket in ipairs(tickets) do
  if ticket['number'] == tonumber(ARGV[3]) then mine = true end
end
save()
if not mine then return -1 end
return tickets[1]['number']
"""
# ARGV[3]: the ticket to give back. Deletes the lock when no ticket is left.
RELEASE = _LIVE_TICKETS + """
for i = #tickets, 1, -1 do
  if tickets[i]['number'] == tonumber(ARGV[3]) then table.remove(tickets, i) end
end
save()
return #tickets
"""


class AtomicRedisLockStore(RedisLockStore):
    """endpoints.yml: `lock_store: {type: assistant.lock_store.AtomicRedisLockStore, url: ..., port: ...,
    password: ..., db: ..., key_prefix: ...}`, the settings of Rasa's `type: redis`."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa creates a lock store named by its module path
            kwargs = dict(host=endpoint_config.url, **endpoint_config.kwargs)
        super().__init__(**kwargs)
        self._take = self.red.register_script(TAKE)
        self._check = self.red.register_script(CHECK)
        self._release = self.red.register_script(RELEASE)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's: waits, `wait_time_in_seconds` between looks, until this message's ticket is first
        in line; raises LockError if it expires first or Redis cannot be reached."""
        key = self.key_prefix + conversation_id
        try:
            ticket, serving = self._take(keys=[key], args=[conversation_id, time.time(), lock_lifetime])
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        try:
            while serving != ticket:
                if serving < 0:
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
                await asyncio.sleep(wait_time_in_seconds)
                serving = self._check(keys=[key], args=[conversation_id, time.time(), ticket])
            # What Rasa's lock yields (its callers do not use it): the lock, as far as this message knows.
            yield TicketLock(conversation_id, deque([Ticket(ticket, time.time() + lock_lifetime)]))
        finally:
            try:
                self._release(keys=[key], args=[conversation_id, time.time(), ticket])
            except Exception:  # the turn is done and stored; its ticket expires by itself
                logger.warning("Could not give back the lock of a conversation; it expires in %s s",
                               lock_lifetime, exc_info=True)
