"""The statistics of a comparison (ics_abm.experiments.comparison.statistics): intervals stay in range.

Property tests over random bounded data: bootstrap intervals of a mean never leave the observed
range (so never an outcome's possible range), paired intervals never leave the range of the
differences, a contrast seen from the other side is its mirror image, and an option compared
with itself reads "no difference". No model runs: the numbers here are made up.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ics_abm.experiments.comparison.outcomes import bounds, check_outcomes, describe, format_value, measures_of
from ics_abm.experiments.comparison.statistics import contrast, level, mean_bands, tied_to_zero
from ics_abm.metrics import METRICS, SYSTEM_METRICS


@st.composite
def bounded_samples(draw, paired: bool = False):
    """(low, high, values[, other values]) with values in [low, high]: skewed, tied, bimodal or spread."""
    low = draw(st.sampled_from([0.0, -1.0, -2000.0, 3.0]))
    width = draw(st.sampled_from([1.0, 3.0, 120.0, 5000.0]))
    high = low + width
    n = draw(st.integers(min_value=2, max_value=40))
    shape = st.one_of(
        st.floats(min_value=low, max_value=high, allow_nan=False),        # anywhere
        st.sampled_from([low, high]),                                       # bimodal, at the bounds
        st.sampled_from([low, low + width * 1e-3, high]),                   # mostly at the floor
    )
    values = np.array(draw(st.lists(shape, min_size=n, max_size=n)))
    if not paired:
        return low, high, values
    other = np.array(draw(st.lists(shape, min_size=n, max_size=n)))
    return low, high, values, other


@settings(max_examples=60, deadline=None)
@given(bounded_samples())
def test_interval_of_a_mean_never_leaves_the_range(sample):
    low, high, values = sample
    result = level(values)
    assert low <= values.min() <= result.low <= result.mean <= result.high <= values.max() <= high


@settings(max_examples=60, deadline=None)
@given(bounded_samples(paired=True))
@example((0.0, 5000.0, np.array([4999.0 + 9.094947017729282e-13, 1.0]), np.array([4999.0, 0.0])))  # found in CI
def test_interval_of_a_paired_difference_never_leaves_the_range(sample):
    low, high, reference, option = sample
    c = contrast(reference, option)
    # The differences the contrast works on: rounding-sized ones count as none (TIE_TOLERANCE), so
    # with 4999.000000000001 against 4999 the interval may end at 0 where option - reference is -9e-13.
    d = tied_to_zero(reference, option)
    assert low - high <= d.min() <= c.low <= c.high <= d.max() <= high - low
    assert c.low <= c.difference <= c.high or math.isclose(c.low, c.high)
    assert c.higher + c.lower + c.same == c.n == d.size
    assert 0.0 <= c.superiority <= 1.0 and 0.0 <= c.p_value <= 1.0
    mirror = contrast(option, reference)
    assert (mirror.difference, mirror.higher, mirror.lower) == (-c.difference, c.lower, c.higher)
    assert c.reversed().low == pytest.approx(mirror.low, abs=1e-9 * (high - low))


@settings(max_examples=30, deadline=None)
@given(bounded_samples())
def test_an_option_against_itself_is_no_difference(sample):
    _, _, values = sample
    c = contrast(values, values.copy())
    assert c.identical and not c.clear
    assert (c.difference, c.low, c.high, c.superiority, c.p_value) == (0.0, 0.0, 0.0, 0.5, 1.0)


def test_bands_stay_within_each_months_range():
    rng = np.random.default_rng(3)
    values = rng.choice([0.0, 1.0], size=(12, 30), p=[0.9, 0.1])  # a 0/1 flag: skewed, often all zero
    mean, low, high = mean_bands(values)
    assert (low >= values.min(axis=0)).all() and (high <= values.max(axis=0)).all()
    assert (low <= mean + 1e-12).all() and (mean <= high + 1e-12).all()
    constant = values.min(axis=0) == values.max(axis=0)
    assert (low[constant] == mean[constant]).all() and (high[constant] == mean[constant]).all()


def test_rounding_in_the_last_digits_is_no_difference():
    reference = np.array([96.0, 1868.25, -3.5])
    c = contrast(reference, reference + reference * 1e-15)
    assert c.identical


def test_nan_pairs_are_left_out():
    c = contrast([1.0, np.nan, 3.0], [2.0, 5.0, np.nan])
    assert c.n == 1 and c.difference == 1.0 and math.isnan(c.low)


def test_every_metric_has_a_range_a_plain_name_and_a_headline():
    for name in METRICS:
        metric = SYSTEM_METRICS[name]
        assert metric.low < metric.high and metric.plain and metric.better in (-1, 0, 1)
        assert metric.headline in measures_of(name) or metric.headline == "total" and not metric.total
        for measure in measures_of(name):
            low, high = bounds(name, measure, 120)
            assert low <= high and describe(name, measure, 120)


def test_outcomes_of_the_issue_are_in_the_default_set_with_units():
    chosen = check_outcomes()
    assert {"signed_up", "transfers", "interventions", "n_deficit", "mean_trust", "collaboration_rate",
            "integration_progress"} <= set(chosen)
    assert describe("signed_up", "total", 120) == "months signed up to the control total over 10 years"
    assert format_value(12.0, "signed_up", "total") == "12 months"
    assert format_value(-1868.2, "system_balance", "final", signed=True) == "-£1,868m"
    assert format_value(0.05, "collaboration_rate", "final", difference=True) == "5 percentage points"
    assert "e" not in format_value(3.3e-5, "system_balance", "final")  # never an exponent
