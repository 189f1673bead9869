"""What the demo server shows to the room: only the demo, none of solara's diagnostics.

Solara's server answers a few HTTP requests meant for whoever runs it: ``/resourcez?verbose``
(every session and its state) and ``/jupyter/api/kernels/<id>`` (kernel information). On this
computer (``--host 127.0.0.1``, the default) that is harmless; served to the room (``--host
0.0.0.0``) anyone on the network could read them without a password. :class:`LocalOnly` wraps the
server's ASGI application: unless a request comes from this computer, ``/resourcez?verbose`` is
answered 404, and ``/jupyter/api/kernels/<id>`` with a fixed answer that says nothing about the
server (the browser's kernel client may ask for it, so it must still answer). The websocket the
demo itself runs over (``/jupyter/api/kernels/<id>/channels``) is left alone.

Served to the room, :class:`JoinCode` also asks every other computer for a short join code that
the facilitator reads out, so only the people in the room get in.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import ipaddress
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

__all__ = ["LocalOnly", "JoinCode", "new_join_code", "is_loopback", "is_private_path", "CODE_ALPHABET"]

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]

_KERNELS = "/jupyter/api/kernels"


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` is this computer (127.0.0.0/8, ::1 or ``localhost``)."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_private_path(path: str, query: bytes) -> bool:
    """Whether an HTTP request for ``path`` (with ``query``) is one of solara's diagnostics."""
    path = "/" + path.lstrip("/")
    if path.rstrip("/") == "/resourcez" and b"verbose" in query:
        return True
    return path.rstrip("/") == _KERNELS or path.startswith(_KERNELS + "/")


def _reply(path: str) -> tuple[int, bytes, bytes]:
    """Status, content type and body of the answer to a diagnostic request from another computer."""
    parts = path.strip("/").split("/")
    if parts[:3] == ["jupyter", "api", "kernels"] and len(parts) == 4:
        body = json.dumps({"id": parts[3][:64], "name": "python3"}).encode()
        return 200, b"application/json", body
    return 404, b"text/plain; charset=utf-8", b"Not found\n"


class LocalOnly:
    """An ASGI application: ``app``, with solara's diagnostics hidden from other computers.

    Parameters
    ----------
    app : ASGI application
        The demo server (solara's starlette app).
    """

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client") or (None, None)
        if (scope.get("type") == "http" and not is_loopback(client[0])
                and is_private_path(scope.get("path", ""), scope.get("query_string", b""))):
            status, kind, body = _reply(scope.get("path", ""))
            await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", kind)]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


#: Characters of a join code: capitals and digits that cannot be mistaken for each other when read out.
CODE_ALPHABET = "ACDEFHJKMNPRTWXY34679"
_COOKIE = "ics_abm_join"


def new_join_code(length: int = 5) -> str:
    """A random join code to read out to the room, e.g. ``"K7PXA"``."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _token(code: str) -> str:
    # What the browser keeps after the code was typed: not the code itself.
    return hashlib.sha256(f"ics-abm-demo:{code}".encode()).hexdigest()[:32]


def _cookies(scope: Scope) -> dict[str, str]:
    raw = b"; ".join(value for name, value in scope.get("headers", []) if name == b"cookie").decode("latin-1")
    jar: dict[str, str] = {}
    for part in raw.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            jar[name] = value
    return jar


def _form(message: str = "") -> bytes:
    note = f"<p style='color:#b00020'>{html.escape(message)}</p>" if message else ""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Join the ICS demo</title></head>"
        "<body style='font-family:sans-serif;font-size:20px;max-width:32em;margin:4em auto'>"
        "<h1 style='font-size:28px'>Join the live demo</h1>"
        "<p>Type the join code the facilitator shows on the screen.</p>" + note +
        "<form method='post' action='/join'><input name='code' autofocus autocomplete='off' "
        "style='font-size:24px;width:8em;text-transform:uppercase'> <button style='font-size:22px'>Join</button>"
        "</form></body></html>"
    ).encode()


class JoinCode:
    """An ASGI application: ``app`` for this computer, and for others once they typed the join code.

    A browser on another computer gets a one-field form instead of the demo; the right code sets
    a cookie and lets it in. The demo's websocket is refused without the cookie, so the code
    cannot be side-stepped by opening the page's script directly.

    Parameters
    ----------
    app : ASGI application
    code : str
        The join code (compared without regard to case or spaces).
    """

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], code: str) -> None:
        self.app = app
        self.code = code.strip().upper()
        self._token = _token(self.code)

    def admitted(self, scope: Scope) -> bool:
        """Whether the request comes from this computer or carries the join cookie."""
        client = scope.get("client") or (None, None)
        return is_loopback(client[0]) or hmac.compare_digest(_cookies(scope).get(_COOKIE, ""), self._token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind not in ("http", "websocket") or self.admitted(scope):
            await self.app(scope, receive, send)
            return
        if kind == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope.get("path") == "/join" and scope.get("method") == "POST":
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body") or len(body) > 4096:
                    break
            typed = parse_qs(body.decode("utf-8", "replace")).get("code", [""])[0]
            if typed.strip().upper().replace(" ", "") == self.code:
                await send({"type": "http.response.start", "status": 303, "headers": [
                    (b"location", b"/"),
                    (b"set-cookie", f"{_COOKIE}={self._token}; Path=/; HttpOnly; SameSite=Lax".encode())]})
                await send({"type": "http.response.body", "body": b""})
                return
            page, status = _form("That is not the code on the screen; try again."), 403
        else:
            page, status = _form(), 401
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/html; charset=utf-8")]})
        await send({"type": "http.response.body", "body": page})
