"""The one error type the CLI shows to people.

Anything raised as `Refusal` is printed as a single line (what went wrong, then what to do) and exits 2;
anything else is a bug and keeps its traceback.
"""


class Refusal(Exception):
    """A request Tessera will not carry out, with the reason and the way forward in one line."""

    exit_code = 2


class Failed(Refusal):
    """The command ran, and what it checked is not as it should be (pending changes, drift, a failed verify)."""

    exit_code = 1
