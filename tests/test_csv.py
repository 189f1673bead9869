"""The fast CSV text of a table (ics_abm.output.files.csv_text) is pandas' to_csv, character for character."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ics_abm.output.files import csv_text


def _pandas(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def _floats(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    special = [0.0, -0.0, 1e16, 1e15, 9999999999999998.0, 1e-4, 1e-5, 0.1, 1 / 3, 5e-324, 1.7976931348623157e308,
               1e22, 1e21, 2.5, np.inf, -np.inf, np.nan, 123456789012345678.0, -1e-300]
    bits = rng.integers(0, 2**62, size=n, dtype=np.int64).view(np.float64)  # every exponent
    mixed = np.concatenate([special, rng.random(n), rng.normal(0, 1e6, n), np.round(rng.random(n) * 100, 3), bits])
    return mixed[: 4 * n]


FRAMES = {
    "numbers and labels": pd.DataFrame({"option": ["a", "b-2", "base"] * 40, "replicate": np.arange(120),
                                        "value": _floats(30)}),
    "every float kind": pd.DataFrame({"x": _floats(2000, 1), "y": _floats(2000, 2)}),
    "ints": pd.DataFrame({"a": np.array([0, -1, 2**62, -(2**63)], dtype=np.int64), "b": np.arange(4)}),
    "missing strings": pd.DataFrame({"s": pd.array(["x", None, "z"], dtype="str"), "v": [1.0, np.nan, 3.0]}),
    "object strings": pd.DataFrame({"s": np.array(["é", "", "a b"], dtype=object), "n": [1, 2, 3]}),
    "no rows": pd.DataFrame({"a": np.empty(0, dtype=np.int64), "b": np.empty(0)}),
    # left to pandas:
    "quoted string": pd.DataFrame({"s": ["a,b", 'say "hi"', "two\nlines"], "n": [1, 2, 3]}),
    "one column": pd.DataFrame({"s": ["", "x"]}),
    "bools and others": pd.DataFrame({"b": [True, False], "c": pd.Categorical(["u", "v"]), "i": pd.array([1, None], dtype="Int64")}),
    "mixed objects": pd.DataFrame({"o": np.array([1, "a"], dtype=object), "n": [1.5, 2.5]}),
    "quoted header": pd.DataFrame({"a,b": [1], "c": [2]}),
}


@pytest.mark.parametrize("name", list(FRAMES))
def test_csv_text_is_pandas_to_csv(name):
    frame = FRAMES[name]
    assert csv_text(frame) == _pandas(frame)


def test_csv_text_of_a_run_and_a_comparison(tmp_path):
    from ics_abm import load_scenario, run

    result = run(load_scenario("default"), seed=1, steps=24)
    for table in (result.system, result.trust_by_kind, result.organisations):
        assert csv_text(table) == _pandas(table)
