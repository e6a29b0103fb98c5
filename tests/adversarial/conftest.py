"""Shared helpers of the hostile-input tests."""

import os
import threading

import pytest


def _call_unblocking_fifo(func, fifo, seconds=5.0):
    """Run ``func()`` in a thread; return what it raised (or None).

    If it is still blocked on ``fifo`` after ``seconds``, a writer opens and
    closes the FIFO so the read ends, and the test fails instead of hanging.
    """
    outcome = {}

    def target():
        try:
            func()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["raised"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    blocked = thread.is_alive()
    if blocked:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(seconds)
    assert not blocked, f"blocked for {seconds} s reading the FIFO {fifo}"
    return outcome.get("raised")


@pytest.fixture
def call_unblocking_fifo():
    """``call(func, fifo)``: run ``func`` in a thread; fail, not hang, if it blocks on ``fifo``."""
    return _call_unblocking_fifo
