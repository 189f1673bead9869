"""Experiments made of many runs: batches, sweeps, policy comparisons, stylized-fact validation,
sensitivity analysis and the EMA Workbench adapter."""
