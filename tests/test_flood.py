"""The per-user flood limit."""

from __future__ import annotations

from bot.telegram.flood import FloodGate, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_excess_is_dropped_with_one_warning() -> None:
    clock = Clock()
    gate = FloodGate(limit=3, window=10, clock=clock)
    assert [gate.check(1) for _ in range(3)] == [Verdict.ACCEPT] * 3
    assert gate.check(1) is Verdict.WARN
    assert gate.check(1) is Verdict.DROP
    assert gate.check(2) is Verdict.ACCEPT  # other users are not affected


def test_window_slides() -> None:
    clock = Clock()
    gate = FloodGate(limit=2, window=10, clock=clock)
    gate.check(1), gate.check(1)
    assert gate.check(1) is Verdict.WARN
    clock.now = 10.5
    assert gate.check(1) is Verdict.ACCEPT
    clock.now = 30
    gate.forget_idle()
    assert gate.check(1) is Verdict.ACCEPT


def test_idle_users_are_forgotten_without_being_asked() -> None:
    clock = Clock()
    gate = FloodGate(limit=3, window=10, clock=clock)
    for user_id in range(1_000):
        gate.check(user_id)
    gate.check(0), gate.check(0)
    assert gate.check(0) is Verdict.WARN
    assert len(gate) == 1_000
    clock.now = 25  # a whole window of silence for all of them
    assert gate.check(5_000) is Verdict.ACCEPT  # any update sweeps
    assert len(gate) == 1
    assert gate.check(0) is Verdict.ACCEPT  # forgotten, so welcome again
    assert len(gate) == 2


def test_a_flooding_user_is_remembered_across_sweeps() -> None:
    clock = Clock()
    gate = FloodGate(limit=2, window=10, clock=clock)
    for second in range(0, 60, 6):  # steady, within the limit: never forgotten
        clock.now = second
        assert gate.check(1) is Verdict.ACCEPT
        assert len(gate) == 1
