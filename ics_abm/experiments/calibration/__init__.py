"""Pattern-oriented calibration (issue 11, part 1): ABC-SMC against the level patterns of the evidence.

:mod:`.patterns` defines the statistics and the distance, :mod:`.config` reads a calibration
config, :mod:`.smc` runs pyabc (the optional ``calibrate`` extra) and writes the results,
:mod:`.posterior` loads the shipped (or any) posterior and draws parameter sets from it.
"""

from ics_abm.experiments.calibration.config import CalibrationConfig, CalibrationError, read_config
from ics_abm.experiments.calibration.patterns import PATTERNS, distance, summaries
from ics_abm.experiments.calibration.posterior import draw_parameters, parameter_columns, posterior
from ics_abm.experiments.calibration.smc import calibrate, load_calibration

__all__ = ["PATTERNS", "CalibrationConfig", "CalibrationError", "calibrate", "distance", "draw_parameters",
           "load_calibration", "parameter_columns", "posterior", "read_config", "summaries"]
