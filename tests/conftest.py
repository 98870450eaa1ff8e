"""Shared fixtures: the trained model in-process, and real servers started as subprocesses.

`make test` builds the spaCy pipeline and trains the model before pytest runs.
"""
from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "poi.tar.gz"
VENV_BIN = Path(sys.executable).parent
ARTIFACTS = ROOT / "tests" / "artifacts"


def load_yaml(relative: str) -> Any:
    return yaml.safe_load((ROOT / relative).read_text(encoding="utf-8"))


def faq_responses() -> Dict[str, Dict[str, Any]]:
    """utter_faq/<topic> -> its first variation."""
    from assistant.content_check import load

    return {f"utter_faq/{topic}": answer for topic, answer in load(ROOT).answers.items()}


def small_training_data(data: Path) -> Path:
    """The project's rules and answers with three examples per intent, in `data` (DIET trains in seconds)."""
    (data / "responses").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "rules.yml", data / "rules.yml")
    shutil.copy(ROOT / "data" / "responses" / "faq.yml", data / "responses" / "faq.yml")
    blocks = {}
    for nlu_file in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(nlu_file.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block and block["intent"] not in blocks:
                blocks[block["intent"]] = {"intent": block["intent"],
                                           "examples": "".join(block["examples"].splitlines(True)[:3])}
    (data / "nlu.yml").write_text(yaml.safe_dump({"version": "3.1", "nlu": list(blocks.values())}), encoding="utf-8")
    return data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------- in-process


@pytest.fixture(scope="session")
def event_loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def agent(event_loop: asyncio.AbstractEventLoop) -> Any:
    """The trained assistant in-process, with the citing response generator. Its tracker
    store is in memory: these tests check answers; storage is tested against a server."""
    from rasa.core.agent import Agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # as Rasa's CLI does; unconfigured it prints debug events
    assert MODEL.exists(), "run `make test` (it trains the model first)"
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    return Agent.load(str(MODEL), generator=endpoints.nlg)


@pytest.fixture(scope="session")
def ask(agent: Any, event_loop: asyncio.AbstractEventLoop):
    """ask(text) -> (parse result, bot messages) for a new conversation."""
    counter = iter(range(10**6))

    def _ask(text: str, sender: Optional[str] = None):
        sender = sender or f"test-{next(counter)}"
        parsed = event_loop.run_until_complete(agent.parse_message(text))
        replies = event_loop.run_until_complete(agent.handle_text(text, sender_id=sender))
        return parsed, replies

    return _ask


# ---------------------------------------------------------------------------- real servers


class Servers:
    """The action server and the Rasa server (REST + socket.io), as `make run` starts them,
    but on free ports, with their own SQLite conversation store. Browsers may reach the Rasa
    server only from `web_origin` (where the widget tests serve the page)."""

    def __init__(self, workdir: Path, api_token: str = "test-token") -> None:
        self.workdir = workdir
        self.rasa_port = free_port()
        self.actions_port = free_port()
        self.web_port = free_port()
        self.web_origin = f"http://127.0.0.1:{self.web_port}"
        self.api_token = api_token
        self.db = workdir / "conversations.db"
        endpoints = load_yaml("endpoints.yml")
        endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{self.actions_port}/webhook"
        endpoints["tracker_store"]["db"] = str(self.db)
        self.endpoints = workdir / "endpoints.yml"
        self.endpoints.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
        self.rasa: Optional[subprocess.Popen] = None
        self.actions: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def _spawn(self, args: List[str], log: str) -> subprocess.Popen:
        logfile = open(self.workdir / log, "ab")
        # INFO, as `make run` logs: the logs are checked for what users said (tests/test_privacy.py).
        env = dict(os.environ, CORS_ORIGINS=self.web_origin, LOG_LEVEL="INFO")
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def start_actions(self) -> None:
        self.actions = self._spawn(
            [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(self.actions_port)],
            "actions.log",
        )

    def start_rasa(self) -> None:
        self.rasa = self._spawn(
            [
                str(VENV_BIN / "rasa"), "run", "--model", str(MODEL), "--endpoints", str(self.endpoints),
                "--credentials", "credentials.yml", "--port", str(self.rasa_port),
                "--cors", self.web_origin, "--enable-api", "--auth-token", self.api_token,
            ],
            "rasa.log",
        )
        self.wait_until_answering()

    def wait_until_answering(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.rasa.poll() is None, f"Rasa server exited; see {self.workdir / 'rasa.log'}"
            try:
                if requests.get(f"{self.url}/status", params={"token": self.api_token}, timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"Rasa server not ready after {timeout}s; see {self.workdir / 'rasa.log'}")

    @staticmethod
    def _stop(process: Optional[subprocess.Popen]) -> None:
        if process and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def stop_rasa(self) -> None:
        self._stop(self.rasa)

    def stop(self) -> None:
        self._stop(self.rasa)
        self._stop(self.actions)

    def say(self, sender: str, message: Any) -> List[Dict[str, Any]]:
        reply = requests.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=30
        )
        reply.raise_for_status()
        return reply.json()

    def tracker(self, sender: str) -> Dict[str, Any]:
        reply = requests.get(
            f"{self.url}/conversations/{sender}/tracker", params={"token": self.api_token}, timeout=30
        )
        reply.raise_for_status()
        return reply.json()


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    running = Servers(tmp_path_factory.mktemp("servers"))
    running.start_actions()
    running.start_rasa()
    yield running
    running.stop()


# ---------------------------------------------------------------------------- measured figures

FIGURES: Dict[str, Any] = {}


def record_figures(name: str, figures: Any) -> None:
    """Figures a test measured: printed after the run and saved to tests/artifacts/figures.json."""
    FIGURES[name] = figures


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FIGURES:
        return
    import json

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "figures.json").write_text(json.dumps(FIGURES, indent=1), encoding="utf-8")
    terminalreporter.section("figures measured by the tests (tests/artifacts/figures.json)")
    for name, figures in FIGURES.items():
        terminalreporter.write_line(f"{name}: {json.dumps(figures)}")
