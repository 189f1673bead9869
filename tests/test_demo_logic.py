"""The demo's logic without a browser: presets, levers, the demo model, snapshots, what-if
branching, export, pictures drawn in place, the HTML tables and the ``ics-abm demo`` command."""

from __future__ import annotations

import datetime
import html
import re
import socket
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from ics_abm import ICSModel
from ics_abm.cli import app
from ics_abm.demo import export as export_module
from ics_abm.demo.branching import OUTCOMES, WHAT_IFS, branch, compare, replicate_key
from ics_abm.demo.export import export_session
from ics_abm.demo.layout import stable_layout
from ics_abm.demo.levers import (
    AS_PRESET,
    LEVER_CONTROLS,
    REGIME_CHOICES,
    Levers,
    apply_levers,
    describe_levers,
    lever_text,
)
from ics_abm.demo.presets import GROUP_TITLES, find_catalogue
from ics_abm.demo.server import OFFLINE_CDN, solara_environment
from ics_abm.demo.session import DEMO_EVENTS, DemoModel, parse_seed
from ics_abm.demo.snapshot import take_snapshot
from ics_abm.demo.svg import TRUST_COLOURS, network_svg, nice_ticks, trust_colour
from ics_abm.demo.tables import LEGEND_NAMES, futures_html, headline_html, money, network_legend_html
from ics_abm.demo.views import LIVE_PANELS, charts_html, futures_charts_html
from ics_abm.demo.wording import HEADLINES, cue, headline_items
from ics_abm.engine.events import EVENT_KINDS
from ics_abm.scenario.catalog import list_scenarios
from ics_abm.scenario.errors import ScenarioError
from ics_abm.scenario.kinds import KIND_DEFAULTS, KIND_LABELS, KINDS
from ics_abm.scenario.loading import load_scenario

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
SMALL = """\
[scenario]
name = "{name}"
description = "A small system for the demo's tests."

[organisations]
acute = 2
primary_care_network = 3
commissioner = 1
community_mental_health = 1
local_authority = 2
voluntary_sector = 3
"""


@pytest.fixture
def presets(tmp_path) -> Path:
    folder = tmp_path / "presets"
    folder.mkdir()
    for name in ("default", "alpha", "zeta"):
        (folder / f"{name}.toml").write_text(SMALL.format(name=name), encoding="utf-8")
    return folder


@pytest.fixture
def catalogue(presets):
    return find_catalogue(presets)


# --------------------------------------------------------------------------------------------
# Presets
# --------------------------------------------------------------------------------------------


def test_catalogue_offers_the_packaged_presets_and_the_facilitators_own(presets):
    (presets / "broken.toml").write_text('[scenario]\nname = "broken"\n[trust]\ngain_rat = 0.1\n', encoding="utf-8")
    catalogue = find_catalogue(presets)
    packaged = [entry.name for entry in list_scenarios()]
    assert sorted(catalogue.names) == sorted({*packaged, "alpha", "zeta"})  # default once: theirs replaces ours
    assert catalogue.start.name == "default" and catalogue.start.path == presets / "default.toml"
    assert [p.group for p in catalogue.presets if p.name in ("alpha", "zeta")] == ["custom", "custom"]
    assert len(catalogue.problems) == 1 and "broken.toml" in catalogue.problems[0]
    assert "gain_rat" in catalogue.problems[0]


def test_catalogue_puts_the_start_scenario_first_even_from_elsewhere(presets, tmp_path):
    # The start scenario first, then the scenario catalogue's order (by group, then by name).
    names = find_catalogue(presets, presets / "zeta.toml").names
    assert names[0] == "zeta" and names.count("zeta") == 1
    outside = tmp_path / "alpha.toml"  # same name as a preset: told apart
    outside.write_text(SMALL.format(name="other"), encoding="utf-8")
    catalogue = find_catalogue(presets, outside)
    assert catalogue.names[0] == "alpha (2)" and "alpha" in catalogue.names
    assert catalogue.start.path == outside


def test_catalogue_refuses_a_bad_start_file_and_an_empty_folder(presets, tmp_path):
    with pytest.raises(ScenarioError, match="missing.toml: file not found"):
        find_catalogue(presets, tmp_path / "missing.toml")
    with pytest.raises(ScenarioError, match="is not a folder"):
        find_catalogue(tmp_path / "empty")
    (tmp_path / "empty").mkdir()  # an empty folder of one's own: the packaged presets alone
    assert find_catalogue(tmp_path / "empty").names == [entry.name for entry in list_scenarios()]


