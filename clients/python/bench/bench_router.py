"""make bench's Python lines: policy decisions per second on one core (bursar_router's engine
on the bundle a real server publishes, with the overrides and budgets of ``bursar-bench
decide``), and ``ship()``'s cost per event on the caller's thread against ``list.append``.

    python bench_router.py --url http://127.0.0.1:18290 --key KEY [--decisions 500000] [--events 200000]
"""

import argparse
import json
import random
import sys
import time
import urllib.request

from bursar_router import BudgetState, Bundle, EventShipper, Endpoint, Override, PolicyEngine, RoutingRequest


def bundle(url, key):
    request = urllib.request.Request(url + "/v1/bundle", headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return Bundle.parse(response.read())


def decisions_per_second(parsed, count):
    overrides = [Override("ceo", {"user": "user-7"}, "force_tier", "frontier", None),
                 Override("legal", {"team": "legal"}, "min_tier", "standard", None)]
    budgets = [BudgetState("support", {"feature": "support-chat"}, "exceeded", "downgrade", "fast"),
               BudgetState("interns", {"team": "interns"}, "exceeded", "block")]
    engine = PolicyEngine(parsed.policy, "bench", overrides, budgets)
    generator = random.Random(5)
    requests = [RoutingRequest(user=f"user-{generator.randrange(50)}", team=generator.choice(["support", "legal", "executives", "interns", "sales"]),
                               feature=generator.choice(["support-chat", "search", "contract-review", "code-assist"]),
                               intent=generator.choice(["faq", "legal_analysis", "code_generation", "chat"]),
                               complexity=generator.randrange(100) / 100, confidence=generator.randrange(100) / 100,
                               pii=generator.randrange(20) == 0, context_tokens=generator.randrange(12000), request_id=f"r-{index}")
                for index in range(4096)]
    decide = engine.decide
    checksum = 0
    started = time.perf_counter()
    for index in range(count):
        decision = decide(requests[index & 4095], 0)
        checksum += len(decision.tier)
    seconds = time.perf_counter() - started
    return count / seconds, seconds * 1e9 / count, checksum


def ship_cost(url, key, count):
    moment = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    events = [{"id": f"py-ship-{index}-{time.time_ns()}", "source": "bench-py-shipper", "time": moment, "provider": "groq",
               "model": "llama-3.1-8b-instant", "tier": "fast", "input_tokens": 900, "output_tokens": 120,
               "user": f"user-{index % 1000}", "feature": "support-chat"} for index in range(count)]
    floor = []
    started = time.perf_counter()
    for event in events:
        floor.append(event)
    floor_ns = (time.perf_counter() - started) * 1e9 / count
    shipper = EventShipper(Endpoint(url, key), queue_limit=count)
    started = time.perf_counter()
    for event in events:
        shipper.ship(event)
    ship_ns = (time.perf_counter() - started) * 1e9 / count
    flushed = shipper.flush(120)
    shipper.close()
    return ship_ns, floor_ns, shipper.statistics, flushed


def main():
    options = argparse.ArgumentParser()
    options.add_argument("--url", required=True)
    options.add_argument("--key", required=True)
    options.add_argument("--decisions", type=int, default=500_000)
    options.add_argument("--events", type=int, default=200_000)
    arguments = options.parse_args()
    parsed = bundle(arguments.url, arguments.key)
    rate, nanos, checksum = decisions_per_second(parsed, arguments.decisions)
    print(f"python_decide_per_second {rate:.0f} ns_per_decision {nanos:.0f} checksum {checksum}")
    ship_ns, floor_ns, statistics, flushed = ship_cost(arguments.url, arguments.key, arguments.events)
    print(f"python_ship_ns_per_event {ship_ns:.0f} list_append_ns_per_event {floor_ns:.0f} accepted {statistics.accepted} "
          f"dropped {statistics.dropped} flushed {flushed}")
    if statistics.accepted != arguments.events:
        print(json.dumps(statistics.as_dict()), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
