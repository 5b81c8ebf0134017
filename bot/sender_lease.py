"""One outbox sender per bot token across replicas (issue 16): Telegram's budget is per token.

Each delivery round first takes or renews the lease (storage/leases.py) in the transaction that claims the
outbox rows, so a replica claims only while the database says it is the sender; the others stand by and try
again every second. Claims carry the lease's claim token (holder#epoch) and the marks match on it, so a
sender that froze past its lease and woke up changes nothing its successor owns. Whoever takes the lease over
returns the rows still in flight to pending, marked as possibly delivered (the mark restarts already use), so
every extra copy they cause says it may be a repeat.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import socket
import time
from datetime import timedelta

from bot import metrics
from bot.clock import Clock
from storage import leases, outbox
from storage.db import Tx

log = logging.getLogger(__name__)

# A replica that is not the sender looks again this often: failover takes at most the lease plus this.
STANDBY_POLL_SECONDS = 1.0
# Locally the lease is trusted for this share of its length from when it was renewed, so that a sender whose
# round runs long (or whose clock runs slow) stops sending before the database lets another take over.
LOCAL_TRUST = 0.8


def holder_name() -> str:
    """This replica's name on its leases: readable in the database, unique across restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def lease_name(token: str) -> str:
    """The lease's name for a bot token: its budget, without the token itself in the database."""
    return "bot:" + hashlib.sha256(token.encode()).hexdigest()[:16]


class SenderLease:
    """This replica's side of the sender lease.

    `ttl` is `[delivery] sender_lease_seconds`. `clock` None: the database's clock (PostgreSQL). SQLite has
    one process and no clock of its own, so there the service clock is given, and `take_over_at_start` takes the
    lease from an earlier life of the bot at once instead of waiting for it to run out."""

    def __init__(
        self,
        name: str,
        holder: str,
        *,
        ttl: timedelta,
        clock: Clock | None = None,
        take_over_at_start: bool = False,
    ) -> None:
        self.name = name
        self.holder = holder
        self._ttl = ttl
        self._clock = clock
        self._force = take_over_at_start
        self.current: leases.Lease | None = None
        self._trusted_until = 0.0  # time.monotonic()

    async def hold(self, tx: Tx) -> str | None:
        """Take or renew the lease in `tx` (the claim's transaction); the claim token while this replica is the
        sender, None while another is. After a takeover the rows a vanished sender had in flight are pending
        again, marked."""
        started = time.monotonic()
        now = self._clock.now() if self._clock is not None else None
        lease = await leases.acquire(tx, self.name, self.holder, self._ttl, now, force=self._force)
        if lease is None:
            if self.current is not None:
                log.warning("lost the sender lease (epoch %d); standing by", self.current.epoch)
            self.current = None
            metrics.sender_lease(held=False)
            return None
        self._force = False
        if lease.took_over:
            recovered = await outbox.recover_in_flight(tx)
            # Taking it back after our own lease ran out (the clock jumped, a long pause) is no failover.
            from_another = lease.previous_holder not in (None, self.holder)
            log.log(
                logging.WARNING if recovered or from_another else logging.INFO,
                "sender lease taken at epoch %d (held before by %s); %d message(s) in flight are sent again, marked",
                lease.epoch,
                lease.previous_holder or "nobody",
                recovered,
            )
            metrics.sender_lease(held=True, took_over=from_another)
        else:
            metrics.sender_lease(held=True)
        self.current = lease
        self._trusted_until = started + self._ttl.total_seconds() * LOCAL_TRUST
        return lease.claim_token

    def still_mine(self) -> bool:
        """Whether to go on sending what was claimed: the lease is held and was renewed recently enough."""
        return self.current is not None and time.monotonic() < self._trusted_until

    async def release(self, tx: Tx) -> None:
        """Give the lease up when stopping, so that another replica takes over at once."""
        lease, self.current = self.current, None
        if lease is not None and await leases.release(tx, self.name, self.holder, lease.epoch):
            log.info("gave up the sender lease (epoch %d)", lease.epoch)
        metrics.sender_lease(held=False)
