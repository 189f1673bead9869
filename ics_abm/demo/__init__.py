"""The facilitator's live demo: a Mesa ``SolaraViz`` app in the browser (``ics-abm demo``).

Modules, one idea each:

* :mod:`~ics_abm.demo.presets` the scenario files offered in the preset picker;
* :mod:`~ics_abm.demo.levers` the sliders' changes to a preset;
* :mod:`~ics_abm.demo.session` the Mesa model the app resets, steps and injects events into;
* :mod:`~ics_abm.demo.snapshot` a consistent copy of what is drawn;
* :mod:`~ics_abm.demo.layout` the stable network layout;
* :mod:`~ics_abm.demo.figures` the network, the charts and the two-futures figure;
* :mod:`~ics_abm.demo.svg`, :mod:`~ics_abm.demo.views` the live pictures as SVG the browser draws;
* :mod:`~ics_abm.demo.wording`, :mod:`~ics_abm.demo.captions`, :mod:`~ics_abm.demo.stories` plain words,
  captions computed from the run, and the guided stories;
* :mod:`~ics_abm.demo.tables` headline numbers, legends, events and two futures as HTML;
* :mod:`~ics_abm.demo.branching` what-if branching: two futures from one state, on many seeds;
* :mod:`~ics_abm.demo.export` the session's charts and Markdown summary on disk;
* :mod:`~ics_abm.demo.components`, :mod:`~ics_abm.demo.app` the browser page;
* :mod:`~ics_abm.demo.settings`, :mod:`~ics_abm.demo.server`, :mod:`~ics_abm.cli.demo` what the
  command tells the app, the offline server, and ``ics-abm demo`` itself.

Only :mod:`components`, :mod:`app` and :mod:`server` import solara; everything else is plain
Python, tested without a browser.
"""
