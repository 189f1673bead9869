"""``python -m ics_abm.cli``: the ``ics-abm`` command without its console script."""

from ics_abm.cli import main

if __name__ == "__main__":
    main()
