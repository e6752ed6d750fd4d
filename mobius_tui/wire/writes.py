"""Writes to APIs that have no idempotency key: repeated only when the server surely did not act.

Two layers, shared by every such client. :func:`send_write` is one request: repeated after a 429 or
a connection never made (the server acted on nothing), and turned into :class:`UncertainWrite` when
the answer was lost (timeout, dropped connection), since the server may hold the record then.
:class:`LookBeforeResend` is one record: after an uncertain outcome it looks the record up and
sends again only when it is not there, never blind; when the look-up fails too the outcome stays
unknown and is left for the caller to settle. Each package words its own messages from the
exceptions raised here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import httpx

from mobius_tui.wire.retry import NOT_SENT_ERRORS, Pause


class _Answered(Protocol):
    status_code: int


R = TypeVar("R", bound=_Answered)  # an httpx Response, or the fast transport's Answer


class UncertainWrite(Exception):
    """A write whose outcome is unknown: the server may or may not have stored it."""


class OutcomeUnknown(Exception):
    """Sent, the answer lost, and the look-up could not tell: never sent again blind."""


class NotSent(Exception):
    """No attempt reached the server: certainly not stored."""


class NotStored(Exception):
    """Every attempt failed, and the look-up answered that it is not there."""


async def send_write(send: Callable[[], Awaitable[R]], attempts: int, pause: Pause, system: str) -> R:
    """The server's answer to one write. A connection never made or a 429 is repeated (after
    ``pause``) up to ``attempts`` sends; the last one's error or 429 answer is then the caller's.
    A lost answer raises :class:`UncertainWrite`. Any other answer (5xx included) is returned."""
    attempts = max(1, attempts)
    for attempt in range(1, attempts + 1):
        try:
            response = await send()
        except NOT_SENT_ERRORS as exc:
            # The connection was never made: the server cannot have stored anything.
            if attempt == attempts:
                raise
            await pause(attempt, type(exc).__name__, None)
            continue
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise UncertainWrite(f"no answer from {system} ({type(exc).__name__})") from exc
        if response.status_code == 429 and attempt < attempts:
            await pause(attempt, "HTTP 429", response)
            continue
        return response
    raise AssertionError("unreachable")


def never_sent(exc: BaseException, also: tuple[type[BaseException], ...] = ()) -> bool:
    """Whether the request certainly never reached the server: no connection could be opened, or
    ``exc`` (or what it was raised from) is one of ``also``, failures before any request."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (*NOT_SENT_ERRORS, *also)):
            return True
        seen = seen.__cause__  # only an explicit "raised from": a mere context proves nothing
    return False


@dataclass(frozen=True)
class LookBeforeResend:
    """How one package writes one record at most once.

    ``refused`` is the client's error for an answer that refused the write (it carries a
    ``message``); ``before_sending`` are failures raised before any request left (e.g. an
    authorisation that must be renewed by hand): like a connection never made, they prove nothing
    was stored."""

    system: str  # the package's name in messages, e.g. "Sage 300"
    refused: type[Exception]
    attempts: int = 3  # sends at most, each after a look-up found nothing
    before_sending: tuple[type[Exception], ...] = ()
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    @staticmethod
    def wait(attempt: int) -> float:
        """Seconds before send ``attempt`` (0-based) after a failed one."""
        return min(0.2 * 2 ** attempt, 2.0)

    async def send(self, write: Callable[[], Awaitable[Any]], found: Callable[[], Awaitable[Any]]) -> Any:
        """Write; after an uncertain outcome look it up, and write again only if it is not there.

        Returns what ``write`` gave, or the look-up's hit (anything true). Raises ``refused`` when the
        server refused it and holds nothing, :class:`NotStored` when every attempt failed and the
        look-up says it is not there, :class:`NotSent` when no attempt left this machine,
        :class:`OutcomeUnknown` when it may be stored but the look-up could not tell."""
        attempts = max(1, self.attempts)
        reason, maybe_stored = "", False
        for attempt in range(attempts):
            if attempt:
                if maybe_stored:
                    hit = await self._look_up(found, reason)
                    if hit:
                        return hit
                await self.sleep(self.wait(attempt))
            try:
                return await write()
            except self.refused as exc:
                # A refusal after an unanswered attempt may mean that attempt was stored after all
                # (e.g. "already exists"): only the look-up tells.
                if maybe_stored:
                    hit = await self._look_up(found, f"{reason}; then refused: {getattr(exc, 'message', exc)}")
                    if hit:
                        return hit
                raise
            except (UncertainWrite, httpx.HTTPError, *self.before_sending) as exc:
                if never_sent(exc, self.before_sending):
                    if not maybe_stored:
                        # The client already tried to connect as often as its policy allows.
                        raise NotSent(self._not_sent(exc)) from exc
                    continue  # an earlier attempt's lost answer is still what leaves it uncertain
                reason = (str(exc) if isinstance(exc, UncertainWrite)
                          else f"no answer from {self.system} ({type(exc).__name__})")
                maybe_stored = True
        hit = await self._look_up(found, reason)
        if hit:
            return hit
        raise NotStored(f"{reason} (sent {attempts} times; a look-up after each found nothing)")

    def _not_sent(self, exc: BaseException) -> str:
        if isinstance(exc, self.before_sending):
            return str(exc)
        return f"could not connect to {self.system} ({type(exc).__name__})"

    @staticmethod
    async def _look_up(found: Callable[[], Awaitable[Any]], reason: str) -> Any:
        try:
            return await found()
        except Exception as exc:  # any failure here leaves the outcome unknown: never send again blind
            raise OutcomeUnknown(f"{reason}; the look-up failed too: {exc}") from exc