def test_the_shipped_scenarios_are_all_offered():
    catalogue = find_catalogue(SCENARIOS)
    assert catalogue.problems == ()
    assert sorted(catalogue.names) == sorted(path.stem for path in SCENARIOS.glob("*.toml"))
    assert catalogue.start.name == "default"


def test_the_shipped_presets_are_grouped_described_and_offered_once():
    catalogue = find_catalogue(SCENARIOS)
    entries = list_scenarios()
    assert catalogue.names == [entry.name for entry in entries], "the catalogue's scenarios, in its order"
    assert catalogue.groups == ["core", "ics", "regulation", "finance", "facilitator"]
    assert len(set(catalogue.labels)) == len(catalogue.labels)
    assert all(label.startswith(GROUP_TITLES[p.group] + " · ") for label, p in zip(catalogue.labels, catalogue.presets,
                                                                                strict=True))
    assert all(preset.description.strip() for preset in catalogue.presets), "every preset has a description"
    aliases = {alias for entry in entries for alias in entry.aliases}
    assert aliases and not aliases & set(catalogue.names), "duplicate files are aliases, not offered twice"
    assert catalogue.name_of(catalogue.label_of("default")) == "default"


# --------------------------------------------------------------------------------------------
# Levers
# --------------------------------------------------------------------------------------------


def test_neutral_levers_leave_the_preset_exactly():
    scenario = load_scenario(SCENARIOS / "default.toml")
    assert apply_levers(scenario, Levers()) is scenario
    assert describe_levers(Levers()) == []


def test_levers_move_the_regulators_and_the_legacy_within_bounds():
    scenario = load_scenario(SCENARIOS / "default.toml")
    changed = apply_levers(scenario, Levers(regime="aligned", focus_shift=0.5, legacy_shift=-1.0))
    before, after = scenario.regulation, changed.regulation
    assert after.regime == "aligned"
    assert after.provider_focus == pytest.approx(before.provider_focus + 0.5)
    assert after.system_focus == 1.0  # 0.8 + 0.5, clipped
    assert changed.legacy.strength == 0.0
    assert describe_levers(Levers(regime="aligned", legacy_shift=-1.0)) == [
        "regulators: two regulators, one message", "old competition habits −1.00 weaker (0 to 1 scale)"]


def test_motive_mix_moves_power_to_affiliation_for_every_kind_keeping_the_total():
    scenario = load_scenario(SCENARIOS / "default.toml")
    for mix in (0.4, -0.4):
        changed = apply_levers(scenario, Levers(motive_mix=mix))
        for kind in KINDS:
            default, given = KIND_DEFAULTS[kind], getattr(changed.kinds, kind)
            assert given.power + given.affiliation == pytest.approx(default.power + default.affiliation)
            if mix > 0:
                assert given.power == pytest.approx(default.power * (1 - mix))
            else:
                assert given.affiliation == pytest.approx(default.affiliation * (1 + mix))
            assert given.achievement is None  # untouched: the kind's default


def test_altruism_and_budget_pressure_shift_every_kind():
    scenario = load_scenario(SCENARIOS / "default.toml")
    changed = apply_levers(scenario, Levers(altruism_shift=0.5, budget_pressure=2.0))
    for kind in KINDS:
        default, given = KIND_DEFAULTS[kind], getattr(changed.kinds, kind)
        assert given.altruism == pytest.approx(min(1.0, default.altruism + 0.5))
        assert given.cost_pressure == pytest.approx(default.cost_pressure + 0.02)  # percentage points


def test_bad_levers_are_refused():
    with pytest.raises(ValueError, match="regime must be"):
        Levers(regime="anarchy")
    with pytest.raises(ValueError, match=r"motive_mix must be a number in \[-1, 1\]"):
        Levers(motive_mix=1.5)


