"""The fake Bot API's flood control: 429 with retry_after beyond 30 messages a second overall
and the per-chat limit, as Telegram answers."""

from __future__ import annotations

from fakeapi import FloodControl


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_31st_message_of_a_second_is_refused_until_the_second_is_over() -> None:
    clock = Clock()
    flood = FloodControl(clock=clock)
    for chat in range(30):
        assert flood.check("sendMessage", {"chat_id": chat}) is None
    refused = flood.check("sendMessage", {"chat_id": 99})
    assert refused is not None and refused.error_code == 429 and refused.retry_after == 1
    assert refused.description == "Too Many Requests: retry after 1"
    assert flood.check("editMessageText", {"chat_id": 99}) is None  # edits are not counted
    clock.now += 1.0
    assert flood.check("sendMessage", {"chat_id": 99}) is None
    assert (flood.accepted, flood.refused) == (31, 1)


def test_one_chat_gets_a_short_burst_then_one_message_a_second() -> None:
    clock = Clock()
    flood = FloodControl(clock=clock, chat_burst=3)
    assert all(flood.check("sendMessage", {"chat_id": 7}) is None for _ in range(3))
    refused = flood.check("sendMessage", {"chat_id": 7})
    assert refused is not None and refused.retry_after == 1
    assert flood.check("sendMessage", {"chat_id": 8}) is None  # another chat is not held up
    clock.now += 1.0
    assert flood.check("sendMessage", {"chat_id": 7}) is None
    assert flood.check("sendMessage", {"chat_id": 7}) is not None
