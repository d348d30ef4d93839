"""offersim's errors as Python exceptions, with the parts the command line prints.

Every exception ``offersim.run`` raises for a problem offersim found is an ``offersim.Error``;
``exit_code`` is the code the command line exits with for the same problem. An exception
raised by a Python policy itself propagates unchanged.
"""


class Error(Exception):
    """Something offersim could not do."""

    exit_code = 3


class InputError(Error):
    """Bad input: a scenario, policy or trace that offersim cannot use (exit code 2).

    ``file`` is the input file (``"<dict>"`` for a scenario given as a dict: its lines are
    those of ``offersim.to_toml(dict)``), ``line`` its 1-based line (0: the whole file),
    ``field`` the key or column, ``reason`` what was expected.
    """

    exit_code = 2

    def __init__(self, message, file, line, field, reason):
        super().__init__(message)
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason


class OutputError(Error):
    """A results file could not be written, or ``out`` is a folder offersim may not write."""

    def __init__(self, message, path, reason):
        super().__init__(message)
        self.path = path
        self.reason = reason


class InvariantError(Error):
    """A simulation invariant was violated (``check_invariants=True``): a bug in offersim or
    in a policy."""

    def __init__(self, message, time_s, event, reason):
        super().__init__(message)
        self.time_s = time_s
        self.event = event
        self.reason = reason


class DecisionError(Error):
    """A policy returned a decision the simulation cannot apply: a launch that does not fit
    its offer or names a task that is not pending, a grant that exceeds what the role may use
    of the agent, ... ``policy`` is the scheduler's or allocator's name."""

    def __init__(self, message, policy, reason):
        super().__init__(message)
        self.policy = policy
        self.reason = reason


class ScenarioWarning(UserWarning):
    """A name in the scenario matches nothing (the command line's ``warning:`` lines)."""
