"""The scaled-out stack (scripts/scale-out.sh) for real: PostgreSQL, Redis, two Rasa servers, the
action server and nginx on loopback, started by the test on free ports in a temporary folder.

Prints its figures (conversations, turns, errors, events checked, faults survived)."""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import aiohttp
import psycopg2
import pytest
import requests

from assistant.channels import NO_REPLY_ANSWER
from conftest import ROOT, free_port, record_figures

SCRIPT = ROOT / "scripts" / "scale-out.sh"
TOKEN = "scale-test-token"
# Ten questions with a phrase their answer must contain: a reply filed under the wrong
# conversation or turn shows up as the wrong phrase.
QUESTIONS: List[Tuple[str, str]] = [
    ("What is POI?", "ovaries stop working"),
    ("What are the symptoms of POI?", "hot flashes"),
    ("Is stem cell therapy for POI approved?", "not approved"),
    ("How is POI diagnosed?", "FSH"),
    ("Can I get pregnant with POI?", "pregnan"),
    ("Why is hormone therapy important with POI?", "bone"),
    ("What causes POI?", "cause"),
    ("Is POI the same as early menopause?", "menopause"),
    ("How can I find a real stem cell trial?", "trial"),
    ("What are your sources?", "Sources"),
]


@dataclass
class Stack:
    env: Dict[str, str]
    dir: Path
    rasa_ports: List[int]
    nginx_port: int
    figures: Dict[str, object] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    def script(self, *args: str) -> None:
        done = subprocess.run([str(SCRIPT), *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, f"scale-out.sh {' '.join(args)}:\n{done.stdout}\n{done.stderr}"

    def db(self):
        secrets = dict(line.split("=", 1) for line in (self.dir / "secrets.env").read_text().split())
        return psycopg2.connect(host="127.0.0.1", port=self.env["PG_PORT"], dbname="rasa", user="rasa",
                                password=secrets["DB_PASSWORD"])

    def events(self, sender: str) -> List[Dict]:
        with self.db() as connection, connection.cursor() as cursor:
            cursor.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
            return [json.loads(row[0]) for row in cursor.fetchall()]

    def say(self, sender: str, text: str, port: int = 0) -> List[Dict]:
        url = f"http://127.0.0.1:{port}" if port else self.url
        reply = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
        reply.raise_for_status()
        return reply.json()


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    # Under var/, not pytest's private temporary folder: PostgreSQL runs as its own user and must reach it.
    workdir = ROOT / "var" / f"scale-test-{uuid.uuid4().hex[:8]}"
    rasa_ports = [free_port(), free_port()]
    nginx_port = free_port()
    env = dict(
        os.environ, SCALE_DIR=str(workdir), RASA_PORTS=" ".join(map(str, rasa_ports)), NGINX_PORT=str(nginx_port),
        ACTIONS_PORT=str(free_port()), PG_PORT=str(free_port()), REDIS_PORT=str(free_port()),
        RASA_API_TOKEN=TOKEN, LOG_LEVEL="INFO",
    )
    running = Stack(env, workdir, rasa_ports, nginx_port)
    try:
        running.script("start")
        yield running
    finally:
        running.script("stop")
        shutil.rmtree(workdir, ignore_errors=True)
        record_figures("scale-out", running.figures)


def user_turns(events: List[Dict]) -> List[Tuple[str, List[str]]]:
    """[(user text, [bot texts that followed it])...] from a conversation's stored events."""
    turns: List[Tuple[str, List[str]]] = []
    for event in events:
        if event["event"] == "user":
            turns.append((event["text"], []))
        elif event["event"] == "bot" and turns:
            turns[-1][1].append(event.get("text") or "")
    return turns


# ------------------------------------------------------------------------------------ tests


def test_one_conversation_alternating_between_servers_keeps_its_state(stack: Stack) -> None:
    sender = f"alternating-{uuid.uuid4()}"
    first, second = stack.rasa_ports
    assert "ovaries stop working" in stack.say(sender, "What is POI?", port=first)[0]["text"]
    # The follow-ups need the first turn: the other server must see it.
    sources = " ".join(r.get("text", "") for r in stack.say(sender, "what are your sources?", port=second))
    assert 'My answer to "What is POI?"' in sources and "Primary Ovarian Insufficiency (POI)" in sources
    more = stack.say(sender, "tell me more", port=first)
    assert more[0].get("buttons"), more
    said = [e["text"] for e in stack.events(sender) if e["event"] == "user"]
    assert said == ["What is POI?", "what are your sources?", "tell me more"]
    stack.figures["alternating turns"] = 3


async def converse(session: aiohttp.ClientSession, url: str, sender: str, start: int, turns: int,
                   errors: List[str], retries: List[str], retry: bool) -> None:
    for turn in range(turns):
        text = QUESTIONS[(start + turn) % len(QUESTIONS)][0]
        for attempt in range(8 if retry else 1):
            try:
                async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                        timeout=aiohttp.ClientTimeout(total=90)) as response:
                    replies = await response.json() if response.status == 200 else None
                    if replies and replies[0].get("text") and replies[0]["text"] != NO_REPLY_ANSWER:
                        break
                    problem = f"{response.status} {str(replies)[:80]}"
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                problem = repr(error)
            (retries if retry else errors).append(f"{sender} turn {turn}: {problem}")
            await asyncio.sleep(1)
        else:
            if retry:
                errors.append(f"{sender} turn {turn}: gave up")


async def load(url: str, conversations: int, turns: int, prefix: str, retry: bool = False,
               during=None) -> Tuple[float, List[str], List[str], List[str]]:
    errors: List[str] = []
    retries: List[str] = []
    senders = [f"{prefix}-{i}-{uuid.uuid4().hex[:6]}" for i in range(conversations)]
    connector = aiohttp.TCPConnector(limit=conversations)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        tasks = [asyncio.create_task(converse(session, url, s, i, turns, errors, retries, retry))
                 for i, s in enumerate(senders)]
        if during:
            await during()
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    return elapsed, senders, errors, retries


def check_stored(stack: Stack, senders: List[str], turns: int, allow_repeats: bool = False) -> Tuple[int, int]:
    """Every conversation's turns are in PostgreSQL, in order, each with the right answer.
    Returns (events checked, repeated turns). A repeat is a retried message stored twice."""
    checked = repeats = 0
    for index, sender in enumerate(senders):
        events = stack.events(sender)
        checked += len(events)
        stored: List[Tuple[str, List[str]]] = []
        for text, bots in user_turns(events):
            if allow_repeats and stored and stored[-1][0] == text:  # a retried turn, stored twice
                stored[-1] = (text, stored[-1][1] + bots)
                repeats += 1
            else:
                stored.append((text, bots))
        expected = [QUESTIONS[(index + turn) % len(QUESTIONS)] for turn in range(turns)]
        assert [text for text, _ in stored] == [q for q, _ in expected], f"{sender}: turns missing or out of order"
        for (text, bots), (_, phrase) in zip(stored, expected):
            assert any(phrase.lower() in b.lower() for b in bots), f"{sender}: {text!r} got {bots!r:.200}"
    return checked, repeats


def test_200_conversations_of_10_turns_across_the_servers(stack: Stack) -> None:
    conversations, turns = 200, 10
    elapsed, senders, errors, _ = asyncio.run(load(stack.url, conversations, turns, "load"))
    assert errors == [], f"{len(errors)} errors, e.g. {errors[:3]}"
    checked, _ = check_stored(stack, senders, turns)
    with stack.db() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT sender_id) FROM events WHERE sender_id LIKE 'load-%%'")
        assert cursor.fetchone()[0] == conversations
    stack.figures["load"] = {
        "conversations": conversations, "turns each": turns, "messages": conversations * turns,
        "errors": len(errors), "events checked in PostgreSQL": checked, "seconds": round(elapsed, 1),
        "messages per second": round(conversations * turns / elapsed, 1),
    }


