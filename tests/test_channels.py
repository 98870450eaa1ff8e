"""The REST and socket.io channels of a running Rasa server, with the action server."""
from __future__ import annotations

import threading
import time
import uuid
from typing import Any, Dict, List

import pytest
import requests
import socketio

from conftest import Servers


def texts(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def test_rest_greeting_carries_the_disclaimer_and_suggestions(servers: Servers) -> None:
    replies = servers.say("rest-greet", "hello")
    assert "not medical advice" in texts(replies)
    assert [b["title"] for b in replies[0]["buttons"]]


def test_rest_faq_answer_ends_with_numbered_sources(servers: Servers) -> None:
    replies = servers.say("rest-faq", "is stem cell therapy for POI approved?")
    answer = texts(replies)
    assert "not approved" in answer
    assert "Sources:\n1. U.S. Food and Drug Administration (FDA) (2021)." in answer
    assert "<https://www.fda.gov/" in answer


def test_rest_own_case_question_gets_specialist_then_related_topic(servers: Servers) -> None:
    replies = servers.say("rest-own", "my FSH is 48, do I have POI?")
    assert "can't give advice about your own situation" in replies[0]["text"]
    assert replies[1]["buttons"][0]["payload"] == replies[1]["buttons"][0]["title"]


def test_rest_emergency_comes_first_and_alone(servers: Servers) -> None:
    replies = servers.say("rest-emergency", "I have crushing chest pain and can't breathe")
    assert len(replies) == 1
    assert "911" in replies[0]["text"] and "112" in replies[0]["text"] and "999" in replies[0]["text"]


def test_rest_bad_input_gets_an_answer_not_a_crash(servers: Servers) -> None:
    for message in ["", " ", "<script>alert('x')</script>", "a" * 20000, "¿Qué es? 你好 🙂"]:
        assert servers.say(f"rest-bad-{uuid.uuid4()}", message), f"no answer to {message[:30]!r}"
    assert servers.say("rest-after-bad", "what is POI")  # and the server is still up


def test_socketio_session_and_answer(servers: Servers) -> None:
    """The protocol the widget speaks, without a browser."""
    client = socketio.Client(reconnection=False)
    confirmed, answered = threading.Event(), threading.Event()
    received: List[Dict[str, Any]] = []
    session_id = uuid.uuid4().hex

    @client.on("session_confirm")
    def on_confirm(data: Any) -> None:
        confirmed.set()

    @client.on("bot_uttered")
    def on_bot(data: Dict[str, Any]) -> None:
        received.append(data)
        if "Sources:" in data.get("text", ""):
            answered.set()

    client.connect(servers.url, socketio_path="/socket.io/", transports=["polling"], wait_timeout=30)
    try:
        client.emit("session_request", {"session_id": session_id})
        assert confirmed.wait(30), "no session_confirm"
        client.emit("user_uttered", {"message": "what are the symptoms of POI", "session_id": session_id,
                                     "customData": {"language": "en"}})
        assert answered.wait(30), f"no answer with sources; got {received}"
    finally:
        client.disconnect()
    # The widget renders markdown: lines end in hard breaks so lists and references stay on their own lines.
    assert "  \n- hot flashes and night sweats  \n" in received[0]["text"]
    assert received[1]["text"].startswith("Sources:  \n1. ")
    assert servers.tracker(session_id)["latest_message"]["text"] == "what are the symptoms of POI"


def socketio_turn(servers: Servers, payload: Dict[str, Any], origin: str = "", wait: float = 30) -> List[Dict[str, Any]]:
    """Connects (as a page on `origin`, if given), sends one user_uttered payload, returns the replies."""
    client = socketio.Client(reconnection=False)
    replies: List[Dict[str, Any]] = []
    answered = threading.Event()

    @client.on("bot_uttered")
    def on_bot(data: Dict[str, Any]) -> None:
        replies.append(data)
        answered.set()

    headers = {"Origin": origin} if origin else {}
    client.connect(servers.url, headers=headers, socketio_path="/socket.io/", transports=["polling"], wait_timeout=wait)
    try:
        client.emit("session_request", {"session_id": payload.get("session_id")})
        client.emit("user_uttered", payload)
        answered.wait(30)
        time.sleep(0.5)
    finally:
        client.disconnect()
    return replies


def test_socketio_accepts_only_the_configured_origins(servers: Servers) -> None:
    session = uuid.uuid4().hex
    assert socketio_turn(servers, {"message": "what is POI", "session_id": session}, origin=servers.web_origin)
    with pytest.raises(socketio.exceptions.ConnectionError):
        socketio_turn(servers, {"message": "what is POI", "session_id": uuid.uuid4().hex},
                      origin="http://elsewhere.example", wait=5)


def test_socketio_custom_data_is_accepted_but_reduced_to_known_keys(servers: Servers) -> None:
    hostile = {"language": "en", "role": "admin", "sources": ["<script>alert(1)</script>"], "intent": "emergency"}
    for custom_data in (hostile, '{"language": "en", "role": "admin"}', "{not json", ["en"], 42):
        session = uuid.uuid4().hex
        replies = socketio_turn(servers, {"message": "What is POI?", "session_id": session, "customData": custom_data})
        assert "ovaries" in replies[0]["text"], f"customData {custom_data!r} changed the answer"
        user_event = [e for e in servers.tracker(session)["events"] if e["event"] == "user"][-1]
        expected = {"language": "en"} if custom_data in (hostile, '{"language": "en", "role": "admin"}') else {}
        sent = {k: v for k, v in user_event["metadata"].items() if k not in ("model_id", "assistant_id")}  # Rasa's own
        assert sent == expected


def test_socketio_message_that_is_not_text_gets_an_answer(servers: Servers) -> None:
    for message in (None, 42, ["a"], {"text": "hi"}):
        session = uuid.uuid4().hex
        assert socketio_turn(servers, {"message": message, "session_id": session}), f"no reply to {message!r}"


def test_http_cors_allows_only_the_configured_origins(servers: Servers) -> None:
    url = f"{servers.url}/webhooks/rest/webhook"
    for origin, allowed in ((servers.web_origin, True), ("http://elsewhere.example", False)):
        preflight = requests.options(url, headers={"Origin": origin, "Access-Control-Request-Method": "POST"}, timeout=10)
        assert (preflight.headers.get("Access-Control-Allow-Origin") == origin) is allowed, origin
        assert "*" not in preflight.headers.get("Access-Control-Allow-Origin", "")


def test_http_api_needs_the_token(servers: Servers) -> None:
    url = f"{servers.url}/conversations/someone/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, params={"token": "wrong"}, timeout=10).status_code == 401
    assert requests.get(url, params={"token": servers.api_token}, timeout=10).status_code == 200
