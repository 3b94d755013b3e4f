"""How much one caller may ask of the API (issue 17, docs/api.md), counted in the portal's Redis with the `limits`
library (the engine of Flask-Limiter; used directly so that Redis is reached only when the API is first called,
not when the app is made).

- Each token (a business's, or a partner's access token) has `API_RATE_LIMIT` requests (120 a minute): its
  answers say `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; beyond it, a 429 problem with
  `Retry-After`.
- Calls without a valid token (the catalogue, the token endpoint, a wrong token) count per client address,
  `API_ANONYMOUS_RATE_LIMIT` (300 a minute), so that guessing or scraping is slowed too.
- A request body other than a file upload is at most `API_MAX_JSON_BYTES` (1 MB); uploads are bounded by the
  app's MAX_CONTENT_LENGTH and each document's own size limit.

If Redis is down the limits are not enforced: refusing every call because a counter is unreachable would turn a
Redis outage into an API outage, and the calls themselves are authenticated and cheap to refuse otherwise.
"""

from __future__ import annotations

import logging
import math
import time

import redis
from flask import current_app, g, request
from limits import parse
from limits.storage import RedisStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from portal.domain.identity.throttle import address_key
from portal.extensions import redis_connection
from portal.web.api import problems
from portal.web.api.texts import PROBLEMS

log = logging.getLogger(__name__)
DEFAULTS = {"API_RATE_LIMIT": "120/minute", "API_ANONYMOUS_RATE_LIMIT": "300/minute",
            "API_MAX_JSON_BYTES": 1024 * 1024}
_limiters: dict[int, SlidingWindowCounterRateLimiter] = {}


def _limiter() -> SlidingWindowCounterRateLimiter:
    pool = redis_connection.client.connection_pool
    found = _limiters.get(id(pool))
    if found is None:
        found = _limiters[id(pool)] = SlidingWindowCounterRateLimiter(
            RedisStorage("redis://", connection_pool=pool, key_prefix="portal-api-limits"))
    return found


def spend(key: str, setting: str):
    """Count one request against `key`; None if it may go on (or Redis cannot tell), else the 429 problem.
    The numbers for the answer's headers are kept for `say_what_is_left`."""
    limit = parse(current_app.config[setting])
    try:
        limiter = _limiter()
        allowed = limiter.hit(limit, key)
        reset, remaining = limiter.get_window_stats(limit, key)
    except (redis.RedisError, OSError):
        log.warning("API rate limits not enforced: Redis is not answering")
        return None
    g.api_quota = (limit.amount, remaining, max(0, math.ceil(reset - time.time())))
    if allowed:
        return None
    return problems.response(429, *PROBLEMS[429], kind="rate-limited",
                             headers={"Retry-After": str(max(1, g.api_quota[2]))})


def for_address() -> str:
    return "address:" + address_key(request.remote_addr)


def say_what_is_left(response):
    quota = g.get("api_quota")
    if quota is not None:
        response.headers["RateLimit-Limit"], response.headers["RateLimit-Remaining"], \
            response.headers["RateLimit-Reset"] = (str(value) for value in quota)
    return response


def too_large():
    """The 413 problem for a body beyond the API's limit, or None. Only the routes that take files (declared
    multipart/form-data) take more, up to the app's MAX_CONTENT_LENGTH."""
    from portal.web.api.operations import UPLOAD_ENDPOINTS

    if request.endpoint in UPLOAD_ENDPOINTS:
        return None
    limit = current_app.config["API_MAX_JSON_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        return problems.response(413, *PROBLEMS[413], kind="too-large")
    request.max_content_length = limit  # a body sent without its length is cut off there
    return None
