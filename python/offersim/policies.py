"""Policies written in Python: subclass ``Scheduler`` (framework side) or ``Allocator`` (master
side) and pass the class, an instance, or a ``Policy`` to ``offersim.run(policies=[...])``.

Policies return decisions as data; offersim validates them as it validates its built-in
policies' and stops the run with ``offersim.DecisionError`` when one cannot be applied.
Views passed to a policy (``work``, ``view``, ``run``) are valid only during the call that
received them.
"""

import copy


class Scheduler:
    """A framework's scheduler. One instance serves one framework in one run.

    Override ``on_offer``; the other methods are optional (a method left as it is here is
    never called, which saves a Python call per offer).
    """

    #: The name in error messages (default: the class name).
    name = None

    def on_offer(self, offer, work):
        """Decide on ``offer`` (an ``offersim.Offer``) given the framework's pending work
        (an ``offersim.Work``).

        Return None (decline it all), a list of ``(group, task)`` launches taken from
        ``work.pending_groups()`` and ``work.pending_tasks(group)`` whose shapes, plus
        ``offer.executor`` once when it is non-zero, fit ``offer.resources``, or an
        ``offersim.Decision`` (launches, a decline filter ``refuse_s``, or ``hold=True``).
        What is not launched is declined with the framework's filter unless ``refuse_s`` says
        otherwise.
        """
        raise NotImplementedError("a Scheduler must define on_offer(self, offer, work)")

    def done(self, work):
        """True when no further offer of the current batch could make this scheduler launch
        or hold anything (say, nothing is pending): the rest of the batch is declined without
        calling ``on_offer``."""
        return False

    def on_launch(self, job, locality, now_s):
        """A task of ``job`` was launched with this locality (``"node_local"``,
        ``"rack_local"``, ``"off_rack"`` or None)."""

    def on_job_end(self, job):
        """``job`` left the framework (all its tasks ended)."""


class Allocator:
    """The master's allocation policy. One instance serves one run.

    Override ``allocate``; ``notify`` is optional (never called unless overridden).
    """

    #: The name in error messages (default: the class name).
    name = None

    def allocate(self, view, run):
        """One allocation run over ``run.candidates()``: return None or a list of
        ``offersim.Grant(framework, role, agent, pools)`` and
        ``offersim.GrantAll(framework, role, agents)``. A grant must fit what the role may
        use of the agent's free resources (``view.usable(agent, role)``) minus what earlier
        grants of the same run took."""
        raise NotImplementedError("an Allocator must define allocate(self, view, run)")

    def notify(self, view, change):
        """The master changed an allocation, an agent, a framework or a role
        (``change.kind``); called after the view shows it."""


def _overrides(obj, base, method):
    return getattr(type(obj), method, None) is not getattr(base, method)


def _name(obj):
    return getattr(obj, "name", None) or type(obj).__name__


def _part_name(part):
    """A class's or instance's ``name``, else the class's (or function's) own name."""
    n = getattr(part, "name", None)
    if isinstance(n, str) and n:
        return n
    if isinstance(part, type) or not isinstance(part, (Scheduler, Allocator)):
        return getattr(part, "__name__", type(part).__name__)
    return type(part).__name__


class Framework:
    """What a scheduler factory function is told of the framework it makes a scheduler for."""

    __slots__ = ("name", "roles", "scheduler")

    def __init__(self, name, roles, scheduler):
        self.name = name
        self.roles = roles
        #: The built-in scheduler the scenario gives it ("greedy", "delay", "hold").
        self.scheduler = scheduler

    def __repr__(self):
        return f"Framework(name={self.name!r}, roles={self.roles!r}, scheduler={self.scheduler!r})"


