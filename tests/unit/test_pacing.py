"""The pacer keeps every channel to its limit, on a fake clock: never over it in any window, and close to it."""
from __future__ import annotations

import random
import threading
import time

import pytest

from outbox.pacing import HEADROOM, Pacer, most_in_any_window


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep_until(self, slot: float, work: float = 0.0) -> float:
        """Sleep to the slot, then spend `work` seconds sending; returns when the send happened."""
        self.now = max(self.now, slot)
        sent = self.now
        self.now += work
        return sent


@pytest.mark.parametrize("rate", [1, 20, 30])
def test_the_rate_is_never_exceeded_in_any_second_and_is_kept_close_to_the_limit(rate):
    clock, rng = FakeClock(), random.Random(rate)
    pacer = Pacer(rate, clock=clock)
    sent = []
    for _ in range(rate * 60):
        slot = pacer.take(f"chat-{rng.randrange(10_000)}")
        sent.append(clock.sleep_until(slot.at, work=rng.uniform(0, 0.01)))  # sending takes time too
        pacer.done(slot)
    assert most_in_any_window(sent) <= rate
    measured = (len(sent) - 1) / (sent[-1] - sent[0])
    assert rate * 0.95 <= measured <= rate
    assert measured == pytest.approx(rate * HEADROOM, rel=0.005), "time spent sending must not slow the schedule"


@pytest.mark.parametrize("rate", [5, 20, 30])
def test_a_send_held_up_never_lets_the_ones_after_it_arrive_bunched_together(rate):
    """The provider sees each message some time after it was sent; delays vary, and sometimes the sender stalls."""
    clock, rng = FakeClock(), random.Random(rate)
    pacer = Pacer(rate, clock=clock)
    arrived = []
    for n in range(rate * 60):
        slot = pacer.take("chat")
        clock.sleep_until(slot.at, work=0.3 if n % 97 == 0 else 0.0)  # a stall before the request goes out
        latency = rng.uniform(0.001, 0.6 / rate)
        arrived.append(clock.now + latency)
        clock.now += latency + 0.001  # the answer comes back after the provider had it
        pacer.done(slot)
    assert most_in_any_window(arrived) <= rate
    measured = (len(arrived) - 1) / (arrived[-1] - arrived[0])
    assert measured >= rate * 0.9


def test_idle_time_is_not_saved_up_for_a_burst():
    clock = FakeClock()
    pacer = Pacer(30, clock=clock)

    def send(chat: str) -> float:
        slot = pacer.take(chat)
        at = clock.sleep_until(slot.at, work=0.002)
        pacer.done(slot)
        return at

    sent = [send("a") for _ in range(10)]
    clock.now += 60  # nothing to send for a minute
    after = [send(f"b{n}") for n in range(100)]
    assert most_in_any_window(sent + after) <= 30
    assert after[1] - after[0] == pytest.approx(1 / (30 * HEADROOM)), "no burst after the pause"


def test_the_schedule_is_kept_from_one_drain_to_the_next():
    clock = FakeClock()
    pacer = Pacer(10, clock=clock)
    first = clock.sleep_until(pacer.take("a").at)
    second_drain = pacer.take("b").at  # a new drain straight after, sharing the process's pacer
    assert second_drain - first == pytest.approx(1 / (10 * HEADROOM))


def test_two_messages_to_one_chat_are_at_least_a_second_apart_while_other_chats_go_meanwhile():
    clock = FakeClock()
    pacer = Pacer(30, gap=1.0, clock=clock)
    waiting = ["alice", "alice", "alice", "bob", "carol", "dan"]
    order, times = [], {}
    while waiting:
        index, slot = pacer.choose(waiting)
        chat = waiting.pop(index)
        sent = clock.sleep_until(slot.at)
        order.append(chat)
        times.setdefault(chat, []).append(sent)
    assert order == ["alice", "bob", "carol", "dan", "alice", "alice"], "alice's next waits; the others go"
    gaps = [b - a for a, b in zip(times["alice"], times["alice"][1:])]
    assert all(gap >= 1.0 for gap in gaps)
    assert times["dan"][0] - times["alice"][0] < 0.2


def test_a_reply_is_not_held_to_the_chat_gap_but_still_counts_for_the_rate():
    clock = FakeClock()
    pacer = Pacer(30, gap=1.0, clock=clock)
    first = clock.sleep_until(pacer.take("alice").at)
    reply = clock.sleep_until(pacer.take("alice", reply=True).at)
    assert 0 < reply - first < 0.1
    alert = clock.sleep_until(pacer.take("alice").at)
    assert alert - first >= 1.0


