"""``tremplin catalog check --links``: does each offer's web address still answer?

Each distinct URL is asked once (many offers of one organiser share it), at most ``concurrency``
at a time over at most as many connections, each within ``seconds`` all told. HEAD first,
GET when the server refuses HEAD (405, 501); redirects are followed by hand, up to
``max_redirects``, so that a loop is named as one. A 2xx answer is fine; anything else (404, 410,
500...), a timeout, a TLS or connection error is a problem of every offer with that URL.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from dataclasses import dataclass

import aiohttp
from yarl import URL

USER_AGENT = "Tremplin-link-check/1.0 (learning-city catalogue bot; each offer's link, once)"
CONCURRENCY = 8
TIMEOUT_SECONDS = 10.0
MAX_REDIRECTS = 5
_HEAD_REFUSED = frozenset({405, 501})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class LinkProblem:
    """An offer whose URL does not answer well, and why (in English, for maintainers)."""

    offer: str
    url: str
    detail: str


async def _status(
    session: aiohttp.ClientSession, method: str, url: URL
) -> tuple[int, str | None]:
    """The status of one request and its ``Location`` header; the body is never read."""
    async with session.request(method, url, allow_redirects=False) as response:
        return response.status, response.headers.get("Location")


async def _follow(session: aiohttp.ClientSession, url: str, max_redirects: int) -> str | None:
    """Why ``url`` does not answer well, or None."""
    current = URL(url)
    seen = {current}
    for _ in range(max_redirects + 1):
        status, location = await _status(session, "HEAD", current)
        if status in _HEAD_REFUSED:
            status, location = await _status(session, "GET", current)
        if status not in _REDIRECTS:
            return None if 200 <= status < 300 else f"HTTP {status}"
        if not location:
            return f"HTTP {status} without a Location to go to"
        following = current.join(URL(location))
        if following.scheme not in ("http", "https"):
            return f"redirected to a non-web address {str(following)[:200]}"
        if following in seen:
            return f"redirect loop ({str(following)[:200]} again)"
        seen.add(following)
        current = following
    return f"more than {max_redirects} redirects"


async def check_url(
    session: aiohttp.ClientSession, url: str, *, seconds: float, max_redirects: int
) -> str | None:
    """Why ``url`` does not answer 2xx within ``seconds``, redirects included; or None."""
    try:
        async with asyncio.timeout(seconds):
            return await _follow(session, url, max_redirects)
    except TimeoutError:
        return f"no answer within {seconds:g} s"
    except (aiohttp.ClientSSLError, ssl.SSLError) as error:
        return f"TLS error: {_short(error)}"
    except aiohttp.ClientConnectorError as error:
        return f"cannot connect: {_short(error.os_error)}"
    except (aiohttp.ClientError, ValueError) as error:  # ValueError: an unreadable Location
        return f"{type(error).__name__}: {_short(error)}"


def _short(error: BaseException) -> str:
    return (str(error) or type(error).__name__).splitlines()[0][:200]


async def check_links(
    offers: Iterable[tuple[str, str]],
    *,
    concurrency: int = CONCURRENCY,
    seconds: float = TIMEOUT_SECONDS,
    max_redirects: int = MAX_REDIRECTS,
    user_agent: str = USER_AGENT,
) -> list[LinkProblem]:
    """The problems of ``(offer id, url)`` pairs (empty URLs skipped), ordered by offer id."""
    if concurrency < 1 or seconds <= 0 or max_redirects < 0:
        raise ValueError("concurrency must be >= 1, seconds > 0 and max_redirects >= 0")
    by_url: dict[str, list[str]] = {}
    for offer_id, url in offers:
        if url:
            by_url.setdefault(url, []).append(offer_id)
    gate = asyncio.Semaphore(concurrency)
    # The connector's limit caps the connections open at once, whatever keeps them alive.
    connector = aiohttp.TCPConnector(limit=concurrency)
    headers = {"User-Agent": user_agent}
    async with aiohttp.ClientSession(
        connector=connector, headers=headers, timeout=aiohttp.ClientTimeout(total=None)
    ) as session:

        async def one(url: str) -> tuple[str, str | None]:
            async with gate:
                return url, await check_url(
                    session, url, seconds=seconds, max_redirects=max_redirects
                )

        results = await asyncio.gather(*(one(url) for url in by_url))
    problems = [
        LinkProblem(offer_id, url, detail)
        for url, detail in results
        if detail is not None
        for offer_id in by_url[url]
    ]
    return sorted(problems, key=lambda problem: problem.offer)
