"""Rate limits (Flask-Limiter): sign-in, registration, password-reset requests and uploads.

Sign-in never locks an account. Two limits count *wrong* sign-ins only (a right one costs
nothing), both checked before the password is:

- per client address (`IGOT_SIGN_IN_LIMIT_ADDRESS`, default 30 per minute and 200 per hour):
  one address cannot try many accounts quickly;
- per account *and* address (`IGOT_SIGN_IN_LIMIT_ACCOUNT`, default 5 per minute, 10 per 15
  minutes and 20 per hour): repeated failures for one username from one address wait longer
  and longer, while the owner signing in from another address is not slowed at all.

The username counts exactly as typed (sign-in matches it exactly too). An administrator's
"unlock" starts the account's counters afresh (`clear_sign_in_slowdown`) for every address.
Registration and password-reset requests are limited per address (`IGOT_ACCOUNT_FORM_LIMIT`,
default 60 per minute and 1,000 per hour: offices share one address behind their NAT);
uploads per user (`IGOT_UPLOAD_RATE_LIMIT`, default 20 per minute and 200 per hour). A
refusal is a 429 with `Retry-After` (seconds) and a message saying when to try again.

If the storage cannot be reached, the failure is logged and requests are served unlimited
(refusing every sign-in would shut everyone out). The counters live where
`IGOT_RATELIMIT_STORAGE_URI` says (Flask-Limiter's storage URIs:
"memory://" by default, in the process, so every worker process counts on its own;
"redis://host:6379" to share them). Limit strings follow Flask-Limiter's notation
("5 per minute; 20 per hour"). The client address is `request.remote_addr`, which
`IGOT_TRUSTED_PROXIES` (see webapp/__init__.py) lets come from trusted proxies' headers.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import time
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_babel import ngettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many

DEFAULTS = {
    "IGOT_SIGN_IN_LIMIT_ADDRESS": "30 per minute; 200 per hour",
    "IGOT_SIGN_IN_LIMIT_ACCOUNT": "5 per minute; 10 per 15 minutes; 20 per hour",
    "IGOT_ACCOUNT_FORM_LIMIT": "60 per minute; 1000 per hour",
    "IGOT_UPLOAD_RATE_LIMIT": "20 per minute; 200 per hour",
}
# How long an administrator's "unlock" is remembered: longer than the longest window above.
EPOCH_LIFETIME = 2 * 24 * 3600

log = logging.getLogger(__name__)
limiter = Limiter(key_func=get_remote_address, strategy="moving-window")


class Throttled(Exception):
    """Too many requests: try again after `retry_after` seconds (an int >= 1)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def init_app(app: Flask) -> None:
    """Configure the limits from the environment (explicit app config wins) and start Flask-Limiter."""
    for name, default in DEFAULTS.items():
        app.config.setdefault(name, os.environ.get(name) or default)
    app.config.setdefault("RATELIMIT_STORAGE_URI", os.environ.get("IGOT_RATELIMIT_STORAGE_URI") or "memory://")
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    # A storage that cannot be reached is logged and the request served, not refused.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)


def _items(name: str) -> list[RateLimitItem]:
    return list(parse_many(str(current_app.config[name])))


def _wait(item: RateLimitItem, *keys: str) -> int:
    reset_at, _remaining = limiter.limiter.get_window_stats(item, *keys)
    return max(1, math.ceil(reset_at - time.time()))


def _check(name: str, *keys: str) -> None:
    """Throttled if any limit of setting `name` has no room left for these keys."""
    if not limiter.enabled:
        return
    try:
        waits = [_wait(item, *keys) for item in _items(name) if not limiter.limiter.test(item, *keys)]
    except Exception:  # the storage is down: serve rather than refuse everyone
        log.exception("rate limit storage failed; %s not checked", name)
        return
    if waits:
        raise Throttled(max(waits))


def _hit(name: str, *keys: str) -> None:
    if not limiter.enabled:
        return
    try:
        for item in _items(name):
            limiter.limiter.hit(item, *keys)
    except Exception:  # the storage is down: serve rather than refuse everyone
        log.exception("rate limit storage failed; %s not counted", name)


def client_address() -> str:
    """The caller's address as this app trusts it (after ProxyFix, when configured)."""
    return request.remote_addr or "unknown"


def _account(username: str) -> str:
    """The username as a short key: any length or character costs the storage 32 bytes."""
    return hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _epoch(username: str) -> str:
    try:
        return str(limiter.storage.get(f"igot/sign-in-epoch/{_account(username)}"))
    except Exception:  # the storage is down: _check and _hit say so
        return "0"


