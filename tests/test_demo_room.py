"""A room-safe demo: a join code for other computers, limited saves, no absolute paths."""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path

from typer.testing import CliRunner

from ics_abm.cli import app
from ics_abm.demo.export import SaveLimit
from ics_abm.demo.guard import CODE_ALPHABET, JoinCode, new_join_code
from ics_abm.demo.server import share_address
from ics_abm.demo.settings import DemoSettings

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


async def _demo(scope, receive, send):
    """Stands in for the demo server: answers 200 "demo" (or accepts a websocket)."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.accept"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"demo"})


def _call(guarded, *, client="192.168.1.20", path="/", method="GET", body=b"", cookie=None, kind="http"):
    headers = [(b"cookie", cookie.encode())] if cookie else []
    scope = {"type": kind, "path": path, "method": method, "headers": headers, "client": (client, 50000),
             "query_string": b""}
    sent = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(guarded(scope, receive, send))
    return sent


def _status(sent):
    return sent[0].get("status") if sent[0]["type"] == "http.response.start" else sent[0]["type"]


def test_join_codes_are_short_and_easy_to_read_out():
    codes = {new_join_code() for _ in range(50)}
    assert len(codes) > 40
    assert all(len(code) == 5 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("O0I1L5S2BZ8GQUV") & set(CODE_ALPHABET), "no characters that sound or look alike"


def test_this_computer_needs_no_code_and_others_get_the_form():
    guarded = JoinCode(_demo, "K7PXA")
    assert _call(guarded, client="127.0.0.1")[1]["body"] == b"demo"
    form = _call(guarded)
    assert _status(form) == 401 and b"join code" in form[1]["body"] and b"demo" not in form[1]["body"][-10:]
    assert _call(guarded, kind="websocket") == [{"type": "websocket.close", "code": 1008}]


def test_the_right_code_lets_a_browser_in_and_a_wrong_one_does_not():
    guarded = JoinCode(_demo, "K7PXA")
    wrong = _call(guarded, path="/join", method="POST", body=b"code=AAAAA")
    assert _status(wrong) == 403 and b"not the code" in wrong[1]["body"]
    right = _call(guarded, path="/join", method="POST", body=b"code=k7pxa")  # case does not matter
    assert _status(right) == 303
    cookie = dict(right[0]["headers"])[b"set-cookie"].decode().split(";")[0]
    assert "K7PXA" not in cookie, "the cookie is not the code itself"
    assert _call(guarded, cookie=cookie)[1]["body"] == b"demo"
    assert _call(guarded, cookie=cookie, kind="websocket")[0]["type"] == "websocket.accept"
    assert _status(_call(guarded, cookie="ics_abm_join=forged")) == 401


def test_saves_are_limited_when_serving_a_room():
    limit = SaveLimit(2)
    assert [limit.take() for _ in range(3)] == [True, True, False]
    unlimited = SaveLimit(None)
    assert all(unlimited.take() for _ in range(100))


def test_room_settings_reach_the_app_through_the_environment(monkeypatch, tmp_path):
    settings = DemoSettings(None, None, tmp_path, room_address="http://10.0.0.5:8765/  code K7PXA", max_saves=7)
    for name, value in settings.to_environment().items():
        monkeypatch.setenv(name, value)
    again = DemoSettings.from_environment()
    assert again.room_address == settings.room_address and again.max_saves == 7
    assert DemoSettings(None, None, tmp_path).to_environment()["ICS_ABM_DEMO_MAX_SAVES"] == ""


def test_the_address_to_share_is_an_address_of_this_computer():
    shown = share_address("0.0.0.0")
    try:
        assert not ipaddress.ip_address(shown).is_unspecified
    except ValueError:  # no network at all: the computer's name
        assert shown
    assert share_address("192.168.7.7") == "192.168.7.7"


def test_max_saves_must_be_a_whole_number():
    result = CliRunner().invoke(app, ["demo", str(SCENARIOS / "default.toml"), "--max-saves", "-1"])
    assert result.exit_code == 2 and "--max-saves must be a whole number >= 0, got -1." in result.output