def test_a_server_killed_mid_load_loses_nothing(stack: Stack) -> None:
    victim = stack.rasa_ports[1]
    conversations, turns = 60, 10

    async def kill_one_server() -> None:
        await asyncio.sleep(3)
        pid = int((stack.dir / f"rasa-{victim}.pid").read_text())
        os.killpg(pid, signal.SIGKILL)  # a crash, not a clean stop

    elapsed, senders, errors, retries = asyncio.run(
        load(stack.url, conversations, turns, "crash", retry=True, during=kill_one_server))
    assert errors == [], f"{len(errors)} turns failed even after retries, e.g. {errors[:3]}"
    checked, repeats = check_stored(stack, senders, turns, allow_repeats=True)
    stack.script("start-service", f"rasa-{victim}")
    assert "ovaries" in stack.say(f"after-crash-{uuid.uuid4()}", "What is POI?", port=victim)[0]["text"]
    stack.figures["server killed mid-load"] = {
        "conversations": conversations, "turns each": turns, "failed turns": len(errors),
        "client retries": len(retries), "turns stored twice by a retry": repeats,
        "events checked in PostgreSQL": checked, "seconds": round(elapsed, 1),
    }


def test_postgres_restart(stack: Stack) -> None:
    sender = f"pg-{uuid.uuid4()}"
    stack.say(sender, "What is POI?")
    stack.script("stop-service", "postgres")
    # Answered from the server's memory (so an emergency still gets its answer), not stored.
    during = stack.say(sender, "What are the symptoms of POI?")
    assert "hot flashes" in during[0]["text"]
    stack.script("start-service", "postgres")
    after = stack.say(sender, "How is POI diagnosed?")
    assert "FSH" in after[0]["text"]
    said = [e["text"] for e in stack.events(sender) if e["event"] == "user"]
    assert said[0] == "What is POI?" and said[-1] == "How is POI diagnosed?"  # stored again at once
    logged = "\n".join(p.read_text(errors="replace") for p in stack.dir.glob("rasa-*.log"))
    assert "OperationalError" in logged or "could not connect" in logged  # the outage is logged
    stack.figures["PostgreSQL restart"] = {
        "answer during the outage": during[0]["text"][:60],
        "stored turns of that conversation": said,
    }