def test_every_lever_has_a_control_within_its_bounds():
    assert LEVER_CONTROLS["regime"]["values"][0] == AS_PRESET
    for name, control in LEVER_CONTROLS.items():
        if control["type"] == "SliderFloat":
            Levers(**{name: control["min"]})  # the extremes are valid levers
            Levers(**{name: control["max"]})
            assert control["value"] == getattr(Levers(), name)
            assert control["min"] == -control["max"], f"{name}: neutral must be in the middle of the slider"
            assert lever_text(name, control["value"]) == "as preset"
    assert set(REGIME_CHOICES.values()) == set(LEVER_CONTROLS["regime"]["values"])
    assert lever_text("budget_pressure", 1.5) == "+1.5 % a year"
    assert lever_text("focus_shift", -0.25) == "−0.25 towards each organisation"


# --------------------------------------------------------------------------------------------
# The demo model
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "seed", "warned"), [
    ("7", 7, False), (" 12 ", 12, False), (3, 3, False), ("-1", 0, True), ("1.5", 0, True), ("", 0, True),
    ("abc", 0, True), ("٣", 0, True),
])
def test_the_seed_field_takes_whole_numbers_only(text, seed, warned):
    value, warning = parse_seed(text)
    assert value == seed and (warning is not None) == warned


def test_the_demo_model_is_the_model_of_its_preset_levers_and_seed(catalogue):
    levers = Levers(regime="single", motive_mix=0.3)
    demo = DemoModel(catalogue, "alpha", seed="5", regime="single", motive_mix=0.3)
    plain = ICSModel(apply_levers(catalogue.get("alpha").load(), levers), seed=5)
    for _ in range(6):
        demo.step()
        plain.step()
    assert demo.history().equals(plain.history())
    assert demo.preset.name == "alpha" and demo.levers == levers and demo.warnings == []


def test_a_bad_seed_gives_seed_0_and_says_so_and_a_bad_preset_is_refused(catalogue):
    model = DemoModel(catalogue, seed="x")
    assert model.seed == 0 and "Seed 'x' is not a whole number" in model.warnings[0]
    with pytest.raises(KeyError, match="no preset 'nope'"):
        DemoModel(catalogue, "nope")


def test_event_buttons_are_events_of_the_model():
    assert set(DEMO_EVENTS) <= set(EVENT_KINDS)
    assert len(DEMO_EVENTS) == 6


def test_an_injected_event_is_logged_and_changes_the_next_month(catalogue):
    shocked, calm = DemoModel(catalogue), DemoModel(catalogue)
    for model in (shocked, calm):
        model.step()
    shocked.inject("financial_shock")
    assert shocked.event_log[-1]["kind"] == "financial_shock" and shocked.event_log[-1]["month"] == 2
    shocked.step()
    calm.step()
    assert shocked.history()["system_balance"].iloc[-1] < calm.history()["system_balance"].iloc[-1]


# --------------------------------------------------------------------------------------------
# Snapshot and layout
# --------------------------------------------------------------------------------------------


def test_snapshot_agrees_with_the_agents_view(catalogue):
    model = DemoModel(catalogue)
    for _ in range(3):
        model.step()
    snap = take_snapshot(model)
    assert snap.month == 3 and len(snap.system) == 3
    assert set(snap.trust_by_kind["step"]) == {3}
    for (i, j), trust, mutual in zip(snap.edges, snap.edge_trust, snap.edge_mutual, strict=True):
        a, b = model.organisation(i), model.organisation(j)
        assert i < j
        assert trust == pytest.approx((a.trust_in(b) + b.trust_in(a)) / 2)
        assert mutual == (a.collaborates_with(b) and b.collaborates_with(a))
    n_relationships = sum(len(model.organisation(i).partners) for i in range(len(snap.kinds))) // 2
    assert len(snap.edges) == n_relationships


def test_layout_is_deterministic_and_fits_the_frame(catalogue):
    model = DemoModel(catalogue)
    again = stable_layout(model.network, model.organisations.kind)
    assert np.array_equal(model.positions, again)
    assert model.positions.shape == (len(model.organisations.kind), 2)
    assert np.abs(model.positions).max() == pytest.approx(1.0)
    import networkx as nx

    assert stable_layout(nx.Graph(), np.zeros(0, dtype=np.int64)).shape == (0, 2)
    lonely = nx.Graph()
    lonely.add_nodes_from(range(3))
    assert np.isfinite(stable_layout(lonely, np.array([0, 1, 2]))).all()


# --------------------------------------------------------------------------------------------
# What-if branching
# --------------------------------------------------------------------------------------------


