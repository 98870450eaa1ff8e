"""Privacy basics: nothing users say in the logs at INFO level; one conversation can be deleted;
conversations idle past the retention period are deleted; secrets come from the environment."""
from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests
import socketio
import yaml

from assistant.privacy import forget, open_store, prune
from conftest import ROOT, Servers


def stored_senders(db: Path) -> set:
    with sqlite3.connect(db) as connection:
        return {row[0] for row in connection.execute("SELECT DISTINCT sender_id FROM events")}


def test_what_users_say_stays_out_of_the_logs(servers: Servers) -> None:
    secret = f"my FSH was 48 and my doctor Dr Quixote{uuid.uuid4().hex[:6]} said I have POI"
    sender = f"log-{uuid.uuid4()}"
    assert requests.post(f"{servers.url}/webhooks/rest/webhook", json={"sender": sender, "message": secret},
                         timeout=30).json()
    client = socketio.Client(reconnection=False)
    client.connect(servers.url, socketio_path="/socket.io/", transports=["polling"], wait_timeout=30)
    client.emit("session_request", {"session_id": sender + "-widget"})
    client.emit("user_uttered", {"message": secret, "session_id": sender + "-widget"})
    time.sleep(3)
    client.disconnect()
    logs = {name: (servers.workdir / name).read_text(errors="replace") for name in ("rasa.log", "actions.log")}
    assert re.search(r"\bINFO\b", logs["rasa.log"]), "the servers should log at INFO here, as `make run` does"
    for name, text in logs.items():
        assert "Quixote" not in text and "FSH was 48" not in text, f"user text in {name}"


def test_forget_deletes_one_conversation_and_nothing_else(servers: Servers) -> None:
    keep, remove = f"keep-{uuid.uuid4()}", f"forget-{uuid.uuid4()}"
    for sender in (keep, remove):
        servers.say(sender, "What is POI?")
    assert {keep, remove} <= stored_senders(servers.db)
    done = subprocess.run(
        [sys.executable, "-m", "assistant.privacy", "--endpoints", str(servers.endpoints), "forget", remove],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert re.search(rf"Deleted \d+ events of conversation '{remove}'", done.stdout)
    assert remove not in stored_senders(servers.db) and keep in stored_senders(servers.db)
    # The server no longer has it either: the next message starts a new conversation.
    servers.say(remove, "hello")
    said = [e["text"] for e in servers.tracker(remove)["events"] if e["event"] == "user"]
    assert said == ["hello"]


def test_prune_deletes_conversations_idle_past_the_retention_period(tmp_path: Path) -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    endpoints["tracker_store"]["db"] = str(tmp_path / "conversations.db")
    (tmp_path / "endpoints.yml").write_text(yaml.safe_dump(endpoints))
    store = open_store(str(tmp_path / "endpoints.yml"))
    now = time.time()
    for sender, age_days in (("old", 40), ("recent", 2), ("old-but-active", 45)):
        tracker = DialogueStateTracker(sender, slots=[])
        tracker.update(UserUttered("What is POI?", timestamp=now - age_days * 86400))
        if sender == "old-but-active":
            tracker.update(UserUttered("and today?", timestamp=now - 3600))
        asyncio.run(store.save(tracker))
    assert prune(store, days=30, now=now) == ["old"]
    assert stored_senders(tmp_path / "conversations.db") == {"recent", "old-but-active"}
    assert forget(store, "recent") == 1


def test_no_secrets_in_the_configuration_files() -> None:
    """Tokens and passwords come from the environment (RASA_API_TOKEN, ${DB_PASSWORD}...), never files."""
    for name in ("endpoints.yml", "credentials.yml"):
        for key, value in re.findall(r"^\s*(\w*(?:password|token|secret)\w*|jwt_key|api_key)\s*:\s*(\S+)",
                                     (ROOT / name).read_text(), re.I | re.M):
            assert value.startswith("${"), f"{name}: {key} is written in the file; read it from the environment"