def test_redis_restart(stack: Stack) -> None:
    sender = f"redis-{uuid.uuid4()}"
    stack.say(sender, "What is POI?")
    stack.script("stop-service", "redis")
    during = stack.say(sender, "What are the symptoms of POI?")
    assert during == [{"recipient_id": sender, "text": NO_REPLY_ANSWER}]  # a clear "unavailable"
    stack.script("start-service", "redis")
    assert "hot flashes" in stack.say(sender, "What are the symptoms of POI?")[0]["text"]
    stack.figures["Redis restart"] = {"answer during the outage": during[0]["text"][:60], "recovered": True}


def test_action_server_down(stack: Stack) -> None:
    sender = f"actions-{uuid.uuid4()}"
    stack.script("stop-service", "actions")
    try:
        assert "ovaries stop working" in stack.say(sender, "What is POI?")[0]["text"]  # answers need no actions
        sources = stack.say(sender, "what are your sources?")  # this one needs the action server
        assert sources == [{"recipient_id": sender, "text": NO_REPLY_ANSWER}]
    finally:
        stack.script("start-service", "actions")
    assert "What is POI?" in stack.say(sender, "what are your sources?")[0]["text"]
    stack.figures["action server stopped"] = {"FAQ answered": True, "sources": "unavailable, then back"}


def test_the_widget_channel_through_the_load_balancer(stack: Stack) -> None:
    """socket.io through nginx: each client sticks to one server (ip_hash), the conversation is in PostgreSQL."""
    import threading

    import socketio

    client = socketio.Client(reconnection=False)
    replies: List[Dict] = []
    answered = threading.Event()
    session = uuid.uuid4().hex

    @client.on("bot_uttered")
    def on_bot(data: Dict) -> None:
        replies.append(data)
        if "Sources:" in data.get("text", ""):
            answered.set()

    client.connect(stack.url, socketio_path="/socket.io/", transports=["polling"], wait_timeout=30)
    try:
        client.emit("session_request", {"session_id": session})
        client.emit("user_uttered", {"message": "What is POI?", "session_id": session})
        assert answered.wait(30), replies
    finally:
        client.disconnect()
    assert "ovaries stop working" in replies[0]["text"]
    assert [e["text"] for e in stack.events(session) if e["event"] == "user"] == ["What is POI?"]
