"""Hypothesis strategies for bad input (issue 15): mutated scenario and sweep files, CLI options, API arguments.

A mutation starts from a real file (a shipped scenario, or a small sweep) and breaks it the way a
hostile tester would: a value replaced by one of the wrong type, out of range, huge, deeply nested
or malformed; an unknown key; a line deleted or a header duplicated; the file cut short; stray
characters or bytes; CR-only or CR LF line endings. Most results are invalid, some stay valid:
both matter (an accepted file must run).
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
#: The shipped scenarios, smallest first (mutations of any of them).
SCENARIOS = sorted((REPO / "scenarios").glob("*.toml"), key=lambda p: p.stat().st_size)
SCENARIO_TEXTS = [p.read_text(encoding="utf-8") for p in SCENARIOS]

#: A small sweep on ``tiny.toml``: 2 policies x 2 samples x 2 replicates of 2 months.
SWEEP = """\
[sweep]
name = "fuzz"
scenario = "tiny.toml"
steps = 2
replicates = 2
root_seed = 1
batch_size = 2

[constants]
"finance.stake_share" = 0.004

[levers]
"regulation.regime" = ["misaligned", "single"]

[uncertainties]
design = "lhs"
samples = 2

[uncertainties.ranges]
"legacy.strength" = [0.0, 1.0]
"""

#: TOML values of every kind that a field should not (or should only just) accept.
_SPECIAL_VALUES = [
    "-1", "0", "1", "2", "3", "-0.0", "0.5", "1.5", "1e308", "-1e308", "inf", "-inf", "nan", "true", "false",
    '""', '" "', '"x"', '"acute"', "[]", "[1, 2]", '[1, "a"]', "{}", "{a = 1}", "1979-05-27", "07:32:00",
    str(2**63), str(2**64), str(2**64 - 1), str(-(2**64)), "10_000_000", "1000000000", "0x7fffffffffffffffff",
    "1" + "0" * 5000, "[" * 600 + "]" * 600, "{a = " * 300 + "1" + "}" * 300, '"\\u0000"', "'''\n'''",
]
_VALUE_LINE = re.compile(r"^(?P<key>\s*[A-Za-z0-9_\"./-]+\s*=\s*)(?P<value>[^#\n]*?)(?P<rest>\s*(#.*)?)$", re.M)

_COUNT_LINE = re.compile(r"^(?P<kind>acute|primary_care_network|commissioner|community_mental_health|local_authority|"
                         r"voluntary_sector)\s*=\s*\d+", re.M)

values = st.one_of(
    st.sampled_from(_SPECIAL_VALUES),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(max_size=12).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
)
#: Characters a file should not hold: control characters, quotes, brackets, stray Unicode.
junk = st.text(alphabet=st.sampled_from(list("\x00\x01\x7f\t\r\n\"'[]{}=#.,\\ é€\ufeff\U0001f600")), min_size=1,
               max_size=8)


@st.composite
def _mutate(draw, text: str) -> str:
    kind = draw(st.sampled_from(["value", "value", "value", "unknown", "delete", "truncate", "junk", "endings",
                                 "header", "deep", "no organisations"]))
    lines = text.split("\n")
    if kind == "value":
        matches = list(_VALUE_LINE.finditer(text))
        if matches:
            match = draw(st.sampled_from(matches))
            return text[: match.start("value")] + draw(values) + text[match.end("value"):]
        return text
    if kind == "unknown":
        at = draw(st.integers(0, len(lines)))
        return "\n".join([*lines[:at], f"{draw(st.sampled_from(['bogus', 'gain_rat', 'acute', 'x.y']))} = 1",
                          *lines[at:]])
    if kind == "delete":
        at = draw(st.integers(0, max(0, len(lines) - 1)))
        return "\n".join(lines[:at] + lines[at + 1:])
    if kind == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if kind == "junk":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(junk) + text[at:]
    if kind == "endings":
        return text.replace("\n", draw(st.sampled_from(["\r", "\r\n"])))
    if kind == "header":
        headers = [line for line in lines if line.startswith("[")]
        return text + "\n" + (draw(st.sampled_from(headers)) if headers else "[scenario]") + "\n"
    if kind == "deep":
        depth = draw(st.sampled_from([20, 40, 600, 3000]))
        return text + "\n[" + ".".join(["a"] * depth) + "]\n"
    if "[organisations]" not in text:
        return text + "\n[organisations]\nacute = 0\n"
    return _COUNT_LINE.sub(r"\g<kind> = 0", text)  # every count 0: an empty system


@st.composite
def mutated(draw, texts: list[str]) -> bytes:
    """One of ``texts`` with one to three mutations, as bytes (sometimes not UTF-8)."""
    text = draw(st.sampled_from(texts))
    for _ in range(draw(st.integers(1, 3))):
        text = draw(_mutate(text))
    data = text.encode("utf-8", errors="surrogatepass")
    if draw(st.integers(0, 19)) == 0:  # now and then a byte that is not UTF-8
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"])) + data[at:]
    return data


scenario_files = mutated(SCENARIO_TEXTS[:8])  # the smaller shipped files: quicker, and every section appears
sweep_files = mutated([SWEEP])

#: What a user might type for a whole-number option.
option_values = st.one_of(
    st.sampled_from(["-1", "0", "1", "2", "abc", "1.5", "", " ", "1e3", "\x00", str(2**64), str(2**64 - 1),
                     str(10**30), "0x10", "--seed"]),
    st.integers(min_value=-(2**66), max_value=2**66).map(str),
)
#: What a user might give as an output folder (relative to a scratch folder).
out_values = st.sampled_from(["out", "", " ", "a\x00b", "deep/er/out", "tiny.toml", "."])


@st.composite
def cli_arguments(draw) -> list[str]:
    """An ``ics-abm`` command line (after the program name), most of them wrong somewhere."""
    command = draw(st.sampled_from(["run", "sweep", "validate", "compare", "demo"]))
    if command == "validate":
        return ["validate", *draw(st.lists(st.sampled_from(["tiny.toml", "missing.toml", "", ".", "a\x00b"]),
                                           min_size=0, max_size=3))]
    options = {
        "run": ["--seed", "--steps", "--out", "--force", "--parallel", "--bogus", "--allow-large"],
        "sweep": ["--workers", "--scheduler", "--out", "--resume", "--dry-run", "--bogus", "--progress"],
        "compare": ["--replicates", "--steps", "--seed", "--out", "--bogus"],
        "demo": ["--port", "--host", "--presets", "--bogus"],
    }[command]
    positional = {"run": ["tiny.toml"], "sweep": ["sweep.toml"], "compare": ["tiny.toml", "tiny.toml"],
                  "demo": ["tiny.toml"]}[command]
    argv = [command, *draw(st.sampled_from([positional, [], ["missing.toml"], positional * 2]))]
    for option in draw(st.lists(st.sampled_from(options), max_size=4)):
        argv.append(option)
        if option in ("--out", "--presets"):
            argv.append(draw(out_values))
        elif option in ("--scheduler", "--host"):
            argv.append(draw(st.sampled_from(["not-an-address", "tcp://127.0.0.1:9", "", "192.0.2.1", "::1"])))
        elif option not in ("--force", "--parallel", "--resume", "--dry-run", "--bogus", "--progress",
                            "--allow-large"):
            argv.append(draw(option_values))
    return argv


#: Anything at all, as an argument of the Python API.
anything = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=6), st.binary(max_size=4),
    st.lists(st.integers(0, 3), max_size=2), st.sampled_from([2**64 - 1, 2**64, 3, 0, -1, 1.0, "3", True]),
)
