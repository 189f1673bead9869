"""What a run or an experiment leaves behind: tidy tables, result directories with a manifest, figures.

* :mod:`~ics_abm.output.tables` the tidy tables of a run's output arrays;
* :mod:`~ics_abm.output.directory` the one implementation of atomic writing (directories and files);
* :mod:`~ics_abm.output.files` the files inside a result directory (Parquet with provenance, CSV,
  text, PNG);
* :mod:`~ics_abm.output.manifest` what made a result: versions, provenance, file hashes;
* :mod:`~ics_abm.output.results` a run's results directory;
* :mod:`~ics_abm.output.figures` the figure of a run;
* :mod:`~ics_abm.output.progress` the progress bar of long runs, comparisons and sweeps.
"""
