"""The automatic choice of the parallel step (ics_abm.engine.dispatch): small systems serial, large parallel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ics_abm.engine.dispatch as dispatch
import ics_abm.simulation
from ics_abm import ICSModel, load_scenario, run
from ics_abm.engine.dispatch import PARALLEL_MIN_ARCS, PARALLEL_MIN_ARCS_ENV, parallel_min_arcs, step_in_parallel

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "default.toml"


@pytest.fixture
def two_threads(monkeypatch):
    monkeypatch.setattr(dispatch, "threads", lambda: 2)
    monkeypatch.setattr(dispatch, "machine_is_busy", lambda: False)
    monkeypatch.delenv(PARALLEL_MIN_ARCS_ENV, raising=False)


def test_a_small_system_is_stepped_serially_and_a_large_one_in_parallel(two_threads):
    default_arcs = 2 * 157  # the default scenario
    for parallel in (None, True):
        assert not step_in_parallel(default_arcs, parallel)
        assert not step_in_parallel(PARALLEL_MIN_ARCS - 1, parallel)
        assert step_in_parallel(PARALLEL_MIN_ARCS, parallel)
        assert step_in_parallel(10_000_000, parallel)
    assert not step_in_parallel(10_000_000, False)


def test_a_busy_machine_is_stepped_serially_unless_the_threshold_is_zero(two_threads, monkeypatch):
    monkeypatch.setattr(dispatch, "machine_is_busy", lambda: True)
    assert not step_in_parallel(10_000_000, True)
    monkeypatch.setenv(PARALLEL_MIN_ARCS_ENV, "0")
    assert step_in_parallel(10, True)


def test_busy_means_a_load_above_the_cores_less_half_a_core(monkeypatch):
    monkeypatch.setattr(dispatch.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    for load, busy in ((0.2, False), (1.5, False), (1.6, True), (6.0, True)):
        monkeypatch.setattr(dispatch.os, "getloadavg", lambda load=load: (load, load, load))
        assert dispatch.machine_is_busy() is busy, load


def test_one_thread_is_always_serial(monkeypatch):
    monkeypatch.setattr(dispatch, "threads", lambda: 1)
    assert not step_in_parallel(10_000_000, True)


def test_the_threshold_can_be_set_in_the_environment(two_threads, monkeypatch):
    monkeypatch.setenv(PARALLEL_MIN_ARCS_ENV, "0")
    assert parallel_min_arcs() == 0 and step_in_parallel(10, None)
    for bad in ("-1", "lots", "1.5"):
        monkeypatch.setenv(PARALLEL_MIN_ARCS_ENV, bad)
        with pytest.raises(ValueError, match=PARALLEL_MIN_ARCS_ENV):
            parallel_min_arcs()


@pytest.mark.parametrize(("threshold", "expected"), [(None, False), ("0", True)])
def test_the_model_steps_with_the_kernel_chosen(two_threads, monkeypatch, threshold, expected):
    if threshold is not None:
        monkeypatch.setenv(PARALLEL_MIN_ARCS_ENV, threshold)
    seen = []
    real = ics_abm.simulation.advance

    def spy(*args, **kwargs):
        seen.append(kwargs["parallel"])
        return real(*args, **kwargs)

    monkeypatch.setattr(ics_abm.simulation, "advance", spy)
    model = ICSModel(load_scenario(SCENARIO), seed=1, parallel=True)
    model.step()
    ICSModel(load_scenario(SCENARIO), seed=1, parallel=False).step()
    assert seen == [expected, False]


def test_run_gives_the_same_numbers_whichever_kernel_is_chosen(monkeypatch):
    scenario = load_scenario(SCENARIO)
    serial = run(scenario, seed=5, steps=36, parallel=False)
    monkeypatch.setenv(PARALLEL_MIN_ARCS_ENV, "0")  # the parallel step even for 25 organisations, busy or not
    monkeypatch.setattr(dispatch, "threads", lambda: 2)
    parallel = run(scenario, seed=5, steps=36, parallel=True)
    for name in ("system", "trust_by_kind", "organisations"):
        a, b = getattr(serial, name), getattr(parallel, name)
        numeric = a.select_dtypes("number").columns
        assert np.array_equal(a[numeric].to_numpy().view(np.uint64), b[numeric].to_numpy().view(np.uint64)), name
