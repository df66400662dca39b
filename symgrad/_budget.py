"""The one time budget of symgrad.

Every computation that can run long (the exact normal forms, Groebner bases,
preimage searches, the proof engine's levels) runs inside
``with budget.limit(): ...``.  The budget is a deadline enforced by
``SIGALRM``; its exception, :class:`OutOfTime`, is a ``BaseException`` so that
no ``except Exception`` inside SymPy or python-flint can swallow it.

Budgets nest.  An inner ``limit`` never outlives the outer one: the alarm is
set to the earlier of the two deadlines, and on leaving the inner block the
outer alarm is restored with the time that is left to it.  The exception names
the budget whose deadline fired (:attr:`OutOfTime.budget`), so a caller catches
only its own expiry (:meth:`Budget.owns`) and lets an outer one propagate.

After its deadline the alarm repeats every few milliseconds until the limit is
left, so a raise that Python discards (a signal handled inside a finaliser) is
repeated, and no raise happens inside this module's own bookkeeping.

The alarm works only in the main thread and only when no other interval timer
is running; elsewhere the block runs to its end and :attr:`Budget.enforced`
records that the deadline was not enforced (a result then says so).
"""
from __future__ import annotations

import math
import signal
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from .exceptions import BudgetError, OutOfBudgetError

__all__ = ["Budget", "OutOfTime", "DEFAULT_BUDGET", "as_budget", "bounded", "current_deadline"]

#: Seconds given to one check when the caller names no budget.
DEFAULT_BUDGET = 20.0


class OutOfTime(BaseException):
    """A budget's deadline passed inside ``Budget.limit``."""

    def __init__(self, budget: Budget | None = None):
        super().__init__("time budget exhausted")
        self.budget = budget


# Active limits, innermost last: (deadline on the monotonic clock, owning budget, alarm set by it).
_ACTIVE: list[tuple[float, Budget, bool]] = []
# Whether the running ITIMER_REAL (if any) was set by one of our limits.
_ARMED = False
# After its deadline the alarm repeats with this period until the limit is left.
_TICK = 0.02


def current_deadline() -> float | None:
    """The earliest deadline of the active limits (monotonic seconds), or ``None``."""
    return min((e[0] for e in _ACTIVE), default=None)


def _check_seconds(seconds: float | None) -> float | None:
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise BudgetError(f"a budget is a number of seconds; got {seconds!r} of type {type(seconds).__name__}")
    if not math.isfinite(seconds) or seconds <= 0:
        raise BudgetError(f"a budget must be a positive finite number of seconds; got {seconds!r}")
    return float(seconds)


class Budget:
    """A deadline shared by the stages of one call.

    ``Budget(None)`` has no deadline of its own but still honours the limits
    of its callers.
    """

    def __init__(self, seconds: float | None = DEFAULT_BUDGET):
        self.seconds = _check_seconds(seconds)
        self.start = time.monotonic()
        self.enforced = True

    @property
    def deadline(self) -> float:
        """The deadline on the monotonic clock, the callers' limits included."""
        own = math.inf if self.seconds is None else self.start + self.seconds
        outer = current_deadline()
        return own if outer is None else min(own, outer)

    def remaining(self) -> float | None:
        """Seconds left (the callers' limits included), or ``None`` without any deadline."""
        d = self.deadline
        return None if d == math.inf else d - time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    @property
    def expired(self) -> bool:
        rem = self.remaining()
        return rem is not None and rem <= 0

    def owns(self, exc: OutOfTime) -> bool:
        """True when ``exc`` is this budget's expiry (not an outer budget's)."""
        return exc.budget is self or (exc.budget is None and self.expired)

    def sub(self, fraction: float) -> Budget:
        """A budget for one stage: ``fraction`` of what is left, never beyond this one."""
        rem = self.remaining()
        if rem is None:
            return Budget(None)
        return Budget(max(rem * fraction, 1e-3))

    @contextmanager
    def limit(self) -> Iterator[None]:
        """Run the block under this budget, raising :class:`OutOfTime` when it is spent."""
        global _ARMED
        own = math.inf if self.seconds is None else self.start + self.seconds
        outer = current_deadline()
        deadline = own if outer is None else min(own, outer)
        owner: Budget = self
        if outer is not None and outer < own:
            owner = next(e[1] for e in _ACTIVE if e[0] == outer)
        rem = deadline - time.monotonic()
        if rem <= 0:
            raise OutOfTime(owner)
        in_main = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
        # an interval timer that is running but was not set by a limit of ours belongs to someone else
        foreign = (in_main and deadline != math.inf and not _ARMED
                   and signal.getitimer(signal.ITIMER_REAL)[0] != 0)
        if deadline == math.inf or not in_main or foreign:
            if deadline != math.inf:
                self.enforced = False
            entry = (deadline, self, False)
            _ACTIVE.append(entry)
            try:
                yield
            finally:
                _remove(entry)
            return

        def _alarm(signum, frame):  # pragma: no cover - timing dependent
            # Never raise inside this module's own bookkeeping (entering or leaving a limit): the
            # alarm repeats every _TICK seconds, so the next tick raises in the caller's code.  The
            # repetition also covers a raise that Python swallows because the handler happened to run
            # inside a finaliser (__del__, a weakref callback), where exceptions are discarded.
            if frame is not None and frame.f_globals.get("__name__") == __name__:
                return
            now = time.monotonic()
            fired = [e[1] for e in _ACTIVE if e[0] <= now + 1e-3]
            if fired:
                raise OutOfTime(fired[0])

        old = signal.signal(signal.SIGALRM, _alarm)
        entry = (deadline, self, True)
        _ACTIVE.append(entry)
        try:
            _ARMED = True
            signal.setitimer(signal.ITIMER_REAL, rem, _TICK)
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _ARMED = False
            _remove(entry)
            signal.signal(signal.SIGALRM, old)
            armed = [e[0] for e in _ACTIVE if e[2]]
            if armed:
                # restore the enclosing alarm of ours with the time left to it (at least a tick)
                _ARMED = True
                signal.setitimer(signal.ITIMER_REAL, max(min(armed) - time.monotonic(), 1e-4), _TICK)


def _remove(entry: tuple[float, Budget, bool]) -> None:
    for i in range(len(_ACTIVE) - 1, -1, -1):
        if _ACTIVE[i] is entry:
            del _ACTIVE[i]
            return


@contextmanager
def bounded(budget: Budget | float | None, what: str, hint: str = "") -> Iterator[Budget]:
    """Run a computation that has no partial answer under ``budget``.

    When this budget (not an enclosing one) runs out, :class:`OutOfTime` becomes
    :class:`~symgrad.exceptions.OutOfBudgetError`, whose message names ``what``
    was being computed and how to give it more time (``hint``).  An enclosing
    budget's expiry propagates unchanged, so its owner can report it.
    """
    b = as_budget(budget)
    try:
        with b.limit():
            yield b
    except OutOfTime as exc:
        if not b.owns(exc):
            raise
        raise OutOfBudgetError(f"{what} did not finish within its budget of {b.seconds:g} s; "
                               + (hint or "give it more time with budget=S (seconds), or budget=None")) from None


def as_budget(budget: Budget | float | None) -> Budget:
    """A :class:`Budget` from seconds, ``None`` (no own deadline) or a budget (returned as is)."""
    if isinstance(budget, Budget):
        return budget
    return Budget(budget)
