"""The event shipper against a real server: batches, the spool while Bursar is down, exactly
once on replay, drops and rejections counted."""

import json
import os

from bursar import MODELS, utc_now
from helpers import wait_until

from bursar_router import Endpoint, EventShipper


def events(feature, count, prefix=None):
    provider, model = MODELS["fast"]
    moment = utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")
    return [{"id": f"{prefix or feature}-{index}", "time": moment, "provider": provider, "model": model, "tier": "fast",
             "input_tokens": 100, "output_tokens": 10, "feature": feature} for index in range(count)]


def stored(bursar, feature):
    return bursar.json(f"/v1/spend?feature={feature}", "viewer")["total"]["requests"]


def test_events_arrive_in_batches(bursar):
    shipper = EventShipper(Endpoint(bursar.url, bursar.keys["router"]), batch_size=500, max_age=0.2)
    for event in events("py-batches", 1200):
        assert shipper.ship(event)
    assert shipper.flush(20)
    assert stored(bursar, "py-batches") == 1200
    assert (shipper.statistics.accepted, shipper.statistics.duplicates, shipper.statistics.rejected) == (1200, 0, 0)
    shipper.close()


def test_a_batch_larger_than_the_server_takes_is_sent_in_halves_not_dropped(bursar):
    # About 18 MB in one batch, past the server's 16 MiB body limit (413): sent again in halves.
    batch = events("py-halves", 15_000)
    for event in batch:
        event["user"] = "u" * 1000
    shipper = EventShipper(Endpoint(bursar.url, bursar.keys["router"]), batch_size=15_000, max_age=60)
    for event in batch:
        assert shipper.ship(event)
    assert shipper.flush(60)
    assert (shipper.statistics.accepted, shipper.statistics.rejected, shipper.statistics.dropped) == (15_000, 0, 0)
    assert stored(bursar, "py-halves") == 15_000
    shipper.close()


def test_an_event_without_id_or_time_gets_them_when_shipped(bursar):
    shipper = EventShipper(Endpoint(bursar.url, bursar.keys["router"]), max_age=0.1)
    event = events("py-no-id", 1)[0]
    del event["id"], event["time"]
    assert shipper.ship(event)
    assert "id" not in event  # the caller's dict is left alone
    assert shipper.flush(10) and stored(bursar, "py-no-id") == 1
    shipper.close()


def test_while_bursar_is_down_events_spool_and_arrive_once(bursar, state):
    bursar.stop()
    shipper = EventShipper(Endpoint(bursar.url, bursar.keys["router"]), spool_directory=state, max_age=0.1)
    for event in events("py-down", 300):
        shipper.ship(event)
    assert wait_until(lambda: shipper.statistics.spooled == 300)
    assert os.path.getsize(os.path.join(state, "events.ndjson")) > 0
    bursar.restart()
    assert shipper.flush(30), shipper.statistics
    assert stored(bursar, "py-down") == 300
    assert shipper.statistics.accepted == 300 and not os.path.exists(os.path.join(state, "events.ndjson"))
    shipper.close()


def test_a_batch_sent_but_not_acknowledged_is_sent_again_and_counted_once(bursar, state):
    batch = events("py-resent", 50)
    status, _ = bursar.request("POST", "/v1/events", "router", batch)
    assert status == 200
    # As if the router died after Bursar stored the batch and before the spool moved on.
    os.makedirs(state, exist_ok=True)
    with open(os.path.join(state, "events.ndjson"), "w") as spool:
        spool.write("".join(json.dumps(event) + "\n" for event in batch))
    shipper = EventShipper(Endpoint(bursar.url, bursar.keys["router"]), spool_directory=state, max_age=0.1)
    assert shipper.flush(20)
    assert shipper.statistics.duplicates == 50 and shipper.statistics.accepted == 0
    assert stored(bursar, "py-resent") == 50
    shipper.close()


def test_a_full_queue_drops_and_counts(bursar):
    bursar.stop()
    shipper = EventShipper(Endpoint(bursar.url, bursar.keys["router"]), batch_size=1000, max_age=3600, queue_limit=10)
    taken = [shipper.ship(event) for event in events("py-full", 20)]
    assert taken == [True] * 10 + [False] * 10
    assert shipper.statistics.dropped == 10 and shipper.statistics.queued == 10


def test_invalid_events_are_counted_not_retried(bursar):
    shipper = EventShipper(Endpoint(bursar.url, bursar.keys["router"]), max_age=0.1)
    good, bad = events("py-invalid", 2)
    del bad["provider"]
    shipper.ship(good)
    shipper.ship(bad)
    assert shipper.flush(10)
    assert (shipper.statistics.accepted, shipper.statistics.rejected) == (1, 1)
    shipper.close()


def test_an_event_that_is_not_json_is_left_out_and_the_shipper_goes_on(bursar):
    shipper = EventShipper(Endpoint(bursar.url, bursar.keys["router"]), max_age=0.1)
    good, nan, bad_key = events("py-not-json", 3)
    nan["latency_ms"] = float("nan")
    bad_key[("a", "tuple")] = 1
    for event in (nan, bad_key, good):
        shipper.ship(event)
    assert shipper.flush(10)
    assert (shipper.statistics.accepted, shipper.statistics.rejected) == (1, 2)
    assert shipper._thread.is_alive()
    shipper.close()


def test_flush_sends_at_once_whatever_the_batch_age(bursar):
    shipper = EventShipper(Endpoint(bursar.url, bursar.keys["router"]), max_age=3600)
    shipper.ship(events("py-flush", 1)[0])
    assert shipper.flush(5) and stored(bursar, "py-flush") == 1
    shipper.close()


def test_a_line_cut_short_by_a_crash_is_dropped_not_glued_to_the_next(bursar, state):
    kept, cut = events("py-cut", 2)
    os.makedirs(state, exist_ok=True)
    with open(os.path.join(state, "events.ndjson"), "w") as spool:
        spool.write(json.dumps(kept) + "\n" + json.dumps(cut)[:25])
    shipper = EventShipper(Endpoint(bursar.url, bursar.keys["router"]), spool_directory=state, max_age=0.1)
    shipper.ship(events("py-cut", 1, prefix="py-cut-after")[0])
    assert shipper.flush(10)
    assert (shipper.statistics.accepted, shipper.statistics.rejected) == (2, 0)
    shipper.close()


def test_an_offset_left_without_its_lines_does_not_skip_later_ones(bursar, state):
    os.makedirs(state, exist_ok=True)
    with open(os.path.join(state, "events.offset"), "w") as offset:
        offset.write("1000000")  # a crash between removing the lines and their offset
    bursar.stop()
    down = EventShipper(Endpoint(bursar.url, bursar.keys["router"]), spool_directory=state, max_age=0.1)
    for event in events("py-stale-offset", 2):
        down.ship(event)
    down.close(timeout=1)
    bursar.restart()
    again = EventShipper(Endpoint(bursar.url, bursar.keys["router"]), spool_directory=state, max_age=0.1)
    assert again.flush(10) and stored(bursar, "py-stale-offset") == 2
    again.close()


def test_closing_without_a_spool_counts_what_it_could_not_send(bursar):
    bursar.stop()
    shipper = EventShipper(Endpoint(bursar.url, bursar.keys["router"]), max_age=3600)
    for event in events("py-lost", 5):
        shipper.ship(event)
    shipper.close(timeout=0.5)
    assert shipper.statistics.dropped == 5
