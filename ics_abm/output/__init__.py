"""What a run or an experiment leaves behind: tidy tables, result directories with a manifest, figures."""
