"""The bot's pacing of Telegram messages (``bot.telegram.limiter``): evenly spaced slots that a
late event loop does not push back, never more than 30 in a second, and nothing but new
messages paced."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine
from typing import Any

import pytest
from fakeapi.flood import most_in_one_second

from bot.telegram.limiter import Pacer, RetryingRateLimiter

pytestmark = pytest.mark.asyncio


class LateLoop:
    """A simulated clock for the pacer: each sleeper wakes ``late`` seconds after it was due,
    as on a busy event loop, one at a time in order of their wake-up times."""

    def __init__(self, late: float) -> None:
        self.now = 0.0
        self.late = late
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), woken))
        await woken

    async def run(self, main: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(main)
        while not task.done():
            for _ in range(20):  # every runnable task reaches its next sleep
                await asyncio.sleep(0)
            if self._sleepers:
                due, _, woken = heapq.heappop(self._sleepers)
                self.now = max(self.now, due + self.late)
                woken.set_result(None)
        await task


@pytest.mark.parametrize("late", [0.0, 0.005, 0.030])
@pytest.mark.parametrize("senders", [1, 4])
async def test_a_late_loop_costs_no_rate_and_no_second_sees_more_than_the_limit(
    late: float, senders: int,
) -> None:
    loop = LateLoop(late)
    pacer = Pacer(29.5, 30, clock=loop.clock, sleep=loop.sleep)
    released: list[float] = []

    async def send() -> None:
        pacer.answered(await pacer.wait())  # the server answers at once
        released.append(loop.now)

    # Senders in a loop, like the outbox's workers: 600 messages.
    async def worker() -> None:
        for _ in range(600 // senders):
            await send()

    async def workers() -> None:
        await asyncio.gather(*(worker() for _ in range(senders)))

    await loop.run(workers())
    assert len(released) == 600
    assert most_in_one_second(sorted(released)) <= 30
    # 600 slots at 29.5 a second end at 20.3 s of the (simulated) clock, whatever the lateness
    # of each wake-up; a bucket that counts from the late wake-up would end at
    # 600 * (1/29.5 + late) = 23.3 s with 5 ms of lateness.
    assert max(released) <= 599 / 29.5 + late + 1e-9


async def test_a_429_holds_every_slot_for_its_retry_after() -> None:
    loop = LateLoop(0.0)
    pacer = Pacer(29.5, 30, clock=loop.clock, sleep=loop.sleep)

    async def two() -> None:
        pacer.answered(await pacer.wait())
        pacer.hold(3.0)
        pacer.answered(await pacer.wait())

    await loop.run(two())
    assert loop.now >= 3.0


async def test_messages_held_by_a_429_go_one_slot_apart_after_it() -> None:
    loop = LateLoop(0.0)
    pacer = Pacer(29.5, 30, clock=loop.clock, sleep=loop.sleep)
    released: list[float] = []

    async def send() -> None:
        pacer.answered(await pacer.wait())  # the server answers at once
        released.append(loop.now)

    async def run() -> None:
        waiting = [asyncio.create_task(send()) for _ in range(4)]
        await asyncio.sleep(0)  # the four have their slots, 34 ms apart
        pacer.hold(2.0)  # then Telegram answers 429 "retry after 2"
        pacer.hold(2.0)  # (the other messages in flight together are refused too)
        await asyncio.gather(*waiting)

    await loop.run(run())
    assert released[0] == 0.0  # the first slot was now: it went before the 429
    after = released[1:]
    assert min(after) >= 2.0
    assert all(b - a >= 1 / 29.5 - 1e-9 for a, b in itertools.pairwise(after))


async def test_after_a_429_thirty_messages_span_more_than_a_second() -> None:
    # A 429 means messages released one second apart reached the server closer together: the
    # pacer leaves a little more room from then on, instead of drawing a 429 every few seconds.
    loop = LateLoop(0.0)
    pacer = Pacer(29.5, 30, clock=loop.clock, sleep=loop.sleep)
    released: list[float] = []

    async def run() -> None:
        pacer.hold(0.0)
        for _ in range(120):
            pacer.answered(await pacer.wait())
            released.append(loop.now)

    await loop.run(run())
    assert min(released[n + 30] - released[n] for n in range(90)) >= 1.02 - 1e-9


async def test_only_new_messages_take_a_slot() -> None:
    limiter = RetryingRateLimiter(overall_max_rate=30)
    order: list[str] = []

    def call(name: str) -> Coroutine[Any, Any, bool]:
        async def callback() -> bool:
            order.append(name)
            return True
        return callback()

    async def request(endpoint: str, name: str) -> None:
        await limiter.process_request(lambda: call(name), (), {}, endpoint,
                                      {"chat_id": 42}, None)

    # 45 messages queued first (1.5 s of slots), then an edit and a callback answer: these two
    # are not new messages and go at once, ahead of the queued messages.
    sends = [asyncio.create_task(request("sendMessage", f"m{n}")) for n in range(45)]
    await asyncio.sleep(0)
    await request("editMessageText", "edit")
    await request("answerCallbackQuery", "answer")
    assert order.index("edit") < 3 and order.index("answer") < 4
    await asyncio.gather(*sends)
    assert [name for name in order if name.startswith("m")] == [f"m{n}" for n in range(45)]


async def test_a_message_delayed_after_its_release_delays_the_thirty_first() -> None:
    # The server counts a message when it gets there: one held up in the process after its
    # release (answered only when the tenth goes, while the quickest round trip is 0) may have
    # reached the server that late, so the message 30 later waits a second from then.
    loop = LateLoop(0.0)
    pacer = Pacer(29.5, 30, clock=loop.clock, sleep=loop.sleep)
    released: list[float] = []

    async def run() -> None:
        first = await pacer.wait()
        released.append(loop.now)
        for _ in range(30):
            release = await pacer.wait()
            released.append(loop.now)
            pacer.answered(release)
            if len(released) == 10:
                pacer.answered(first)

    await loop.run(run())
    assert released[30] >= released[9] + 1.0 - 1e-9
    assert released[29] < released[0] + 1.0  # the ones before it were not held back
