"""The budget of one step: wall time and memory for its scripts, expressions and templates.

CPython offers no way to stop a thread from outside, so a step checks itself. The script
policy (engine.script_policy) puts a tick at every loop and comprehension head, every
function entry, every call and every subscript. A tick only reads its budget's alarm; a
watchdog thread raises the alarm of every open budget every CHECK_EVERY seconds, and the
next tick then compares the clock with the step's deadline and the process's resident
memory with what it was when the step began. So checks come every few milliseconds
however slow or fast the ticks are, and a tick costs one attribute read. One C-level
operation between two ticks cannot be interrupted, so engine.guards bounds those before
they run, and charges the large ones to the memory account here.

The budget of the running step lives in a context variable: `step_budget()` opens it
(engine.runtime.run_engine does, around everything a step runs) and nested entries share
it, so a script, a condition and a timer expression of one step draw from one budget.
Outside a step each script or template gets a budget of its own.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from contextvars import ContextVar, Token

from engine.config import ScriptLimits, load_script_limits
from engine.sandbox_errors import BudgetExceeded

# How often the watchdog makes each running step check its clock and memory, in seconds.
CHECK_EVERY = 0.01
# The watchdog sleeps once no step has run for this long, in seconds.
IDLE_AFTER = 1.0
# No single value may take more than this share of the memory budget: one C call can
# multiply a value's footprint many times (a text split into one object per character
# takes about 60 bytes per character), and such a call cannot be stopped halfway.
VALUE_SHARE_OF_MEMORY = 64
# Check memory at once when guarded operations allocated this share since the last check.
CHARGE_SHARE_OF_MEMORY = 32

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
_current: ContextVar[Budget | None] = ContextVar("igot_step_budget", default=None)


_statm: list[int] = []
_statm_lock = threading.Lock()


def resident_bytes() -> int:
    """The process's resident memory in bytes (Linux /proc; elsewhere its peak so far).

    The /proc file stays open: reading it again from offset 0 costs about a microsecond,
    opening it ten. A forked worker opens its own (see _after_fork_in_child).
    """
    try:
        if not _statm:
            with _statm_lock:
                if not _statm:
                    _statm.append(os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC))
        return int(os.pread(_statm[0], 128, 0).split()[1]) * _PAGE_SIZE
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def value_limit_bytes(limits: ScriptLimits) -> int:
    """The largest value one guarded operation may make, in bytes, for these limits."""
    return max(limits.memory_limit // VALUE_SHARE_OF_MEMORY, 1)


def _seconds(value: float) -> str:
    return f"{value:g}"


class Budget:
    """What one step may still spend. Its code runs in one thread; the watchdog only sets `alarm`."""

    def __init__(self, limits: ScriptLimits) -> None:
        self.limits = limits
        self.value_limit = value_limit_bytes(limits)
        self.deadline = time.monotonic() + limits.time_limit
        self.baseline = resident_bytes()
        self.exceeded: str | None = None
        self.alarm = False
        self._charged = 0
        self._charge_check = max(limits.memory_limit // CHARGE_SHARE_OF_MEMORY, 1)

    def tick(self) -> bool:
        """Count one loop round, call or subscript; check the limits when the alarm is up.

        Returns True so that the policy can place it in a condition. Raises BudgetExceeded
        once the step is over its time or memory, and at every tick after that.
        """
        if self.alarm:
            self.check()
        return True

    def check(self) -> None:
        """Compare the clock with the deadline and memory with the limit now."""
        if self.exceeded is not None:
            raise BudgetExceeded(self.exceeded)
        self.alarm = False
        if time.monotonic() > self.deadline:
            self._exceed(f"the step ran longer than its limit of {_seconds(self.limits.time_limit)} s")
        self._check_memory(0)

    def charge(self, size: int) -> None:
        """Account for an allocation of about `size` bytes that a guard is about to make.

        Raises BudgetExceeded when the step is already over budget, or when memory is
        checked (after every 1/32 of the limit charged) and the allocation would not fit.
        """
        if self.exceeded is not None:
            raise BudgetExceeded(self.exceeded)
        self._charged += size
        if self._charged >= self._charge_check:
            self._charged = 0
            self._check_memory(size)

    def ensure_within(self) -> None:
        """Raise BudgetExceeded if the budget was exceeded, even if a script caught the error."""
        if self.exceeded is not None:
            raise BudgetExceeded(self.exceeded)

    def _check_memory(self, upcoming: int) -> None:
        if resident_bytes() - self.baseline + upcoming > self.limits.memory_limit:
            limit = self.limits.memory_limit / (1024 * 1024)
            self._exceed(f"the step used more memory than its limit of {limit:g} MB")

    def _exceed(self, message: str) -> None:
        self.exceeded = message
        self.alarm = True
        raise BudgetExceeded(message)


class _Watchdog:
    """One daemon thread per process that raises the alarm of every open budget, periodically.

    Opening and closing a budget only adds it to and removes it from a set; the thread
    sleeps on an event once no step has been open for IDLE_AFTER seconds.
    """

    def __init__(self) -> None:
        self._budgets: set[Budget] = set()
        self._awake = threading.Event()
        self._lock = threading.Lock()
        self._started = False

    def watch(self, budget: Budget) -> None:
        self._budgets.add(budget)
        if not self._awake.is_set():
            with self._lock:
                if not self._started:
                    threading.Thread(target=self._run, name="igot-step-budget", daemon=True).start()
                    self._started = True
            self._awake.set()

    def release(self, budget: Budget) -> None:
        self._budgets.discard(budget)

    def _run(self) -> None:
        idle_rounds = 0
        while True:
            self._awake.wait()
            time.sleep(CHECK_EVERY)
            budgets = list(self._budgets)
            for budget in budgets:
                budget.alarm = True
            idle_rounds = 0 if budgets else idle_rounds + 1
            if idle_rounds * CHECK_EVERY >= IDLE_AFTER:
                self._awake.clear()
                # A budget opened while the event was being cleared must still be watched.
                if self._budgets:
                    self._awake.set()
                idle_rounds = 0


_watchdog = _Watchdog()


def _after_fork_in_child() -> None:
    # A forked worker (gunicorn) has no watchdog thread and no open budgets of its own, and
    # the parent's /proc/self/statm describes the parent.
    global _watchdog
    _watchdog = _Watchdog()
    for descriptor in _statm:
        os.close(descriptor)
    _statm.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


class _StepBudget:
    """The context manager `step_budget()` returns (a class: it is entered for every script)."""

    def __init__(self) -> None:
        self._token: Token[Budget | None] | None = None
        self._budget: Budget | None = None
        self._watchdog = _watchdog

    def __enter__(self) -> Budget:
        active = _current.get()
        if active is not None:
            return active
        self._budget = Budget(load_script_limits())
        self._token = _current.set(self._budget)
        self._watchdog.watch(self._budget)
        return self._budget

    def __exit__(self, *_exception: object) -> None:
        if self._budget is not None and self._token is not None:
            self._watchdog.release(self._budget)
            _current.reset(self._token)


def step_budget() -> _StepBudget:
    """The budget of the running step: the one already open in this context, or a new one.

    Enter it around everything a step runs; a nested entry shares the outer budget. A new
    budget reads its limits from the environment (engine.config.load_script_limits).
    """
    return _StepBudget()


def current_budget() -> Budget | None:
    """The budget of the running step, or None outside a step (e.g. at deploy)."""
    return _current.get()


def current_value_limit() -> int:
    """The largest value a guarded operation may make now, in bytes."""
    budget = _current.get()
    return budget.value_limit if budget is not None else value_limit_bytes(load_script_limits())
