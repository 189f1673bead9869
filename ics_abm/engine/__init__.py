"""The engine: the state arrays, the initial state, the monthly step and the drivers that run it.

A scenario becomes arrays (:mod:`~ics_abm.engine.initial`), the step advances them one month at a
time (:mod:`~ics_abm.engine.step`, composed of one module per subsection of docs/model.md section 7
in :mod:`ics_abm.engine.submodels`), and the drivers run the step for one run
(:func:`~ics_abm.engine.step.advance`) or many runs at once (:mod:`~ics_abm.engine.batch`).
Nothing here knows about Mesa, files or tables; see docs/architecture.md.
"""
