"""Command-line interface: ``ics-abm run``, ``validate``, ``compare``, ``validate-model``, ``sweep``,
``sensitivity`` and ``demo``.

Bad input (a scenario that does not validate, a missing file, a negative seed, an output
directory in the way) is reported as one sentence, ``Error: ...``, on standard error with a
non-zero exit code; never as a Python traceback (:mod:`ics_abm.cli.common`).

:data:`app` is the typer application (for ``typer.testing.CliRunner``), :func:`main` the console
script's entry point; ``python -m ics_abm.cli`` runs it too.
"""

from ics_abm.cli.application import app, main

__all__ = ["app", "main"]
