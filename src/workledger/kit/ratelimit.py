"""Rate limits (DESIGN §4.6, seed 002): fixed 15-minute windows, counted in Redis when
configured so every worker and machine shares them, in memory otherwise.

``limits.aio`` does the counting; this module decides *what* is counted:

- an authenticated call counts against its credential (3600 per 15 minutes by default,
  per-endpoint overrides from settings);
- an unauthenticated call counts against the client address;
- failed password and token checks count against much lower limits per address, per
  username from one address, and per username from anywhere, checked before every
  password check (``LoginGuard``).

If Redis cannot be reached, authenticated calls go through (logged: availability beats
counting) while password checks are refused (security beats availability).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from email.utils import formatdate

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter

from workledger.kit.i18n import N_
from workledger.kit.problems import RateLimited

log = logging.getLogger("workledger.ratelimit")
SCOPE_KEY = "workledger.ratelimit"


@dataclass(frozen=True)
class Window:
    """The state of one caller's current window, as the response headers tell it."""

    policy: str
    limit: int
    remaining: int
    reset_at: float
    window_seconds: int

    @property
    def used(self) -> int:
        return self.limit - self.remaining

    def headers(self) -> list[tuple[bytes, bytes]]:
        reset_in = max(0, int(self.reset_at - time.time()))
        return [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
            (b"x-ratelimit-used", str(self.used).encode()),
            (b"ratelimit-policy",
             f'"{self.policy}";q={self.limit};w={self.window_seconds}'.encode()),
            (b"ratelimit", f'"{self.policy}";r={self.remaining};t={reset_in}'.encode()),
        ]

    def exceeded(self) -> RateLimited:
        headers = {name.decode(): value.decode() for name, value in self.headers()}
        headers["Retry-After"] = formatdate(self.reset_at, usegmt=True)
        refusal = (N_("More than {limit} failed sign-ins in {minutes} minutes. Retry after "
                      "the time in Retry-After.") if self.policy.startswith("login")
                   else N_("More than {limit} calls in {minutes} minutes. Retry after the "
                           "time in Retry-After."))
        return RateLimited(
            refusal.say(limit=self.limit, minutes=self.window_seconds // 60),
            headers=headers,
        )


class RateLimiter:
    def __init__(
        self,
        redis_url: str | None,
        *,
        default: str = "3600/15 minutes",
        login: str = "10/15 minutes",
        login_per_address: str = "50/15 minutes",
        login_per_username: str = "100/15 minutes",
        overrides: dict[str, str] | None = None,
        key_prefix: str | None = None,
    ) -> None:
        """``key_prefix``: where this limiter's counters live in Redis (the sandbox keeps
        its own); ``None`` is limits' default, ``LIMITS``."""
        storage: Storage
        if redis_url:
            uri = redis_url.replace("redis://", "async+redis://", 1)
            storage = RedisStorage(
                uri, implementation="redispy", wrap_exceptions=True,
                socket_timeout=0.5, socket_connect_timeout=0.5,
                **({"key_prefix": key_prefix} if key_prefix else {}),
            )
        else:
            storage = MemoryStorage()
        self.storage = storage
        self.strategy = FixedWindowRateLimiter(storage)
        self.default = parse(default)
        self.login = parse(login)
        self.login_per_address = parse(login_per_address)
        self.login_per_username = parse(login_per_username)
        self.overrides = {route: parse(limit) for route, limit in (overrides or {}).items()}
        self._last_warning = 0.0

    def item_for(self, route: str | None) -> tuple[str, RateLimitItem]:
        if route and route in self.overrides:
            return route, self.overrides[route]
        return "default", self.default

    async def hit(self, policy: str, item: RateLimitItem, *identifiers: str) -> Window | None:
        """Count one call. ``None`` when the store cannot be reached (fail open)."""
        # What FixedWindowRateLimiter.hit and get_window_stats do, with the count that
        # this call's increment returned instead of a second read: one store call (one
        # Redis round trip) less per request, and the remaining count is this call's own
        # even when others hit the same window meanwhile.
        key = item.key_for(policy, *identifiers)
        try:
            count = await self.storage.incr(key, item.get_expiry())
            reset_at = await self.storage.get_expiry(key)
        except Exception as error:  # noqa: BLE001 - any store failure: fail open, loudly
            self._warn(error)
            return None
        allowed = count <= item.amount
        window = Window(policy, item.amount, max(0, item.amount - count), reset_at,
                        item.get_expiry())
        if not allowed:
            raise window.exceeded()
        return window

    def _warn(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning > 60:
            self._last_warning = now
            log.warning(
                "rate limit store unreachable: API calls go through uncounted, sign-ins are "
                "refused: %s", error,
            )


class LoginGuard:
    """Failed credential checks, per address and per username (closed when unsure).

    When the shared store cannot be reached, sign-ins (token endpoint, pages) are
    refused, and API password checks (API users, automation users) are counted in this
    process instead: an integration keeps working, and guessing stays limited — per
    worker rather than for the whole installation, until the store is back."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter
        self.fallback = FixedWindowRateLimiter(MemoryStorage())
        self._last_fallback_warning = 0.0

    def _buckets(self, address: str, username: str):
        # A username is locked from one address after a few failures, and from everywhere
        # only after many: a stranger guessing cannot lock an integration out by failing
        # ten times, while a distributed guess still runs into the per-username bucket.
        user = username.lower()
        return [
            (self.limiter.login_per_address, "login-address", address),
            (self.limiter.login, "login-user-address", f"{user}|{address}"),
            (self.limiter.login_per_username, "login-user", user),
        ]

    async def check(self, address: str, username: str, *, closed_when_unsure: bool = True) -> None:
        """Refuse the attempt when either bucket is spent. When the store cannot be read,
        sign-ins (token endpoint, pages) are refused; API password checks pass, as every
        other API call does."""
        strategy = self.limiter.strategy
        for item, policy, identifier in self._buckets(address, username):
            try:
                allowed = await strategy.test(item, policy, identifier)
                stats = await strategy.get_window_stats(item, policy, identifier)
            except Exception as error:  # noqa: BLE001
                self.limiter._warn(error)
                if not closed_when_unsure:
                    await self._check_in_process(address, username)
                    return
                raise RateLimited(
                    N_("Sign-in is paused: the rate limit store cannot be "
                       "reached.").in_language(),
                    headers={"Retry-After": "60"},
                ) from error
            if not allowed:
                window = Window(policy, item.amount, 0, stats.reset_time, item.get_expiry())
                raise window.exceeded()

    async def failed(self, address: str, username: str) -> None:
        for item, policy, identifier in self._buckets(address, username):
            try:
                await self.limiter.strategy.hit(item, policy, identifier)
            except Exception as error:  # noqa: BLE001
                self.limiter._warn(error)
                await self.fallback.hit(item, policy, identifier)

    async def _check_in_process(self, address: str, username: str) -> None:
        now = time.monotonic()
        if now - self._last_fallback_warning > 60:
            self._last_fallback_warning = now
            log.warning("rate limit store unreachable: API password checks are limited by "
                        "this process's own counters until it is back")
        for item, policy, identifier in self._buckets(address, username):
            if not await self.fallback.test(item, policy, identifier):
                stats = await self.fallback.get_window_stats(item, policy, identifier)
                raise Window(policy, item.amount, 0, stats.reset_time,
                             item.get_expiry()).exceeded()
