"""The rules of one month, one module per subsection of docs/model.md section 7.

Each module holds small numba functions over the state arrays, named after what they do and
citing their subsection; :func:`ics_abm.engine.step.step` calls them in the order of 7.0.
"""
