"""What the demo server shows to the room: only the demo, none of solara's diagnostics.

Solara's server answers a few HTTP requests meant for whoever runs it: ``/resourcez?verbose``
(every session and its state) and ``/jupyter/api/kernels/<id>`` (kernel information). On this
computer (``--host 127.0.0.1``, the default) that is harmless; served to the room (``--host
0.0.0.0``) anyone on the network could read them without a password. :class:`LocalOnly` wraps the
server's ASGI application: unless a request comes from this computer, ``/resourcez?verbose`` is
answered 404, and ``/jupyter/api/kernels/<id>`` with a fixed answer that says nothing about the
server (the browser's kernel client may ask for it, so it must still answer). The websocket the
demo itself runs over (``/jupyter/api/kernels/<id>/channels``) is left alone.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["LocalOnly", "is_loopback", "is_private_path"]

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