def test_two_unchanged_futures_are_identical_and_match_the_model_run_on(catalogue):
    model = DemoModel(catalogue)
    for _ in range(4):
        model.step()
    before = model.history()
    result = branch(model, "carry_on", "carry_on", months=6, seeds=5)
    first, second = result.first.model.history(), result.second.model.history()
    assert result.start_month == 4 and len(first) == 10 and result.seeds == 5
    assert first.equals(second), "same state and same luck: the futures must not differ"
    assert result.identical
    assert "No difference: the two futures are identical in every run." in futures_html(result, compare(result))
    assert model.history().equals(before) and model.months_simulated == 4, "the running model is untouched"
    for _ in range(6):
        model.step()
    assert model.history().equals(first), "replicate 0 has the future randomness of the model it came from"
    assert np.array_equal(result.first.paths["mean_trust"][0], first["mean_trust"].to_numpy()[4:])


def test_replicates_differ_by_luck_and_share_it_between_the_futures(catalogue):
    model = DemoModel(catalogue)
    for _ in range(3):
        model.step()
    result = branch(model, "carry_on", "align", months=8, seeds=6)
    trust_a, trust_b = result.first.paths["mean_trust"], result.second.paths["mean_trust"]
    assert trust_a.shape == trust_b.shape == (6, 8)
    assert len({tuple(row) for row in trust_a}) == 6, "each replicate has its own luck"
    # Common random numbers: replicate r of A and of B use the same run key, and a fork with
    # that key and no change reproduces A's replicate r exactly.
    again = branch(model, "carry_on", "carry_on", months=8, seeds=6)
    assert np.array_equal(again.first.paths["mean_trust"], trust_a), "the same fork gives the same replicates"
    assert replicate_key(123, 0) == 123 and replicate_key(123, 1) != replicate_key(123, 2) < 2**63
    assert not result.identical


def test_a_change_at_the_fork_changes_only_the_future(catalogue):
    model = DemoModel(catalogue)
    for _ in range(3):
        model.step()
    result = branch(model, "carry_on", "align", months=12, seeds=4)
    first, second = result.first.model.history(), result.second.model.history()
    assert first.iloc[:3].equals(second.iloc[:3])
    assert not first.iloc[3:].equals(second.iloc[3:])
    assert result.second.model.event_log[-1] == {"month": 4, "kind": "set_values",
                                                 "options": {"regulation.regime": "aligned"}}
    assert result.second.model.scenario_config.regulation.regime == "aligned"
    assert model.scenario_config.regulation.regime == "misaligned"
    table = compare(result)
    assert list(table.columns) == ["A", "B", "B - A", "low", "high", "B higher", "B better"]
    label = OUTCOMES["mean_trust"]
    a_end, b_end = result.first.paths["mean_trust"][:, -1], result.second.paths["mean_trust"][:, -1]
    assert table.loc[label, "A"] == np.median(a_end) and table.loc[label, "B"] == np.median(b_end)
    assert table.loc[label, "low"] <= table.loc[label, "B - A"] <= table.loc[label, "high"]
    assert table.loc[label, "B higher"] == int(np.sum(b_end > a_end))
    assert table.loc[label, "B better"] == table.loc[label, "B higher"]  # more trust is better
    # Fewer organisations in deficit is better: "B better" counts the runs where B has fewer.
    deficit = OUTCOMES["n_deficit"]
    a_deficit, b_deficit = result.first.paths["n_deficit"][:, -1], result.second.paths["n_deficit"][:, -1]
    assert table.loc[deficit, "B better"] == int(np.sum(b_deficit < a_deficit))
    assert table.loc[deficit, "B higher"] == int(np.sum(b_deficit > a_deficit))
    words = futures_html(result, compare(result))
    assert "No difference" not in words and f"of {result.seeds}" in words


def test_the_futures_charts_have_honest_axes_and_bands(catalogue):
    model = DemoModel(catalogue)
    model.step()
    result = branch(model, "carry_on", "financial_shock", months=6, seeds=5)
    charts = futures_charts_html(result)
    assert charts.count("<svg class='ics-future-chart'") == 4
    assert charts.count("fill-opacity='0.22'") == 8, "a band per future per chart"
    assert "starts at zero" in charts
    # Every chart's lowest tick is 0 (shares, trust, counts) or below it (money).
    for svg in re.findall(r"<svg class='ics-future-chart'.*?</svg>", charts):
        ticks = [float(t.replace("−", "-").replace(",", "")) for t in re.findall(r"text-anchor='end' fill='#444'>([^<]+)<", svg)
                 if t != "month"]
        assert min(ticks) <= 0.0


