"""The socket.io channel for the website widget: Rasa's own, with two things it lacks.

- Origins. Rasa turns off python-socketio's origin check (it relies on CORS headers, which
  browsers do not apply to WebSockets), so any web page could open the widget's channel. Here
  only pages on the origins in CORS_ORIGINS (the variable `rasa run --cors` gets too) connect.
- Untrusted input. The widget's `customData` and the message come from the browser. They are
  accepted, reduced to plain text and known keys, and never used to decide anything.
"""
from __future__ import annotations

import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Union

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

logger = logging.getLogger(__name__)

# customData keys kept (as short text) in the conversation's metadata; everything else is dropped.
ALLOWED_METADATA = ("language",)
MAX_METADATA_VALUE = 32


def parse_origins(value: Union[Text, List[Text], None]) -> List[Text]:
    """'http://a http://b' or a list -> ['http://a', 'http://b']."""
    if not value:
        return []
    items = value.split() if isinstance(value, str) else value
    return [str(item).rstrip("/") for item in items if str(item).strip()]


def clean_metadata(raw: Any) -> Dict[Text, Text]:
    """Whatever the browser sent as customData -> only the allowed keys, as short strings."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    if not isinstance(raw, dict):
        return {}
    return {
        key: raw[key][:MAX_METADATA_VALUE]
        for key in ALLOWED_METADATA
        if isinstance(raw.get(key), str)
    }


class WidgetSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel, restricted to known origins, with sanitised customData."""

    allowed_origins: List[Text] = []

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WidgetSocketIOInput":
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        channel.allowed_origins = parse_origins(os.environ.get("CORS_ORIGINS"))
        if not channel.allowed_origins:
            logger.warning("socket.io: CORS_ORIGINS is not set; only pages on the server's own origin can connect")
        return channel

    def origin_allowed(self, environ: Dict) -> bool:
        """Browsers always send Origin; a page elsewhere may connect only if it is listed.
        (Clients that are not browsers send none, and cannot be told apart by origin anyway.)"""
        origin = environ.get("HTTP_ORIGIN")
        if not origin:
            return True
        own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
        return origin.rstrip("/") in self.allowed_origins or origin == own

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        namespace = self.namespace or "/"

        connect = self.sio.handlers[namespace]["connect"]

        async def connect_from_allowed_origin(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            if not self.origin_allowed(environ):
                logger.warning("socket.io: refused a connection from origin %s", environ.get("HTTP_ORIGIN"))
                return False
            return await connect(sid, environ, auth)

        self.sio.on("connect", connect_from_allowed_origin, namespace=self.namespace)

        handle_message = self.sio.handlers[namespace][self.user_message_evt]

        async def handle_checked_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                logger.warning("socket.io: ignored a %s event that was not an object", self.user_message_evt)
                return
            data = dict(data)
            if not isinstance(data.get("message"), str):
                data["message"] = ""
            data[self.metadata_key] = clean_metadata(data.get(self.metadata_key))
            await handle_message(sid, data)

        self.sio.on(self.user_message_evt, handle_checked_message, namespace=self.namespace)
        return webhook
