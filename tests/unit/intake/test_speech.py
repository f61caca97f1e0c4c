"""The recording queue: strict order, skipped tickets, how many are ahead."""

from __future__ import annotations

import threading
import time

import pytest

from desktop.intake.speech import FairQueue, SpeechError, decode


def test_tickets_are_served_in_order_and_a_given_up_one_is_skipped() -> None:
    queue = FairQueue()
    tickets = [queue.take() for _ in range(4)]
    assert [queue.ahead(t) for t in tickets] == [0, 1, 2, 3]
    queue.done(tickets[1])  # an unreadable recording gives up its place before its turn
    assert queue.ahead(tickets[3]) == 2
    served: list[int] = []

    def worker(ticket: int) -> None:
        queue.wait_turn(ticket)
        served.append(ticket)
        queue.done(ticket)

    threads = [threading.Thread(target=worker, args=(t,)) for t in (tickets[3], tickets[2], tickets[0])]
    for t in threads:
        t.start()
        time.sleep(0.02)
    for t in threads:
        t.join(timeout=5)
    assert served == [tickets[0], tickets[2], tickets[3]]


@pytest.mark.parametrize("data", [b"", b"not audio at all" * 100])
def test_unreadable_recordings_are_refused(data: bytes) -> None:
    with pytest.raises(SpeechError):
        decode(data)
