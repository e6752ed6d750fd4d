"""Writes without idempotency keys: a lost answer is looked up, never resent blind; one request is
repeated only when the server surely did not act on it."""

from __future__ import annotations

import logging
import random

import httpx
import pytest

from mobius_tui.wire.retry import RetryPolicy, send_read
from mobius_tui.wire.writes import (
    LookBeforeResend,
    NotSent,
    NotStored,
    OutcomeUnknown,
    UncertainWrite,
    never_sent,
    send_write,
)

REQUEST = httpx.Request("POST", "https://books.example/v1/invoices?search=INV-1")


class Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SignInAgain(Exception):
    """Stands for a failure raised before any request leaves (an authorisation to renew by hand)."""


class Script:
    """A write and a look-up that play given outcomes in turn, counting the calls."""

    def __init__(self, writes: list, looks: list | None = None) -> None:
        self.writes, self.looks = list(writes), list(looks or [])
        self.sent = self.looked = 0

    async def write(self):
        self.sent += 1
        return played(self.writes.pop(0))

    async def found(self):
        self.looked += 1
        return played(self.looks.pop(0))


def played(outcome):
    """An outcome given to a stand-in: raised when it is an exception, else returned."""
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def lost() -> UncertainWrite:
    return UncertainWrite("no answer from Books (ReadTimeout)")


def refused_connection() -> UncertainWrite:
    try:
        raise httpx.ConnectError("refused", request=REQUEST)
    except httpx.ConnectError as exc:
        try:
            raise UncertainWrite("could not connect") from exc
        except UncertainWrite as wrapped:
            return wrapped


async def no_wait(seconds: float) -> None:
    pass


def writes(**overrides) -> LookBeforeResend:
    return LookBeforeResend("Books", Refused, **{"attempts": 3, "sleep": no_wait, **overrides})


async def test_a_lost_answer_found_by_the_look_up_is_not_sent_again() -> None:
    script = Script([lost()], [{"id": "inv-1"}])
    assert await writes().send(script.write, script.found) == {"id": "inv-1"}
    assert (script.sent, script.looked) == (1, 1)


async def test_a_lost_answer_not_found_is_sent_again_once_per_empty_look_up() -> None:
    script = Script([lost(), {"id": "inv-2"}], [None])
    assert await writes().send(script.write, script.found) == {"id": "inv-2"}
    assert (script.sent, script.looked) == (2, 1)


async def test_a_failed_look_up_leaves_the_outcome_unknown_and_nothing_is_resent() -> None:
    script = Script([lost()], [httpx.ReadTimeout("look-up timed out", request=REQUEST)])
    with pytest.raises(OutcomeUnknown, match="the look-up failed too: look-up timed out"):
        await writes().send(script.write, script.found)
    assert script.sent == 1


async def test_every_attempt_lost_and_never_found_is_not_stored() -> None:
    script = Script([lost(), lost(), lost()], [None, None, None])
    with pytest.raises(NotStored, match=r"no answer from Books \(ReadTimeout\) \(sent 3 times"):
        await writes().send(script.write, script.found)
    assert (script.sent, script.looked) == (3, 3)


async def test_no_connection_is_not_sent_and_needs_no_look_up() -> None:
    script = Script([httpx.ConnectError("refused", request=REQUEST)])
    with pytest.raises(NotSent, match=r"could not connect to Books \(ConnectError\)"):
        await writes().send(script.write, script.found)
    assert (script.sent, script.looked) == (1, 0)
    script = Script([SignInAgain("authorise again")])
    with pytest.raises(NotSent, match="^authorise again$"):
        await writes(before_sending=(SignInAgain,)).send(script.write, script.found)


async def test_a_refusal_stands_unless_an_earlier_lost_attempt_landed() -> None:
    script = Script([Refused("customer unknown")])
    with pytest.raises(Refused):
        await writes().send(script.write, script.found)
    assert script.looked == 0
    # The first attempt was stored after all; the second is refused as a duplicate: the look-up tells.
    script = Script([lost(), Refused("already exists")], [None, {"id": "inv-3"}])
    assert await writes().send(script.write, script.found) == {"id": "inv-3"}
    assert (script.sent, script.looked) == (2, 2)
    script = Script([lost(), Refused("already exists")], [None, None])
    with pytest.raises(Refused):
        await writes().send(script.write, script.found)


