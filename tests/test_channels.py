"""The REST and socket.io channels of a running Rasa server, with the action server."""
from __future__ import annotations

import threading
import uuid
from typing import Any, Dict, List

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
