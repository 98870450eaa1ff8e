"""Speed benchmark: the project's config against Rasa's default config, on the same data and machine.

For each config: training (time, peak memory, model size); the floor (one message parsed
in-process, `Agent.parse_message`); the served assistant driven over REST by an asyncio client at 1
and 16 concurrent conversations, new and long (200+ turns), with p50/p95/p99 latency, messages per
second, errors and server memory; and the held-out question bank, so speed is never bought with
accuracy. For the project's config also: two servers behind nginx (the scale-out stack, 16
concurrent new conversations), retraining after a content edit (an answer reworded, an example
added), and `make quick-model` after the same edits, with its model's question bank. Writes
bench/results.md and bench/results.json and prints the project/stock ratios.

Stock Rasa's full training takes over an hour here, and its serving cost does not depend on how
long it trained, so by default stock is trained one epoch per model (same layers and sizes) and
is compared for speed and memory only; --full-stock trains it fully and runs it on the question bank.

    make bench                          # about 15 minutes on 2 cores
    python -m bench.bench --full-stock  # over an hour (stock's full training)
    python -m bench.bench --project-only --out bench/results-project   # about 6 minutes
    python -m bench.bench --smoke       # the project's trained model only, tiny loads (CI)
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import aiohttp
import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORK = ROOT / "build" / "bench"
BANK = ROOT / "tests" / "question_bank.jsonl"
TOKEN = "bench-token"
# Stock Rasa's default config, one epoch per model by default: the same layers and sizes, so the
# same serving cost, trained in minutes; its full training (--full-stock) takes over an hour here.
CONFIGS = {"project": ROOT / "config.yml", "stock": ROOT / "bench" / "stock-config-1-epoch.yml"}
FULL_STOCK_CONFIG = ROOT / "bench" / "stock-config.yml"


# ----------------------------------------------------------------------------- measuring


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    children: Dict[int, List[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


def percentiles(values_ms: Sequence[float]) -> Dict[str, float]:
    ordered = sorted(values_ms)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(at(0.95), 1),
            "p99_ms": round(at(0.99), 1)}


def train(config: Path, name: str, data: Path = ROOT / "data", domain: Path = ROOT / "domain.yml",
          cache: Optional[Path] = None) -> Dict[str, Any]:
    """`rasa train` in a fresh process: wall time, peak memory (that process's largest child), size.
    `cache`: Rasa's training cache folder (default: the project's)."""
    command = [str(BIN / "rasa"), "train", "--config", str(config), "--data", str(data), "--domain", str(domain),
               "--fixed-model-name", name, "--out", str(WORK)]
    env = {**os.environ, "RASA_CACHE_DIRECTORY": str(cache)} if cache else None
    return timed_training(command, WORK / f"{name}.tar.gz", ROOT, env)


def timed_training(command: List[str], model: Path, cwd: Path, env: Optional[Dict[str, str]]) -> Dict[str, Any]:
    """A training command in a fresh process: wall time, peak memory (that process's largest child), size."""
    wrapper = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
               "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
               "print(r.returncode, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", wrapper, *command], cwd=cwd, capture_output=True, text=True,
                         check=True, env=env).stdout.split()
    code, seconds, peak_kb = int(out[0]), float(out[1]), int(out[2])
    if code:
        raise RuntimeError(f"training failed; run in {cwd}: {' '.join(command)}")
    return {"seconds": round(seconds, 1), "peak_memory_mb": round(peak_kb / 1024), "model_mb":
            round(model.stat().st_size / 2**20, 1), "model": str(model.relative_to(ROOT))}


def full_training(name: str, config: Path) -> Dict[str, Any]:
    """A training from an empty cache of its own, on a copy of the project's data (the project's
    content retrains edit that copy and reuse that cache)."""
    copy, cache = WORK / f"{name}-data", WORK / f"{name}-cache"
    for folder in (copy, cache):
        shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ROOT / "data", copy / "data")
    shutil.copy(ROOT / "domain.yml", copy / "domain.yml")
    return train(config, f"bench-{name}", copy / "data", copy / "domain.yml", cache=cache)