def _account_keys(username: str) -> tuple[str, ...]:
    return ("sign-in-account", _account(username), _epoch(username), client_address())


def check_sign_in(username: str) -> None:
    """Before checking a password: Throttled when this address, or this account from this
    address, has failed too often lately (see the module's notes)."""
    _check("IGOT_SIGN_IN_LIMIT_ADDRESS", "sign-in-address", client_address())
    _check("IGOT_SIGN_IN_LIMIT_ACCOUNT", *_account_keys(username))


def count_failed_sign_in(username: str) -> None:
    """Count one wrong sign-in against the address and against the account from this address."""
    _hit("IGOT_SIGN_IN_LIMIT_ADDRESS", "sign-in-address", client_address())
    _hit("IGOT_SIGN_IN_LIMIT_ACCOUNT", *_account_keys(username))


def clear_sign_in_slowdown(username: str) -> None:
    """Start the account's failure counters afresh for every address (an administrator's unlock).

    The counters are keyed with an epoch kept in the limiter's storage; moving it on leaves
    the old counters to expire unread. The per-address limit stays: it is about the address.
    """
    if not limiter.enabled:
        return
    try:
        limiter.storage.incr(f"igot/sign-in-epoch/{_account(username)}", EPOCH_LIFETIME)
    except Exception:  # the storage is down: nothing is being counted anyway
        log.exception("rate limit storage failed; the sign-in slowdown of %s not cleared", username)


def check_upload_rate(user_id: int) -> None:
    """Count one upload by the user; Throttled (nothing counted) when the rate is used up."""
    _check("IGOT_UPLOAD_RATE_LIMIT", "upload", str(user_id))
    _hit("IGOT_UPLOAD_RATE_LIMIT", "upload", str(user_id))


def account_form_limit() -> str:
    """The per-address limit of registration and password-reset requests (Flask-Limiter's notation)."""
    return str(current_app.config["IGOT_ACCOUNT_FORM_LIMIT"])


@dataclass(frozen=True)
class Refusal:
    """What a 429 says: the wait in seconds and a sentence for the person."""

    retry_after: int
    message: str


_ENGLISH = {
    (False, True): (
        "Too many attempts. Try again in %(num)d second.",
        "Too many attempts. Try again in %(num)d seconds.",
    ),
    (False, False): (
        "Too many attempts. Try again in %(num)d minute.",
        "Too many attempts. Try again in %(num)d minutes.",
    ),
    (True, True): (
        "Too many files sent in a short time. Try again in %(num)d second.",
        "Too many files sent in a short time. Try again in %(num)d seconds.",
    ),
    (True, False): (
        "Too many files sent in a short time. Try again in %(num)d minute.",
        "Too many files sent in a short time. Try again in %(num)d minutes.",
    ),
}


def refusal(retry_after: int, translate: bool = True, uploads: bool = False) -> Refusal:
    """The 429's wait (seconds) and message: in the request's language for pages (`translate`),
    English for the API; `uploads` words it for files sent too fast. Up to 90 seconds the
    wait is said in seconds, beyond in minutes."""
    in_seconds = retry_after <= 90
    num = retry_after if in_seconds else math.ceil(retry_after / 60)
    if not translate:
        singular, plural = _ENGLISH[(uploads, in_seconds)]
        return Refusal(retry_after, (singular if num == 1 else plural) % {"num": num})
    return Refusal(retry_after, _translated(uploads, in_seconds, num))


def _translated(uploads: bool, in_seconds: bool, num: int) -> str:
    # Literal calls, so that pybabel finds every text (the same as _ENGLISH).
    if uploads and in_seconds:
        return str(
            ngettext(
                "Too many files sent in a short time. Try again in %(num)d second.",
                "Too many files sent in a short time. Try again in %(num)d seconds.",
                num,
            )
        )
    if uploads:
        return str(
            ngettext(
                "Too many files sent in a short time. Try again in %(num)d minute.",
                "Too many files sent in a short time. Try again in %(num)d minutes.",
                num,
            )
        )
    if in_seconds:
        return str(
            ngettext(
                "Too many attempts. Try again in %(num)d second.",
                "Too many attempts. Try again in %(num)d seconds.",
                num,
            )
        )
    return str(
        ngettext(
            "Too many attempts. Try again in %(num)d minute.", "Too many attempts. Try again in %(num)d minutes.", num
        )
    )


def current_wait() -> int:
    """Seconds until the limit Flask-Limiter just refused this request for has room again (>= 1)."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))