def test_a_slot_given_back_is_used_by_the_next_send():
    clock = FakeClock()
    pacer = Pacer(1, gap=1.0, clock=clock)
    slot = pacer.take("alice")
    pacer.give_back(slot)  # e.g. alice had said STOP: nothing was sent
    assert pacer.take("alice").at == slot.at


@pytest.mark.parametrize("rate", [5, 30])
def test_random_chats_and_give_backs_never_break_either_limit(rate):
    clock, rng = FakeClock(), random.Random(7)
    pacer = Pacer(rate, gap=1.0, clock=clock)
    waiting = [f"chat-{rng.randrange(12)}" for _ in range(400)]
    sent, per_chat = [], {}
    while waiting:
        index, slot = pacer.choose(waiting)
        chat = waiting.pop(index)
        if rng.random() < 0.1:
            pacer.give_back(slot)
            continue
        at = clock.sleep_until(slot.at, work=rng.uniform(0, 0.01))
        sent.append(at)
        per_chat.setdefault(chat, []).append(at)
    assert most_in_any_window(sent) <= rate
    for times in per_chat.values():
        assert all(b - a >= 1.0 for a, b in zip(times, times[1:]))


@pytest.mark.parametrize("rate,gap,slow", [(40, 0.0, 0.0), (30, 0.0, 0.05), (30, 1.0, 0.05)])
def test_sends_in_flight_at_once_never_arrive_over_the_limit_nor_out_of_order_in_a_chat(rate, gap, slow):
    """Real threads and a real clock: the dispatcher starts sends at their slots, 6 in flight at once.

    Each request reaches the provider at a random moment between its start and its answer, and
    some answers may be slow; still no window of a second sees more than the rate, and a chat's
    messages arrive in order and a gap apart. With quick answers the rate is kept close to the
    limit (a slow answer holds back the send `rate` tickets later: it may have arrived late).
    """
    pacer, rng, lock = Pacer(rate, gap=gap), random.Random(rate), threading.Lock()
    seats = threading.BoundedSemaphore(6)
    arrived: list[float] = []
    per_chat: dict[str, list[tuple[int, float]]] = {}
    waiting = [(n, f"chat-{rng.randrange(200)}") for n in range(rate * 3)]

    def request(n: int, chat: str, slot, latency: float, reach: float) -> None:
        try:
            time.sleep(latency * reach)
            with lock:
                now = time.monotonic()
                arrived.append(now)
                per_chat.setdefault(chat, []).append((n, now))
            time.sleep(latency * (1 - reach))
        finally:
            pacer.done(slot)
            seats.release()

    threads = []
    while waiting:
        index, slot = pacer.choose([chat for _, chat in waiting])
        n, chat = waiting.pop(index)
        seats.acquire()
        pacer.wait_turn(slot)
        latency = 0.4 if rng.random() < slow else rng.uniform(0.001, 0.015)
        thread = threading.Thread(target=request, args=(n, chat, slot, latency, rng.random()))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    assert most_in_any_window(arrived) <= rate
    for times in per_chat.values():
        assert [n for n, _ in times] == sorted(n for n, _ in times), "a chat's messages arrive in order"
        if gap:
            assert all(b - a >= gap * 0.999 for (_, a), (_, b) in zip(times, times[1:]))
    measured = (len(arrived) - 1) / (max(arrived) - min(arrived))
    if not gap and not slow:  # (with a gap, chats that come round again within the second wait)
        assert measured >= rate * 0.93


def test_a_send_waits_for_one_to_the_same_chat_still_in_flight():
    pacer = Pacer(100)
    first = pacer.take("alice")
    pacer.wait_turn(first)
    second = pacer.take("alice", reply=True)
    started = threading.Event()
    thread = threading.Thread(target=lambda: (pacer.wait_turn(second), started.set()))
    thread.start()
    assert not started.wait(0.2), "alice's first message is still on its way"
    pacer.done(first)
    assert started.wait(2)
    thread.join()


def test_the_busiest_window_counts_as_a_provider_does_half_open():
    assert most_in_any_window([0.0, 0.5, 1.0, 1.2]) == 3  # [0.5, 1.5) holds 0.5, 1.0 and 1.2
    assert most_in_any_window([0.0, 0.999, 1.0]) == 2  # 1.0 falls outside [0.0, 1.0)
    assert most_in_any_window([]) == 0