def content_retrains() -> Dict[str, Any]:
    """Retraining after the content team's two usual edits, each on top of the one before, from the
    cache the project's full training filled (Rasa reuses what did not change)."""
    copy, cache = WORK / "project-data", WORK / "project-cache"
    results = {}
    answers = copy / "data" / "responses" / "faq.yml"
    before = answers.read_text()
    answers.write_text(before.replace("It means the ovaries stop working", "It means that the ovaries stop working", 1))
    assert answers.read_text() != before
    results["answer reworded"] = train(CONFIGS["project"], "content-answer", copy / "data", copy / "domain.yml",
                                       cache=cache)["seconds"]
    examples = copy / "data" / "nlu" / "faq.yml"
    before = examples.read_text()
    examples.write_text(before.replace("  examples: |\n", "  examples: |\n    - what does POI mean for a woman\n", 1))
    assert examples.read_text() != before
    results["example added"] = train(CONFIGS["project"], "content-example", copy / "data", copy / "domain.yml",
                                     cache=cache)["seconds"]
    shutil.rmtree(cache)
    return results


def quick_retrain(texts: List[str]) -> Dict[str, Any]:
    """`make quick-model` after the same two edits, trained on from the project's full training of the
    data before them: scripts/quick-model.sh itself, run in the edited copy of the project. Then the
    quick model's question bank."""
    copy = WORK / "project-data"
    (copy / "models").mkdir(exist_ok=True)
    shutil.copy(WORK / "bench-project.tar.gz", copy / "models" / "poi.tar.gz")
    shutil.copy(ROOT / "config.yml", copy / "config.yml")
    (copy / "scripts").mkdir(exist_ok=True)
    shutil.copy(ROOT / "scripts" / "quick-model.sh", copy / "scripts" / "quick-model.sh")
    (copy / "build").mkdir(exist_ok=True)
    for link, target in [(".venv", ROOT / ".venv"), ("assistant", ROOT / "assistant"), ("build/spacy", ROOT / "build" / "spacy")]:
        if not (copy / link).is_symlink():
            (copy / link).symlink_to(target)
    result = timed_training(["bash", str(copy / "scripts" / "quick-model.sh")], copy / "models" / "poi.tar.gz", copy,
                            dict(os.environ, PYTHONPATH=str(copy)))
    if not (copy / "models" / "poi.quick").exists():
        raise RuntimeError("scripts/quick-model.sh did not train on from the model (no models/poi.quick)")
    result["bank"] = in_process(str(copy / "models" / "poi.tar.gz"), texts[:1], bank=True)["bank"]
    return result


# ----------------------------------------------------------------------------- in-process


def in_process(model: str, texts: List[str], bank: bool) -> Dict[str, Any]:
    """The floor (parse one message) and, optionally, the question bank, in a fresh process."""
    code = (
        "import asyncio, json, logging, sys, time\n"
        "from rasa.utils.log_utils import configure_structlog\n"
        "configure_structlog(logging.WARNING); logging.disable(logging.ERROR)\n"
        "from assistant import evaluate\n"
        "agent = evaluate.load_agent(evaluate.Path(sys.argv[1]))\n"
        "texts = json.loads(sys.argv[2]); loop = asyncio.new_event_loop()\n"
        "for t in texts[:20]: loop.run_until_complete(agent.parse_message(t))\n"
        "times = []\n"
        "for t in texts:\n"
        "    s = time.perf_counter(); loop.run_until_complete(agent.parse_message(t)); times.append((time.perf_counter() - s) * 1000)\n"
        "result = {'parse_ms': times}\n"
        "if sys.argv[3] == '1':\n"
        "    turns = loop.run_until_complete(evaluate.run_bank(evaluate.read_bank(evaluate.Path(sys.argv[4])), agent))\n"
        "    result['bank'] = evaluate.metrics(turns)\n"
        "print('RESULT' + json.dumps(result))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING")
    out = subprocess.run([sys.executable, "-c", code, model, json.dumps(texts), "1" if bank else "0", str(BANK)], cwd=ROOT,
                         env=env, capture_output=True, text=True, check=True).stdout
    result = json.loads(out.split("RESULT", 1)[1])
    return {"parse": percentiles(result["parse_ms"]), "bank": result.get("bank")}


# ----------------------------------------------------------------------------- served