def test_every_what_if_can_be_made(catalogue):
    model = DemoModel(catalogue)
    model.step()
    for key in WHAT_IFS:
        result = branch(model, key, "carry_on", months=1, seeds=2)
        assert result.first.model.months_simulated == 2


def test_branch_refuses_bad_input(catalogue):
    model = DemoModel(catalogue)
    with pytest.raises(ValueError, match="months must be"):
        branch(model, months=0)
    with pytest.raises(ValueError, match="seeds must be"):
        branch(model, seeds=0)
    with pytest.raises(KeyError):
        branch(model, "carry_on", "revolution")


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------

SAVED = datetime.datetime(2026, 1, 2, 3, 4, 5)


def _session(catalogue):
    model = DemoModel(catalogue, "alpha", seed=3, legacy_shift=-0.2)
    for _ in range(2):
        model.step()
    model.inject("winter_pressure")
    for _ in range(2):
        model.step()
    return model


def test_export_writes_pictures_and_a_summary_of_settings_events_and_outcomes(catalogue, tmp_path):
    model = _session(catalogue)
    result = export_session(model, tmp_path / "out", branch(model, "carry_on", "align", 6, seeds=3), saved=SAVED)
    assert result.directory.name == "session-20260102-030405-alpha-seed3-month4"
    assert sorted(p.name for p in result.directory.iterdir()) == ["charts.png", "futures.png", "network.png",
                                                                  "summary.md"]
    assert result.files[0].name == "summary.md"
    for path in result.files[1:]:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = result.files[0].read_text(encoding="utf-8")
    last = model.history().iloc[-1]
    assert summary.startswith("# ICS demo session: alpha, seed 3, month 4\n")
    assert "Saved 2026-01-02 03:04." in summary
    assert "- Levers: old competition habits −0.20 weaker (0 to 1 scale)" in summary
    assert "- Competition legacy: 0.30" in summary
    assert "| 3 | winter pressure | size = 1.0 |" in summary
    label = OUTCOMES["mean_trust"]
    assert f"| {label} | {model.history()['mean_trust'].iloc[0]:,.2f} | {last['mean_trust']:,.2f} |" in summary
    assert str(tmp_path) not in summary and "Preset file: `alpha.toml`." in summary, "no absolute paths"
    assert "Forked at month 4 and run for 6 months" in summary and "- **B**: Align the regulators now" in summary
    assert "![Two futures](futures.png)" in summary


def test_export_without_futures_and_before_any_step(catalogue, tmp_path):
    model = DemoModel(catalogue)
    first = export_session(model, tmp_path / "out", saved=SAVED)
    second = export_session(model, tmp_path / "out", saved=SAVED)  # same second: a new folder, not overwritten
    assert second.directory.name == first.directory.name + "-2"
    assert sorted(p.name for p in first.directory.iterdir()) == ["charts.png", "network.png", "summary.md"]
    summary = first.files[0].read_text(encoding="utf-8")
    assert "No events were injected." in summary and "The simulation had not been stepped." in summary
    assert "Two futures" not in summary and "futures.png" not in summary


def test_a_failed_export_leaves_nothing_behind(catalogue, tmp_path, monkeypatch):
    def broken(figure, dpi=100):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_module, "to_png", broken)
    with pytest.raises(OSError):
        export_session(DemoModel(catalogue), tmp_path / "out", saved=SAVED)
    assert list((tmp_path / "out").iterdir()) == []


# --------------------------------------------------------------------------------------------
# Pictures redrawn in place, tables
# --------------------------------------------------------------------------------------------


def test_the_network_svg_draws_every_relationship_and_organisation(catalogue):
    model = DemoModel(catalogue)
    for _ in range(3):
        model.step()
    model.inject("local_authority_walks_away")
    snap = take_snapshot(model)
    svg = network_svg(snap)
    assert svg.count("<line ") == len(snap.edges) and svg.count("<circle ") == len(snap.kinds)
    colours = set(re.findall(r"stroke='(#[0-9a-f]{6})' stroke-width", svg))
    assert colours <= set(TRUST_COLOURS), "relationships use the colour-blind-safe trust scale"
    assert svg.count("stroke-width='3.2'") == int(snap.edge_mutual.sum())
    assert trust_colour(0.0) == TRUST_COLOURS[0] and trust_colour(2.0) == TRUST_COLOURS[-1]


