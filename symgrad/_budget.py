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

import ctypes
import math
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

from .exceptions import BudgetError, OutOfBudgetError

__all__ = ["Budget", "OutOfTime", "OutOfMemory", "DEFAULT_BUDGET", "as_budget", "bounded", "current_deadline",
           "memory_budget", "set_memory_budget"]

#: Seconds given to one check when the caller names no budget.
DEFAULT_BUDGET = 20.0


class OutOfTime(BaseException):
    """A budget's deadline passed inside ``Budget.limit``."""

    def __init__(self, budget: Budget | None = None):
        super().__init__("time budget exhausted")
        self.budget = budget

    def spent(self) -> str:
        """What ran out, in words: ``"the budget of 20 s"``."""
        b = self.budget
        return "the time budget" if b is None or b.seconds is None else f"the budget of {b.seconds:g} s"


class OutOfMemory(OutOfTime):
    """The process grew by more than the memory budget inside ``Budget.limit``.

    A subclass of :class:`OutOfTime`, so that every stage that stops at its budget and reports what
    it reached does so for memory too; :meth:`spent` says which budget it was."""

    def __init__(self, budget: Budget | None, used: int, ceiling: float):
        OutOfTime.__init__(self, budget)
        self.args = ("memory budget exhausted",)
        self.used, self.ceiling = used, ceiling

    def spent(self) -> str:
        return f"the memory budget of {_gb(_MEMORY)} (the process reached {_gb(self.used)})"


# Active limits, innermost last: (deadline on the monotonic clock, owning budget, alarm set by it,
# memory ceiling: the resident size in bytes the process may reach inside it, inf for none).
_Entry = tuple[float, "Budget", bool, float]
_ACTIVE: list[_Entry] = []
# Whether the running ITIMER_REAL (if any) was set by one of our limits.
_ARMED = False
# After its deadline (and throughout, while a memory ceiling is watched) the alarm repeats with
# this period until the limit is left.
_TICK = 0.02


def _gb(n: float | None) -> str:
    if n is None:
        return "no limit"
    return f"{n / 2**30:.3g} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def _default_memory() -> int | None:
    """Half the physical memory, at most 8 GiB (None where the size is not known)."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    return int(min(total // 2, 8 * 2**30))


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss() -> int | None:
    """The resident size of this process in bytes (Linux ``/proc``), or None where unknown."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def _trim() -> None:
    """Give memory the C allocator keeps but no longer uses back to the system (glibc only)."""
    global _LIBC
    if _LIBC is None:
        try:
            _LIBC = ctypes.CDLL("libc.so.6")
            _LIBC.malloc_trim.argtypes = [ctypes.c_size_t]
        except (OSError, AttributeError):
            _LIBC = False
    if _LIBC:
        _LIBC.malloc_trim(0)


_LIBC: Any = None
#: Bytes by which the process may grow inside one limit (None: no memory budget).
_MEMORY: int | None = _default_memory() if _rss() is not None else None


def memory_budget() -> int | None:
    """The memory budget in bytes: how much the process may grow during one budgeted computation."""
    return _MEMORY