async def test_a_later_attempt_that_never_left_keeps_the_earlier_doubt() -> None:
    script = Script([lost(), refused_connection(), SignInAgain("authorise again")], [None, None, None])
    with pytest.raises(NotStored, match=r"^no answer from Books \(ReadTimeout\) \(sent 3 times"):
        await writes(before_sending=(SignInAgain,)).send(script.write, script.found)
    assert script.looked == 3  # looked before each resend and once at the end: never blind


def test_never_sent_follows_raised_from_only() -> None:
    assert never_sent(refused_connection())
    assert not never_sent(lost())
    try:
        try:
            raise httpx.ConnectError("refused", request=REQUEST)
        except httpx.ConnectError:
            raise UncertainWrite("later failure")  # a mere context proves nothing
    except UncertainWrite as exc:
        assert not never_sent(exc)
    assert never_sent(SignInAgain(), (SignInAgain,))


class Answers:
    """One request that plays given answers or transport failures in turn; records the pauses."""

    def __init__(self, *outcomes) -> None:
        self.outcomes = list(outcomes)
        self.sent = 0
        self.pauses: list[tuple[int, str, int | None]] = []

    async def send(self) -> httpx.Response:
        self.sent += 1
        return httpx.Response(played(self.outcomes.pop(0)), request=REQUEST)

    async def pause(self, n: int, why: str, answer: httpx.Response | None) -> None:
        self.pauses.append((n, why, answer.status_code if answer is not None else None))


async def test_a_write_is_repeated_only_when_the_server_surely_did_nothing() -> None:
    answers = Answers(httpx.ConnectError("refused", request=REQUEST), 429, 201)
    response = await send_write(answers.send, 4, answers.pause, "Books")
    assert response.status_code == 201
    assert answers.pauses == [(1, "ConnectError", None), (2, "HTTP 429", 429)]
    answers = Answers(httpx.ReadTimeout("slow", request=REQUEST))
    with pytest.raises(UncertainWrite, match=r"no answer from Books \(ReadTimeout\)"):
        await send_write(answers.send, 4, answers.pause, "Books")
    assert answers.sent == 1
    answers = Answers(503)  # the caller words a 5xx: it is handed back, never repeated
    assert (await send_write(answers.send, 4, answers.pause, "Books")).status_code == 503
    answers = Answers(429, 429)
    assert (await send_write(answers.send, 2, answers.pause, "Books")).status_code == 429
    answers = Answers(httpx.ConnectError("refused", request=REQUEST), httpx.ConnectError("again", request=REQUEST))
    with pytest.raises(httpx.ConnectError):
        await send_write(answers.send, 2, answers.pause, "Books")


async def test_a_read_is_repeated_after_any_transport_failure_or_busy_answer() -> None:
    answers = Answers(httpx.ReadTimeout("slow", request=REQUEST), 503, 200)
    response = await send_read(answers.send, 4, answers.pause, lambda status: status == 429 or status >= 502)
    assert response.status_code == 200 and answers.sent == 3
    answers = Answers(500)
    assert (await send_read(answers.send, 4, answers.pause, lambda status: status >= 502)).status_code == 500


async def test_pause_waits_logs_the_path_only_and_refuses_a_wait_too_long(caplog) -> None:
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    def too_long(response: httpx.Response, why: str) -> Exception:
        return Refused(why)

    policy = RetryPolicy(attempts=3, max_retry_after=60, rng=random.Random(1))
    log = logging.getLogger("tests.wire.writes")
    common = dict(system="Books", method="GET", url=str(REQUEST.url), log=log, sleep=sleep, too_long=too_long)
    with caplog.at_level(logging.WARNING, logger=log.name):
        await policy.pause(1, "HTTP 429", httpx.Response(429, headers={"Retry-After": "7"}, request=REQUEST),
                           **common)
    assert waited == [7.0]
    assert "Books POST" not in caplog.text and "Books GET /v1/invoices: HTTP 429; retry 1 of 2 in 7.0 s" in caplog.text
    assert "INV-1" not in caplog.text
    with pytest.raises(Refused, match="asked to wait 3600 s"):
        await policy.pause(2, "HTTP 429", httpx.Response(429, headers={"Retry-After": "3600"}, request=REQUEST),
                           **common)
    assert waited == [7.0]