def test_live_charts_start_at_zero_and_mark_events(catalogue):
    model = DemoModel(catalogue)
    model.step()
    model.inject("winter_pressure")
    model.step()
    html_ = charts_html(take_snapshot(model))
    assert html_.count("<svg class='ics-chart'") == len(LIVE_PANELS)
    assert ">winter<" in html_ and "% of relationships" in html_
    assert nice_ticks(0.0, 1.0, 3)[0] == 0.0 and nice_ticks(-3.0, 7.0, 3)[0] <= -3.0


def test_headline_numbers_are_the_model_s(catalogue):
    model = DemoModel(catalogue)
    assert "Press <b>Step</b>" in headline_html(take_snapshot(model))
    model.step()
    text = headline_html(take_snapshot(model))
    last = model.history().iloc[-1]
    for name in ("mean_trust", "system_balance", "collaboration_rate"):
        value = float(re.search(rf"data-metric='{name}' data-value='([^']+)'", text).group(1))
        assert value == last[name]
    assert money(-1.84) == "−£1.8m" and money(1234.5) == "£1,234.5m"


def test_headline_cues_say_better_or_worse_by_the_metric_s_direction(catalogue):
    assert cue("n_deficit", 3, 5) == ("▼", "better") and cue("n_deficit", 5, 3) == ("▲", "worse")
    assert cue("mean_trust", 0.4, 0.5) == ("▼", "worse") and cue("mean_trust", 0.5, 0.5) == ("=", "no change")
    model = DemoModel(catalogue)
    for _ in range(3):
        model.step()
    text = headline_html(take_snapshot(model))
    history = model.history()
    arrow, word = cue("mean_trust", history["mean_trust"].iloc[-1], history["mean_trust"].iloc[0])
    assert f"{arrow} " in text and word in text
    items = headline_items(history.iloc[0].to_dict(), history.iloc[-1].to_dict(), 12, 1)
    assert [item["name"] for item in items] == [h.name for h in HEADLINES]
    assert all(item["unit"] for item in items), "every number has a unit or a plain meaning"


def test_the_network_legend_explains_colours_sizes_and_lines(catalogue):
    model = DemoModel(catalogue)
    snap = take_snapshot(model)
    legend = network_legend_html(snap.kinds, snap.active)
    for kind in KINDS:
        assert html.escape(KIND_LABELS[kind]) in legend and html.escape(LEGEND_NAMES[kind]) in legend
    assert "Size: budget" in legend and "trust" in legend and "thick" in legend


# --------------------------------------------------------------------------------------------
# The command and the server's settings
# --------------------------------------------------------------------------------------------


def test_server_settings_keep_everything_on_this_machine():
    env = solara_environment()
    assert env["SOLARA_ASSETS_PROXY"] == "true"
    assert env["SOLARA_ASSETS_CDN"] == OFFLINE_CDN and OFFLINE_CDN.startswith("http://127.0.0.1:")
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    assert env["SOLARA_MODE"] == "production"  # no version check, no outside "success" ping


def test_demo_command_refuses_bad_input_in_one_sentence(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(app, ["demo", str(tmp_path / "missing.toml")])
    assert missing.exit_code == 2 and missing.output.strip() == f"Error: {tmp_path / 'missing.toml'}: file not found."
    port = runner.invoke(app, ["demo", str(SCENARIOS / "default.toml"), "--port", "70000"])
    assert port.exit_code == 2 and "--port must be a whole number from 1 to 65535, got 70000." in port.output
    host = runner.invoke(app, ["demo", str(SCENARIOS / "default.toml"), "--host", "no-such-host.invalid"])
    assert host.exit_code == 2 and "is not an address of this computer" in host.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        result = runner.invoke(app, ["demo", str(SCENARIOS / "default.toml"), "--port", str(taken)])
    assert result.exit_code == 2 and f"port {taken} on 127.0.0.1 is in use" in result.output


def test_demo_command_is_listed_with_its_options():
    result = CliRunner().invoke(app, ["demo", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--presets", "--out", "offline"):
        assert option in result.output
