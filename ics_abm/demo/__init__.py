"""The facilitator's live demo: a Mesa ``SolaraViz`` app in the browser (``ics-abm demo``).

Modules, one idea each:

* :mod:`~ics_abm.demo.presets` the scenario files offered in the preset picker;
* :mod:`~ics_abm.demo.levers` the sliders' changes to a preset;
* :mod:`~ics_abm.demo.session` the Mesa model the app resets, steps and injects events into;
* :mod:`~ics_abm.demo.snapshot` a consistent copy of what is drawn;
* :mod:`~ics_abm.demo.layout` the stable network layout;
* :mod:`~ics_abm.demo.figures` the network, the charts and the two-futures figure;
* :mod:`~ics_abm.demo.painters` the two live pictures, redrawn in place each month;
* :mod:`~ics_abm.demo.tables` headline numbers, trust between kinds and events as HTML;
* :mod:`~ics_abm.demo.branching` what-if branching: two futures from one state and seed;
* :mod:`~ics_abm.demo.export` the session's charts and Markdown summary on disk;
* :mod:`~ics_abm.demo.components`, :mod:`~ics_abm.demo.app` the browser page;
* :mod:`~ics_abm.demo.settings`, :mod:`~ics_abm.demo.server`, :mod:`~ics_abm.cli.demo` what the
  command tells the app, the offline server, and ``ics-abm demo`` itself.

Only :mod:`components`, :mod:`app` and :mod:`server` import solara; everything else is plain
Python, tested without a browser.
"""
