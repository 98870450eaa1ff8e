"""Serving cost only, for a side-by-side with stock Rasa on this machine: one trained model served
as `bench.bench` serves it (REST, action server, SQLite), 1 and 16 concurrent new conversations.

Stock Rasa's full training on the project's data takes over an hour here, and its serving cost does
not depend on how long it trained: train its default config with one epoch per model
(bench/stock-config-1-epoch.yml: the same layers and sizes), then serve each model:

  rasa train --config bench/stock-config-1-epoch.yml --fixed-model-name stock-1-epoch --out build/bench
  python -m bench.serving build/bench/stock-1-epoch.tar.gz stock
  python -m bench.serving models/poi.tar.gz project

("stock" serves with Rasa's own SQL tracker store, as bench.bench does.) Its answers are not
meaningful; accuracy is compared by the full `make bench`.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, List, Optional

from assistant.evaluate import read_bank
from bench.bench import BANK, SIZES, Served, new_conversations, rss_mb


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("name", choices=["project", "stock"])
    parser.add_argument("--smoke", action="store_true", help="tiny loads")
    args = parser.parse_args(argv)
    texts = [item["text"] for item in read_bank(BANK)]
    served = Served(args.model, args.name)
    try:
        results: Dict[str, Any] = new_conversations(served.url, texts, SIZES["smoke" if args.smoke else "full"])
        results["server_rss_mb"] = rss_mb(served.rasa.pid)
    finally:
        served.stop()
    for scenario in results.values():
        if isinstance(scenario, dict):
            scenario.pop("_latencies", None)
    print(json.dumps({"model": args.model, "name": args.name, **results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