class Policy:
    """A policy of the run made of Python parts on the settings of one of the scenario's
    policies.

    - ``name``: its name in summary.csv and the results folder (default: the allocator's or
      scheduler's name).
    - ``allocator``: an ``Allocator`` subclass (instantiated once per run) or instance (copied
      once per run, so runs never share state); None keeps the base policy's allocator.
    - ``scheduler``: a ``Scheduler`` subclass (instantiated once per framework) or instance
      (copied once per framework), or a function ``f(framework) -> Scheduler or None`` (None:
      that framework keeps its built-in scheduler); None keeps the built-in schedulers.
    - ``base``: the scenario policy whose master settings and framework defaults it takes
      (default: the scenario's first policy).
    """

    def __init__(self, name=None, *, allocator=None, scheduler=None, base=None):
        if allocator is None and scheduler is None:
            raise ValueError("a Policy needs an allocator, a scheduler or both")
        _check_part(allocator, Allocator, "allocator")
        if scheduler is not None and not callable(scheduler) and not isinstance(
            scheduler, Scheduler
        ):
            raise TypeError(
                "scheduler: expected a Scheduler subclass or instance, or a function"
            )
        if name is None:
            name = _part_name(allocator if allocator is not None else scheduler)
        self.name = name
        self.allocator = allocator
        self.scheduler = scheduler
        self.base = base

    def __repr__(self):
        return (
            f"Policy({self.name!r}, allocator={self.allocator!r}, "
            f"scheduler={self.scheduler!r}, base={self.base!r})"
        )

    def _allocator_factory(self):
        a = self.allocator
        if a is None:
            return None

        def make():
            obj = a() if isinstance(a, type) else copy.deepcopy(a)
            if not isinstance(obj, Allocator):
                raise TypeError(f"{a!r} did not make an offersim.Allocator")
            return obj, _name(obj), _overrides(obj, Allocator, "notify")

        return make

    def _scheduler_factory(self):
        s = self.scheduler
        if s is None:
            return None

        def make(name, roles, kind):
            if isinstance(s, type):
                obj = s()
            elif isinstance(s, Scheduler):
                obj = copy.deepcopy(s)
            else:
                obj = s(Framework(name, roles, kind))
                if obj is None:
                    return None
                if isinstance(obj, type):
                    obj = obj()
            if not isinstance(obj, Scheduler):
                raise TypeError(f"{s!r} did not make an offersim.Scheduler for {name}")
            return (
                obj,
                _name(obj),
                _overrides(obj, Scheduler, "done"),
                _overrides(obj, Scheduler, "on_launch"),
                _overrides(obj, Scheduler, "on_job_end"),
            )

        return make


def _check_part(part, base, what):
    if part is None:
        return
    ok = (isinstance(part, type) and issubclass(part, base)) or isinstance(part, base)
    if not ok:
        raise TypeError(f"{what}: expected a {base.__name__} subclass or instance, got {part!r}")


def entries(policies):
    """``run``'s ``policies`` as the extension module takes them: one
    ``(name, is_python, base, allocator_factory, scheduler_factory)`` per policy."""
    if isinstance(policies, (str, Policy, Scheduler, Allocator, type)):
        policies = [policies]
    out = []
    for p in policies:
        if isinstance(p, str):
            out.append((p, False, None, None, None))
            continue
        if isinstance(p, (Scheduler, Allocator)) or isinstance(p, type):
            if isinstance(p, Scheduler) or (isinstance(p, type) and issubclass(p, Scheduler)):
                p = Policy(scheduler=p)
            elif isinstance(p, Allocator) or (isinstance(p, type) and issubclass(p, Allocator)):
                p = Policy(allocator=p)
            else:
                raise TypeError(f"policies: {p!r} is not a Scheduler or Allocator subclass")
        if not isinstance(p, Policy):
            raise TypeError(
                "policies: expected scenario policy names, Policy objects, or Scheduler "
                f"and Allocator subclasses or instances; got {p!r}"
            )
        out.append((p.name, True, p.base, p._allocator_factory(), p._scheduler_factory()))
    return out
