"""The channels, Rasa's own with what they lack for untrusted input from the web.

Both channels: a message that is not text becomes empty text (the assistant asks to rephrase),
control characters and broken Unicode are removed, "/intent" commands other than the widget's
"/greet" are read as words, a message over MAX_MESSAGE_CHARS gets a polite "too long" answer
without reaching the model, and a turn that ends without any reply (the action server is down,
say) gets an "unavailable right now" answer instead of silence.

REST: a body that is not a JSON object, or without a `sender`, gets a clear 400 (Rasa would answer
500, or file every such message under one shared "default" conversation).

socket.io (the website widget):
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
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage
from sanic.request import Request

logger = logging.getLogger(__name__)

# customData keys kept (as short text) in the conversation's metadata; everything else is dropped.
ALLOWED_METADATA = ("language",)
MAX_METADATA_VALUE = 32
MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128
# Sent when a turn ends without any reply: a part is down (the action server, say) or failed.
NO_REPLY_ANSWER = (
    "Sorry, I can't answer that right now: part of the assistant is unavailable. Please try again "
    "in a few minutes. In an emergency, call your local emergency number."
)
TOO_LONG_ANSWER = (
    f"Your message is too long for me (the limit is {MAX_MESSAGE_CHARS:,} characters). "
    "Please ask one short question at a time."
)
# Messages starting with "/" drive intents directly in Rasa ("/restart", "/faq{...}"). Users may
# send only the widget's start payload; any other such message is read as words.
COMMANDS_ALLOWED = ("/greet",)
# C0/C1 control characters except tab and newline, and lone surrogates (not encodable as UTF-8).
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(message: Any) -> Text:
    """What the browser or client sent as the message -> text the assistant and its stores accept."""
    if not isinstance(message, str):
        return ""
    message = UNPRINTABLE.sub(" ", message)
    if message.lstrip().startswith("/") and message.strip() not in COMMANDS_ALLOWED:
        message = message.lstrip().lstrip("/")
    return message


def answer_checked(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    """Passes a message on to the assistant, unless it is too long: that one gets a polite answer.
    A turn that ends with no reply at all gets NO_REPLY_ANSWER instead of silence."""

    async def on_checked_message(message: UserMessage) -> None:
        output = message.output_channel
        if len(message.text or "") > MAX_MESSAGE_CHARS:
            logger.info("%s: answered a message of %d characters as too long", message.input_channel, len(message.text))
            await output.send_text_message(message.sender_id, TOO_LONG_ANSWER)
            return
        send_response = output.send_response
        replies = 0

        async def counted(recipient_id: Text, reply: Dict[Text, Any]) -> None:
            nonlocal replies
            replies += 1
            await send_response(recipient_id, reply)

        output.send_response = counted  # this output channel object serves this one message only
        try:
            await on_new_message(message)
        except Exception:  # logged here without the user's text (Rasa's own log would include it)
            logger.exception("%s: the turn failed", message.input_channel)
        finally:
            output.send_response = send_response
        if not replies:
            logger.warning("%s: a turn ended without a reply; sent the 'unavailable' answer", message.input_channel)
            await output.send_text_message(message.sender_id, NO_REPLY_ANSWER)

    return on_checked_message


def parse_origins(value: Optional[Text]) -> List[Text]:
    """'http://a http://b/' -> ['http://a', 'http://b']."""
    return [origin.rstrip("/") for origin in (value or "").split()]


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
        webhook = super().blueprint(answer_checked(on_new_message))
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
            data = dict(data, message=clean_text(data.get("message")))
            data[self.metadata_key] = clean_metadata(data.get(self.metadata_key))
            await handle_message(sid, data)

        self.sio.on(self.user_message_evt, handle_checked_message, namespace=self.namespace)
        return webhook


class CheckedRestInput(RestInput):
    """Rasa's REST channel: malformed requests get a clear 400, messages are cleaned and checked."""

    @staticmethod
    def _body(request: Request) -> Dict[Text, Any]:
        body = request.json  # Sanic answers 400 itself when the body is not JSON at all
        if not isinstance(body, dict):
            raise InvalidUsage('Send a JSON object: {"sender": "<conversation id>", "message": "<text>"}')
        return body

    async def _extract_sender(self, request: Request) -> Optional[Text]:
        sender = self._body(request).get("sender")
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
            raise InvalidUsage(f'"sender" must be a non-empty string of at most {MAX_SENDER_CHARS} characters, '
                               "one per conversation")
        return sender

    def _extract_message(self, request: Request) -> Optional[Text]:
        message = self._body(request).get("message")
        if message is not None and not isinstance(message, str):
            raise InvalidUsage('"message" must be a string')
        return clean_text(message)

    def _extract_input_channel(self, request: Request) -> Text:
        return self.name()  # not the client's to choose

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return clean_metadata(self._body(request).get("metadata"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(answer_checked(on_new_message))
