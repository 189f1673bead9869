"""Bad calibration configs (issue 11): a hypothesis fuzzer of ``read_config`` and ``ics-abm calibrate``.

Configs are mutations of a good one (``GOOD`` of tests/test_calibrate.py): fields of the wrong
type, missing or extra fields and sections, values out of range, unknown patterns, priors on paths
that are not real-valued parameters or with ranges the scenario refuses, base scenarios that are
missing, not scenarios or not files, and garbage TOML (the text mutations of the bad-input fuzzer,
tests/bad_input_strategies.py). The property: **either** ``read_config`` raises a
``CalibrationError`` whose text is one sentence naming the file (and the field, with what was
expected), and ``ics-abm calibrate`` exits with 2, prints that one line and writes nothing to
``--out``; **or** the config is accepted and it runs: its prior can be sampled (a finite box),
and ``PatternModel`` evaluates the prior's lower and upper corners to one statistic per pattern
and a finite distance (runs cut to at most 36 months and 2 seeds: what is checked is that the
parameters run). A few accepted configs also go through a whole tiny ``ics-abm calibrate``.

Examples found by the fuzzer are kept in :data:`FOUND` (fixed in ``config.py``).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, reject, settings
from hypothesis import strategies as st

from ics_abm.experiments.calibration import CalibrationError, distance, load_calibration, read_config
from ics_abm.experiments.calibration.patterns import PATTERNS
from ics_abm.experiments.validation.robustness import assumption_paths
from ics_abm.limits import MAX_ROOT_SEED
from tests.bad_input import TINY, invoke
from tests.bad_input_strategies import mutated, values

pytest.importorskip("pyabc")

_SETTINGS = {"deadline": None, "derandomize": False,
             "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}

#: The good config of tests/test_calibrate.py, as TOML snippets per field (rendered by :func:`render`).
GOOD = {
    "calibration": {"name": '"t"', "scenario": '"default"', "steps": "24", "seeds": "2", "population_size": "4",
                    "generations": "2", "root_seed": "3",
                    "patterns": '["trust_rises_year1", "setbacks", "interventions_fall"]'},
    "prior": {"trust.gain_rate": {"range": "[0.075, 0.3]", "reason": '"test"'}},
}
_NUMERIC = [path for path, _ in assumption_paths()]
#: Prior paths: real-valued parameters, and paths that are not (whole numbers, text, true/false,
#: sections, unknown names, the run's own settings, pair and kind tables with unknown keys).
PRIOR_PATHS = st.one_of(st.sampled_from(_NUMERIC), st.sampled_from([
    "organisations.acute", "regulation.regime", "finance.regime", "scenario.seed", "scenario.steps", "trust",
    "trust.gain_rat", "trust.gain_rate.x", "", " ", ".", "kinds.acute.altruism", "kinds.martian.altruism",
    "network.tie_probability.acute/voluntary_sector", "network.tie_probability.acute/martian", "events",
    "commitment.unwilling", "Trust.Gain_Rate"]))
_NUMBERS = ["-1", "-0.0", "0", "0.001", "0.075", "0.3", "0.5", "1", "1.5", "2", "100", "1e308", "-1e308", "inf",
            "nan", "5e-324"]
RANGES = st.one_of(
    st.tuples(st.sampled_from(_NUMBERS), st.sampled_from(_NUMBERS)).map(lambda p: f"[{p[0]}, {p[1]}]"),
    st.sampled_from(["[]", "[0.1]", "[0.1, 0.2, 0.3]", '["0.1", 0.2]', "[true, 0.3]", "0.2", '"0.1-0.2"',
                     "{low = 0.1, high = 0.2}", "[[0.1], [0.2]]"]))


def field_bounds(path: str) -> tuple[float, float]:
    """The bounds the scenario schema puts on a real-valued field (an open bound nudged inside; none: 1e308)."""
    from ics_abm.scenario.schema import Scenario

    schema = Scenario.model_json_schema()
    node = schema
    for part in path.split("."):
        node = node["properties"][part] if part in node.get("properties", {}) else node["additionalProperties"]
        while "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    node = next((n for n in node.get("anyOf", [node]) if n.get("type") == "number"), node)
    low = node.get("minimum", node.get("exclusiveMinimum", -1e308))
    high = node.get("maximum", node.get("exclusiveMaximum", 1e308))
    low = math.nextafter(low, math.inf) if "exclusiveMinimum" in node else low
    high = math.nextafter(high, -math.inf) if "exclusiveMaximum" in node else high
    return float(low), float(high)


@st.composite
def edge_ranges(draw, path: str) -> str:
    """A range at the edges of what the field allows: the whole of it, or its lower or upper part."""
    low, high = field_bounds(path)
    middle = low / 2 + high / 2
    low, high = draw(st.sampled_from([(low, high), (low, middle), (middle, high)]))
    return f"[{low!r}, {high!r}]"


_PATTERN_NAMES = [*PATTERNS, "setback", "", "SETBACKS"]
PATTERN_LISTS = st.one_of(
    st.lists(st.sampled_from(_PATTERN_NAMES), max_size=4).map(json.dumps),
    st.sampled_from(['"setbacks"', "[1, 2]", '["setbacks", 3]', "[[]]"]))
EPSILONS = st.lists(st.sampled_from(["-1", "-0.0", "0", "0.5", "3", "30", "1e308", "inf", "nan", '"a"', "true"]),
                    max_size=3).map(lambda v: "[" + ", ".join(v) + "]")
#: Base scenarios: shipped names, good and bad files next to the config (see :func:`_scratch`),
#: missing files, folders, odd names.
SCENARIOS = st.sampled_from(['"default"', '"ics_dorset"', '"DEFAULT"', '"tiny.toml"', '"garbage.toml"',
                             '"fuzzed.toml"', '"nowhere.toml"', '"."', '"/"', '""', '" "', '"../tiny.toml"',
                             '"sub"', '"a\\u0000b"', '"notes.txt"', "3", "[]"])
FIELD_VALUES = {"steps": st.sampled_from(["23", "24", "1200", "1201", "24.0", "-24"]),
                "seeds": st.sampled_from(["0", "1", "10000", "10001", "2.5"]),
                "population_size": st.sampled_from(["1", "2", "1000000", "1000001"]),
                "generations": st.sampled_from(["0", "1", "1000", "1001"]),
                "root_seed": st.sampled_from(["-1", "0", str(MAX_ROOT_SEED), str(MAX_ROOT_SEED + 1), "1.0"]),
                "minimum_epsilon": st.sampled_from(["-0.5", "0", "0.5", "1", "inf", "nan"]),
                "name": st.sampled_from(['""', '" "', '"x y"', '"é"', "1"]), "description": values,
                "patterns": PATTERN_LISTS, "epsilon": EPSILONS, "scenario": SCENARIOS}


def render(config: dict) -> str:
    """TOML text of a config given as snippets: ``{section: {key: snippet}}``, priors one table each."""
    lines = []
    for section, body in config.items():
        if section == "prior" and isinstance(body, dict):
            for path, fields in body.items():
                lines.append(f"[prior.{json.dumps(path)}]")
                lines += [f"{key} = {snippet}" for key, snippet in fields.items()] if isinstance(fields, dict) else []
        elif isinstance(body, dict):
            lines.append(f"[{section}]")
            lines += [f"{json.dumps(key)} = {snippet}" for key, snippet in body.items()]
        else:
            lines.append(f"{section} = {body}")
    return "\n".join(lines) + "\n"


@st.composite
def mutate(draw, config: dict) -> dict:
    """One structural mutation of ``config`` (a deep copy is returned)."""
    config = json.loads(json.dumps(config))
    # A section replaced by a scalar by an earlier mutation is left alone by the later ones.
    section = config["calibration"] if isinstance(config.get("calibration"), dict) else {}
    prior = config["prior"] if isinstance(config.get("prior"), dict) else {}
    kind = draw(st.sampled_from(["field", "field", "field", "wrong type", "delete", "extra", "section",
                                 "prior path", "prior path", "prior range", "prior range", "prior field",
                                 "prior edge", "prior edge", "prior edge"]))
    if kind == "field":
        key = draw(st.sampled_from(sorted(FIELD_VALUES)))
        section[key] = draw(FIELD_VALUES[key])
    elif kind == "wrong type":
        section[draw(st.sampled_from(sorted(FIELD_VALUES)))] = draw(values)
    elif kind == "delete" and section:
        del section[draw(st.sampled_from(sorted(section)))]
    elif kind == "extra":
        section[draw(st.sampled_from(["bogus", "step", "workers", "prior"]))] = draw(values)
    elif kind == "section":
        what = draw(st.sampled_from(["drop calibration", "drop prior", "empty prior", "extra", "scalar"]))
        if what == "drop calibration":
            config.pop("calibration", None)
        elif what in ("drop prior", "empty prior"):
            config.pop("prior", None)
            if what == "empty prior":
                config["prior"] = "{}"
        elif what == "extra":
            config["extra"] = {"x": "1"}
        else:
            config[draw(st.sampled_from(["calibration", "prior"]))] = draw(values)
    elif kind == "prior path":
        prior = config["prior"] = prior if isinstance(config.get("prior"), dict) else {}
        fields = prior.pop(draw(st.sampled_from(sorted(prior)))) if prior and draw(st.booleans()) else None
        prior[draw(PRIOR_PATHS)] = fields or {"range": draw(RANGES), "reason": '"fuzz"'}
    elif kind == "prior edge":
        prior = config["prior"] = prior if isinstance(config.get("prior"), dict) else {}
        path = draw(st.sampled_from(_NUMERIC))
        prior[path] = {"range": draw(edge_ranges(path)), "reason": '"edge"'}
    elif kind == "prior range" and prior:
        prior[draw(st.sampled_from(sorted(prior)))]["range"] = draw(RANGES)
    elif kind == "prior field" and prior:
        fields = prior[draw(st.sampled_from(sorted(prior)))]
        choice = draw(st.sampled_from(["no reason", "blank reason", "reason type", "extra", "no range"]))
        if choice in ("no reason", "no range"):
            fields.pop(choice.split()[1], None)
        elif choice == "extra":
            fields[draw(st.sampled_from(["shape", "Range", "default"]))] = draw(values)
        else:
            fields["reason"] = '"  "' if choice == "blank reason" else draw(values)
    return config


@st.composite
def configs(draw) -> bytes:
    """A good config with one to three structural mutations; now and then garbage TOML on top."""
    config = GOOD
    for _ in range(draw(st.sampled_from([1, 1, 2, 3]))):
        config = draw(mutate(config))
    text = render(config)
    if draw(st.integers(0, 4)) == 0:
        return draw(mutated([text]))
    return text.encode("utf-8")


def _scratch(folder: Path) -> None:
    """The files a fuzzed config may name: a good small scenario, garbage, a folder, a text file."""
    (folder / "tiny.toml").write_text(TINY, encoding="utf-8")
    (folder / "garbage.toml").write_text("[scenario\nname = ", encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "notes.txt").write_text("not a scenario\n", encoding="utf-8")


def assert_one_sentence(error: CalibrationError, path: Path) -> None:
    """One sentence naming the file and, for a field, the field and what was expected."""
    text = str(error)
    assert "\n" not in text and text.endswith("."), text
    assert text.startswith(f"{path}: "), text
    assert not re.search(r"[.!?] +[A-Z]", text.removeprefix(f"{path}: ")), f"more than one sentence: {text}"
    if error.field:
        assert error.field.split(".")[-1] in text or error.field.removeprefix("prior.") in text, text
        assert re.search(r"expected|required but missing|not a known field", text), text


def runs(config) -> None:
    """An accepted config runs: a finite prior box, and the prior's two corners evaluate."""
    from ics_abm.experiments.calibration.smc import PatternModel

    for path, prior in config.prior.items():
        low, high = prior.range
        assert math.isfinite(high - low) and high > low, (path, prior.range)  # pyabc samples low + U * width
    cheap = config.settings.model_copy(update={"steps": min(config.settings.steps, 36),
                                               "seeds": min(config.settings.seeds, 2)})
    model = PatternModel(dataclasses.replace(config, settings=cheap))
    for corner in (0, 1):
        stats = model({path: prior.range[corner] for path, prior in config.prior.items()})
        assert list(stats) == list(config.settings.patterns)
        assert all(isinstance(v, float) for v in stats.values()), stats
        assert math.isfinite(distance(stats)) and distance(stats) >= 0, stats