def set_memory_budget(size: float | None) -> None:
    """Set the memory budget: bytes (a positive finite number), or None for no memory budget.

    A computation under a time budget (every check, ``M.G``, ``singular_points``, ...) stops when
    the resident size of the process grows by more than this inside it, and reports what it reached,
    as it does when its time runs out.  The default is half the physical memory, at most 8 GiB.
    The check runs between Python operations, every few milliseconds, so a single C operation can
    overshoot it; where the resident size cannot be read (not Linux), there is no memory budget.
    """
    global _MEMORY
    if size is None:
        _MEMORY = None
        return
    if isinstance(size, bool) or not isinstance(size, (int, float)) or not math.isfinite(size) or size <= 0:
        raise BudgetError(f"a memory budget is a positive finite number of bytes; got {size!r}")
    _MEMORY = int(size)


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
        #: the memory overrun that stopped a block under this budget, if one did
        self.stopped_by: OutOfMemory | None = None

    def spent(self) -> str:
        """What this budget ran out of, in words (after it ran out): its time, ``"the budget of 20 s"``,
        or the memory budget."""
        if self.stopped_by is not None:
            return self.stopped_by.spent()
        return "the time budget" if self.seconds is None else f"the budget of {self.seconds:g} s"

    def facts(self) -> dict[str, Any]:
        """The facts of a stage this budget stopped, for :mod:`symgrad.singular.scope`: its seconds, and
        the memory budget when that is what stopped it."""
        out: dict[str, Any] = {"budget": self.seconds}
        if self.stopped_by is not None:
            out["memory"] = self.stopped_by.spent()
        return out

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
        """Run the block under this budget, raising :class:`OutOfTime` when it is spent (its time, or
        the memory budget: :class:`OutOfMemory`, when the process grows by more than
        :func:`memory_budget` bytes inside the block)."""
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
        foreign = in_main and not _ARMED and signal.getitimer(signal.ITIMER_REAL)[0] != 0
        memory = _MEMORY if in_main and not foreign else None
        rss = None if memory is None else _rss()
        ceiling: float = math.inf if memory is None or rss is None else float(rss + memory)
        if (deadline == math.inf and ceiling == math.inf) or not in_main or foreign:
            if deadline != math.inf:
                self.enforced = False
            entry: _Entry = (deadline, self, False, math.inf)
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
            if _in_unraisable_hook(frame):   # reporting an exception a finaliser swallowed: the next tick
                return
            now = time.monotonic()
            fired = [e[1] for e in _ACTIVE if e[0] <= now + 1e-3]
            if fired:
                raise OutOfTime(fired[0])
            low = min((e[3] for e in _ACTIVE), default=math.inf)
            if low != math.inf:
                used = _rss()
                if used is not None and used > low:
                    _trim()     # memory freed but kept by the allocator does not count
                    used = _rss()
                    over = [e for e in _ACTIVE if used is not None and used > e[3]]
                    if over:    # the innermost limit whose ceiling is passed owns the overrun
                        exc = OutOfMemory(over[-1][1], used, over[-1][3])
                        over[-1][1].stopped_by = exc
                        raise exc

        old = signal.signal(signal.SIGALRM, _alarm)
        entry = (deadline, self, True, ceiling)
        _ACTIVE.append(entry)
        try:
            _ARMED = True
            signal.setitimer(signal.ITIMER_REAL, _first_alarm(), _TICK)
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _ARMED = False
            _remove(entry)
            signal.signal(signal.SIGALRM, old)
            if any(e[2] for e in _ACTIVE):
                # restore the enclosing alarm of ours with the time left to it (at least a tick)
                _ARMED = True
                signal.setitimer(signal.ITIMER_REAL, _first_alarm(), _TICK)


def _in_unraisable_hook(frame: Any) -> bool:
    """Whether ``frame`` runs inside ``sys.unraisablehook`` (a raise there is lost, and may break the
    hook itself: pytest's turns it into an error of the test)."""
    hook = sys.unraisablehook
    code = getattr(getattr(hook, "func", hook), "__code__", None)
    for _ in range(8):
        if frame is None or code is None:
            return False
        if frame.f_code is code:
            return True
        frame = frame.f_back
    return False


def _first_alarm() -> float:
    """Seconds to the next alarm the active limits need: the earliest deadline, or one tick when a
    memory ceiling is watched (at least 0.1 ms)."""
    armed = [e for e in _ACTIVE if e[2]]
    first = min(e[0] for e in armed) - time.monotonic()
    if any(e[3] != math.inf for e in _ACTIVE):
        first = min(first, _TICK)
    return max(first, 1e-4)


def _remove(entry: _Entry) -> None:
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
        if isinstance(exc, OutOfMemory):
            raise OutOfBudgetError(f"{what} stopped at {exc.spent()}; give it more memory with "
                                   "symgrad.set_memory_budget(bytes) (--memory GB on the command line), "
                                   "or None for no limit") from None
        raise OutOfBudgetError(f"{what} did not finish within its budget of {b.seconds:g} s; "
                               + (hint or "give it more time with budget=S (seconds), or budget=None")) from None


def as_budget(budget: Budget | float | None) -> Budget:
    """A :class:`Budget` from seconds, ``None`` (no own deadline) or a budget (returned as is)."""
    if isinstance(budget, Budget):
        return budget
    return Budget(budget)