class Served:
    """The action server and a Rasa server with a model, on free ports, SQLite in build/bench."""

    def __init__(self, model: str, name: str) -> None:
        self.port, actions_port = free_port(), free_port()
        endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
        endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
        if name == "stock":  # Rasa's own SQL tracker store (the project's is part of what is compared)
            endpoints["tracker_store"]["type"] = "SQL"
        db = WORK / f"{name}-conversations.db"
        db.unlink(missing_ok=True)
        endpoints["tracker_store"]["db"] = str(db)
        (WORK / f"{name}-endpoints.yml").write_text(yaml.safe_dump(endpoints))
        env = dict(os.environ, PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING", CORS_ORIGINS="http://localhost")
        log = open(WORK / f"{name}-server.log", "wb")
        self.actions = subprocess.Popen([str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port",
                                         str(actions_port)], cwd=ROOT, env=env, stdout=log, stderr=log,
                                        start_new_session=True)
        self.rasa = subprocess.Popen([str(BIN / "rasa"), "run", "--model", model, "--endpoints",
                                      str(WORK / f"{name}-endpoints.yml"), "--credentials", "credentials.yml",
                                      "--port", str(self.port), "--enable-api", "--auth-token", TOKEN],
                                     cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        started = time.perf_counter()
        while True:
            assert self.rasa.poll() is None, f"the server stopped; see {WORK / f'{name}-server.log'}"
            try:
                if requests.get(f"{self.url}/status", params={"token": TOKEN}, timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        self.start_seconds = round(time.perf_counter() - started, 1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        for process in (self.rasa, self.actions):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


class ScaledOut:
    """The scale-out stack of `make scale-out` (scripts/scale-out.sh): two Rasa servers with the
    project's model (models/poi.tar.gz, which `make bench` keeps current) behind nginx, PostgreSQL conversations, a Redis lock store; free ports, data in
    build/bench/scale. Measures what several processes buy on this machine's cores."""

    SERVERS = 2

    def __init__(self) -> None:
        self.rasa_ports = [free_port() for _ in range(self.SERVERS)]
        self.nginx_port = free_port()
        folder = WORK / "scale"
        shutil.rmtree(folder, ignore_errors=True)
        self.env = dict(os.environ, SCALE_DIR=str(folder), RASA_PORTS=" ".join(map(str, self.rasa_ports)),
                        NGINX_PORT=str(self.nginx_port), ACTIONS_PORT=str(free_port()), PG_PORT=str(free_port()),
                        REDIS_PORT=str(free_port()), LOG_LEVEL="WARNING")
        started = time.perf_counter()
        self.script("start")
        self.start_seconds = round(time.perf_counter() - started, 1)

    def script(self, command: str) -> None:
        subprocess.run([str(ROOT / "scripts" / "scale-out.sh"), command], cwd=ROOT, env=self.env, check=True,
                       stdout=subprocess.DEVNULL)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    def rss_mb(self) -> float:
        pids = [int((WORK / "scale" / f"rasa-{port}.pid").read_text()) for port in self.rasa_ports]
        return round(sum(rss_mb(pid) for pid in pids), 1)

    def stop(self) -> None:
        self.script("stop")


def scaled_out_scenarios(texts: List[str], sizes: Dict[str, int]) -> Dict[str, Any]:
    """16 concurrent new conversations through nginx to two Rasa servers."""
    stack = ScaledOut()
    try:
        text = lambda i: texts[i % len(texts)]  # noqa: E731
        per = sizes["new_16_each"]
        asyncio.run(drive(stack.url, [[(f"warm-up-{s}", text(i)) for i in range(20)] for s in range(4)]))
        out = asyncio.run(drive(stack.url, [[(f"scaled16-{c}-{i}", text(c * per + i)) for i in range(per)]
                                            for c in range(16)]))
        out.pop("_latencies", None)
        out["servers"] = ScaledOut.SERVERS
        out["servers_rss_mb"] = stack.rss_mb()
        out["start_s"] = stack.start_seconds
        return out
    finally:
        stack.stop()


async def drive(url: str, clients: List[List[Tuple[str, str]]]) -> Dict[str, Any]:
    """Each client sends its (sender, text) messages one after another; the clients run at once."""
    latencies: List[List[float]] = [[] for _ in clients]
    errors = 0

    async def client(index: int, session: aiohttp.ClientSession) -> None:
        nonlocal errors
        for sender, text in clients[index]:
            started = time.perf_counter()
            try:
                async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as r:
                    if r.status != 200 or not await r.json():
                        errors += 1
            except aiohttp.ClientError:
                errors += 1
            latencies[index].append((time.perf_counter() - started) * 1000)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     timeout=aiohttp.ClientTimeout(total=120)) as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(i, session) for i in range(len(clients))))
        elapsed = time.perf_counter() - started
    flat = [ms for client_latencies in latencies for ms in client_latencies]
    return {"messages": len(flat), "errors": errors, "seconds": round(elapsed, 1),
            "messages_per_s": round(len(flat) / elapsed, 1), **percentiles(flat), "_latencies": latencies}


def new_conversations(url: str, texts: List[str], sizes: Dict[str, int]) -> Dict[str, Any]:
    """After a warm-up: one client, then 16 at once, each message in a new conversation."""
    run = lambda clients: asyncio.run(drive(url, clients))  # noqa: E731
    text = lambda i: texts[i % len(texts)]  # noqa: E731
    n, per = sizes["new_1"], sizes["new_16_each"]
    run([[("warm-up", text(i)) for i in range(20)]])  # the first requests load things lazily
    return {
        "1 client, new conversations": run([[(f"new1-{i}", text(i)) for i in range(n)]]),
        "16 clients, new conversations": run([[(f"new16-{c}-{i}", text(c * per + i)) for i in range(per)]
                                              for c in range(16)]),
    }


def load_scenarios(served: Served, texts: List[str], sizes: Dict[str, int]) -> Dict[str, Any]:
    url = served.url
    run = lambda clients: asyncio.run(drive(url, clients))  # noqa: E731
    text = lambda i: texts[i % len(texts)]  # noqa: E731
    turns, window = sizes["long_turns"], sizes["window"]
    out: Dict[str, Any] = new_conversations(url, texts, sizes)
    long_one = run([[("long-1", text(i)) for i in range(turns)]])
    latencies = long_one["_latencies"][0]
    long_one["first_messages"] = percentiles(latencies[:window])
    long_one["last_messages"] = percentiles(latencies[-window:])
    long_one["p95_last_over_first"] = round(long_one["last_messages"]["p95_ms"] / long_one["first_messages"]["p95_ms"], 2)
    out[f"1 client, one conversation of {turns} turns"] = long_one
    # 16 long conversations: copies of that conversation's stored events (as if 16 people had
    # each talked for `turns` turns), then `window` more messages each, all at once.
    events = requests.get(f"{url}/conversations/long-1/tracker", params={"token": TOKEN}, timeout=60).json()["events"]
    for event in events:  # the API's own event schema refuses the confidence None that spaCy entities carry
        for entity in (event.get("parse_data") or {}).get("entities") or []:
            if entity.get("confidence") is None:
                entity.pop("confidence", None)
    for c in range(16):
        requests.put(f"{url}/conversations/long16-{c}/tracker/events", params={"token": TOKEN}, json=events,
                     timeout=120).raise_for_status()
    out[f"16 clients, conversations past {turns} turns"] = run(
        [[(f"long16-{c}", text(c + i)) for i in range(window)] for c in range(16)])
    for scenario in out.values():
        scenario.pop("_latencies", None)
    out["server_rss_mb"] = rss_mb(served.rasa.pid)
    out["server_start_s"] = served.start_seconds
    return out


# ----------------------------------------------------------------------------- report

SIZES = {
    "full": {"new_1": 200, "new_16_each": 40, "long_turns": 210, "window": 50, "parse": 200},
    "smoke": {"new_1": 10, "new_16_each": 2, "long_turns": 12, "window": 4, "parse": 10},
}


def machine() -> Dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    import rasa

    return {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "cpu": cpu, "cores": os.cpu_count(),
            "memory_gb": round(memory / 2**20, 1), "python": platform.python_version(), "rasa": rasa.__version__,
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def headline(config: Dict[str, Any], sizes: Dict[str, int]) -> Dict[str, Optional[float]]:
    last = f"{sizes['long_turns'] - sizes['window'] + 1}-{sizes['long_turns']}"
    served = config["served"]
    long_one = next(v for k, v in served.items() if k.startswith("1 client, one conversation"))
    long_16 = next(v for k, v in served.items() if k.startswith("16 clients, conversations past"))
    bank = config.get("bank") or {}
    training = config.get("training") or {}
    return {
        "full training (s)": training.get("seconds"),
        "training peak memory (MB)": training.get("peak_memory_mb"),
        "model size (MB)": training.get("model_mb"),
        "parse one message in-process, p50 (ms)": config["parse"]["p50_ms"],
        "1 client, new conversations: p50 (ms)": served["1 client, new conversations"]["p50_ms"],
        "1 client, new conversations: p95 (ms)": served["1 client, new conversations"]["p95_ms"],
        "1 client, new conversations: p99 (ms)": served["1 client, new conversations"]["p99_ms"],
        "16 clients, new conversations: messages/s": served["16 clients, new conversations"]["messages_per_s"],
        "16 clients, new conversations: p95 (ms)": served["16 clients, new conversations"]["p95_ms"],
        "16 clients, new conversations, 2 servers behind nginx: messages/s": (config.get("scaled_out") or {}).get("messages_per_s"),
        "16 clients, new conversations, 2 servers behind nginx: p95 (ms)": (config.get("scaled_out") or {}).get("p95_ms"),
        "16 clients, new conversations, 2 servers behind nginx: memory of both servers (MB)": (config.get("scaled_out") or {}).get("servers_rss_mb"),
        f"one long conversation: p95 of messages 1-{sizes['window']} (ms)": long_one["first_messages"]["p95_ms"],
        f"one long conversation: p95 of messages {last} (ms)": long_one["last_messages"]["p95_ms"],
        "one long conversation: p95 last/first": long_one["p95_last_over_first"],
        "16 long conversations: messages/s": long_16["messages_per_s"],
        "16 long conversations: p95 (ms)": long_16["p95_ms"],
        "errors (all loads)": sum(v.get("errors", 0) for v in served.values() if isinstance(v, dict))
        + (config.get("scaled_out") or {}).get("errors", 0),
        "server memory after the loads (MB)": served["server_rss_mb"],
        **{f"question bank: {label} recall": (bank.get("labels", {}).get(label) or {}).get("recall")
           for label in ("emergency", "consult_specialist", "out_of_scope")},
        "question bank: FAQ topic accuracy": bank.get("faq_topic_accuracy"),
    }


def markdown(results: Dict[str, Any], json_name: str = "results.json") -> str:
    configs = results["configs"]
    rows = {name: headline(c, results["sizes"]) for name, c in configs.items()}
    names = list(rows)
    m = results["machine"]
    one_epoch = "stock" in rows and results.get("stock_trained") == "one epoch per model"
    title = ("# Benchmark: the project's config against Rasa's default config" if "stock" in rows else
             "# Benchmark: the project's config only (stock Rasa's side: the latest `make bench`, bench/results.md)")
    lines = [
        title,
        "",
        f"Made by `{results['command']}` on {m['date']}: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, "
        f"Python {m['python']}, Rasa {m['rasa']}; load average at start {m['load_average_at_start']}. Each "
        "config is trained on the project's data and served the same way (REST, action server, SQLite "
        "conversation store; the project's tracker store, Rasa's for stock), one after the other. "
        "The loads send the held-out question bank's messages. "
        "Latencies are measured by the client, end to end. "
        "One run: expect a few percent of noise between runs on a shared machine. The rows \"2 servers "
        "behind nginx\" are the project's scale-out stack (`make scale-out`: PostgreSQL, a Redis lock store, "
        "nginx) on the same two cores; their ratio is to stock Rasa's one server."
        + (" Stock is Rasa's default config trained one epoch per model (bench/stock-config-1-epoch.yml: the "
           "same layers and sizes, so the same serving cost): its training figures are for one epoch and it "
           "is not run on the question bank, as its answers mean little; its full training takes over an "
           "hour here (`--full-stock`)." if one_epoch else ""),
        "",
        "| measure | " + " | ".join(names) + (" | project/stock |" if "stock" in rows else " |"),
        "|---|" + "---|" * len(names) + ("---|" if "stock" in rows else ""),
    ]
    for measure in rows[names[0]]:
        values = [rows[n][measure] for n in names]
        ratio = ""
        stock_value = rows.get("stock", {}).get(measure)
        if measure.startswith("16 clients, new conversations, 2 servers") and "stock" in rows:
            # Stock Rasa has no scale-out of its own here: compared with its one server.
            stock_value = rows["stock"].get(measure.replace(", 2 servers behind nginx", ""))
        if one_epoch and measure == "full training (s)":
            stock_value = None  # one epoch against a full training: no ratio
        if "stock" in rows and isinstance(rows["project"][measure], (int, float)) and stock_value:
            ratio = f" {rows['project'][measure] / stock_value:.2f} |"
        elif "stock" in rows:
            ratio = " |"
        lines.append(f"| {measure} | " + " | ".join("-" if v is None else str(v) for v in values) + " |" + ratio)
    if "content_retrain" in configs.get("project", {}):
        lines += ["", "Retraining the project's config after a content edit (Rasa's cache reuses what did not change):", ""]
        lines += [f"- {edit}: {seconds} s" for edit, seconds in configs["project"]["content_retrain"].items()]
    quick = configs.get("project", {}).get("quick_retrain")
    if quick:
        bank, full_bank = quick["bank"], configs["project"]["bank"]
        labels = bank["labels"]
        lines += [
            f"- example added, `make quick-model` (Rasa's incremental training, from the full training before "
            f"both edits): {quick['seconds']} s; the quick model on the question bank: {bank['correct']} of "
            f"{bank['questions']} right (the full training above: {full_bank['correct']}), recall emergency "
            f"{labels['emergency']['recall']}, own-case {labels['consult_specialist']['recall']}, off-topic "
            f"{labels['out_of_scope']['recall']}, FAQ topic accuracy {bank['faq_topic_accuracy']}",
        ]
    lines += ["", f"Every scenario in full (JSON): `bench/{json_name}`."]
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="the trained project model only, tiny loads")
    parser.add_argument("--project-only", action="store_true", help="the project's config only, full sizes")
    parser.add_argument("--full-stock", action="store_true",
                        help="stock trained fully and run on the question bank (over an hour)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results",
                        help="results file name without extension (.md and .json are written)")
    args = parser.parse_args(argv)
    sizes = SIZES["smoke" if args.smoke else "full"]
    WORK.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    from assistant.evaluate import read_bank

    texts = [item["text"] for item in read_bank(BANK)]
    flags = " --smoke" * args.smoke + " --project-only" * args.project_only + " --full-stock" * args.full_stock
    results: Dict[str, Any] = {"command": "python -m bench.bench" + flags, "machine": machine(), "sizes": sizes,
                               "stock_trained": "fully" if args.full_stock else "one epoch per model",
                               "configs": {}}
    for name in (["project"] if args.smoke or args.project_only else ["project", "stock"]):
        full = name == "project" or args.full_stock  # a model trained as it would be in use
        print(f"[{name}] training ...", flush=True)
        config: Dict[str, Any] = {}
        if args.smoke:
            model = str(ROOT / "models" / "poi.tar.gz")
        else:
            config["training"] = full_training(name, FULL_STOCK_CONFIG if name == "stock" and full else CONFIGS[name])
            model = str(ROOT / config["training"]["model"])
        bank = full and not args.smoke
        print(f"[{name}] parsing in-process{' and the question bank' if bank else ''} ...", flush=True)
        config.update(in_process(model, texts[: sizes["parse"]], bank=bank))
        print(f"[{name}] serving and loading ...", flush=True)
        served = Served(model, name)
        try:
            config["served"] = load_scenarios(served, texts, sizes)
        finally:
            served.stop()
        if name == "project":
            print("[project] two servers behind nginx (PostgreSQL, Redis) ...", flush=True)
            config["scaled_out"] = scaled_out_scenarios(texts, sizes)
            if not args.smoke:
                print("[project] retraining after content edits ...", flush=True)
                config["content_retrain"] = content_retrains()
                print("[project] make quick-model after the same edits, and its question bank ...", flush=True)
                config["quick_retrain"] = quick_retrain(texts)
        results["configs"][name] = config
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    report = markdown(results, args.out.with_suffix(".json").name)
    args.out.with_suffix(".md").write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