def check(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        _scratch(folder)
        path, out = folder / "fuzzed.toml", folder / "out"
        path.write_bytes(data)
        try:
            config = read_config(path)
        except CalibrationError as error:
            assert_one_sentence(error, path)
            if currently_in_test_context():
                event(f"refused: {error.field.split('.')[-1] if error.field else 'file'}")
            result = invoke("calibrate", path, "--out", out)
            assert result.exit_code == 2, (result.exit_code, result.output)
            line = result.output.strip()
            assert line == f"Error: {error}", (line, str(error))
            assert not out.exists(), "a refused config wrote to --out"
            return
        if currently_in_test_context():
            event("accepted")
        runs(config)


#: Configs the fuzzer found mishandled, each fixed in config.py: (what, text, words in the error).
FOUND = [
    ("a base scenario file that is not a scenario escaped as a ScenarioError naming that file, not the config",
     render({**GOOD, "calibration": {**GOOD["calibration"], "scenario": '"garbage.toml"'}}),
     "field 'calibration.scenario'"),
    ("the same, with a TOML file that is not a scenario (the config itself)",
     render({**GOOD, "calibration": {**GOOD["calibration"], "scenario": '"fuzzed.toml"'}}),
     "field 'calibration.scenario'"),
    ("a negative epsilon was accepted: no particle can have a negative distance, the run never ends",
     render({**GOOD, "calibration": {**GOOD["calibration"], "epsilon": "[-1.0, 0.5]"}}),
     "field 'calibration.epsilon.0' expected greater than or equal to 0"),
]


@pytest.mark.parametrize(("what", "text", "words"), FOUND, ids=[f"found-{i}" for i in range(len(FOUND))])
def test_found_by_the_fuzzer(what, text, words):
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        _scratch(folder)
        path = folder / "fuzzed.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(CalibrationError) as caught:
            read_config(path)
        assert words in str(caught.value), str(caught.value)
        check(text.encode("utf-8"))


def test_the_good_config_is_accepted_and_runs():
    """The fuzzer's starting point must pass, or every mutation is tested against a broken base."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "good.toml"
        path.write_text(render(GOOD), encoding="utf-8")
        runs(read_config(path))


@settings(max_examples=150, **_SETTINGS)
@given(configs())
def test_fuzz_a_config_is_refused_in_one_sentence_or_runs(data):
    check(data)


@st.composite
def edge_configs(draw) -> bytes:
    """The good config with one to four priors at the edges of their fields, on any patterns and seeds."""
    prior = dict(GOOD["prior"])
    for path in draw(st.lists(st.sampled_from(_NUMERIC), min_size=1, max_size=4, unique=True)):
        prior[path] = {"range": draw(edge_ranges(path)), "reason": '"edge"'}
    patterns = draw(st.lists(st.sampled_from(list(PATTERNS)), min_size=1, max_size=7, unique=True))
    calibration = {**GOOD["calibration"], "patterns": json.dumps(patterns),
                   "steps": draw(st.sampled_from(["24", "36", "1200"])), "seeds": draw(st.sampled_from(["1", "2"])),
                   "root_seed": draw(st.sampled_from(["0", str(MAX_ROOT_SEED)]))}
    return render({"calibration": calibration, "prior": prior}).encode("utf-8")


@settings(max_examples=40, **_SETTINGS)
@given(edge_configs())
def test_fuzz_priors_at_the_edges_of_their_fields_are_refused_or_run(data):
    check(data)


@st.composite
def accepted(draw) -> str:
    """Good configs varied where a config may vary: patterns, schedules, seeds, priors."""
    path, value = draw(st.sampled_from(assumption_paths()))
    value = float(value)
    width = draw(st.sampled_from([0.25, 0.5]))
    low, high = value * (1 - width), value * (1 + width)
    if not low < high:
        low, high = value - 0.05, value + 0.05
    patterns = draw(st.lists(st.sampled_from(list(PATTERNS)), min_size=1, max_size=7, unique=True))
    generations = draw(st.integers(1, 2))
    calibration = {**GOOD["calibration"], "steps": "24", "seeds": "1", "population_size": "3",
                   "generations": str(generations), "patterns": json.dumps(patterns),
                   "root_seed": str(draw(st.sampled_from([0, 3, MAX_ROOT_SEED])))}
    if draw(st.booleans()):  # a schedule every particle meets (the largest distance is below 20)
        calibration["epsilon"] = json.dumps([20.0 + k for k in range(generations)][::-1])
    return render({"calibration": calibration, "prior": {**GOOD["prior"], path: {"range": f"[{low!r}, {high!r}]",
                                                                                  "reason": '"fuzz"'}}})


@settings(max_examples=3, **_SETTINGS)
@given(accepted())
def test_accepted_configs_run_a_whole_calibration(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("accepted")
    path, out = folder / "c.toml", folder / "out"
    path.write_text(text, encoding="utf-8")
    try:
        config = read_config(path)
    except CalibrationError:
        reject()  # e.g. a default on its field's limit (socialised power 1) times 1.25: refused, not a run
    result = invoke("calibrate", path, "--out", out)
    assert result.exit_code == 0, result.output
    table = load_calibration(out)
    assert (out / "posterior.parquet").exists()
    assert table.groupby("generation").size().eq(3).all()
    for name, prior in config.prior.items():
        assert table[name].between(*prior.range).all()
