#!/usr/bin/env bash
# make bench: every figure measured side by side in one run, on this machine.
# Prints a table; BENCHMARKS.md keeps the latest one.
set -euo pipefail
cd "$(dirname "$0")/.."
BURSAR=.build/release/bursar
BENCH=.build/release/bursar-bench
WORK=$(mktemp -d /tmp/bursar-bench.XXXXXX)
PORT=${BENCH_PORT:-18290}
EVENTS=${BENCH_EVENTS:-400000}
LARGE=${BENCH_LARGE_EVENTS:-10000000}
SERVER=""
REPLICAS=""
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PGDIR=$WORK/pg
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
  [ -n "$REPLICAS" ] && kill $REPLICAS 2>/dev/null
  wait 2>/dev/null
  [ -f "$PGDIR/data/postmaster.pid" ] && as_postgres "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

start_server() { # DB [extra args...]
  local db=$1; shift
  $BURSAR serve --db "$db" --listen 127.0.0.1:$PORT --quiet "$@" >"$WORK/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && return; sleep 0.1; done
  echo "server did not start"; cat "$WORK/serve.log"; exit 1
}
stop_server() { kill "$SERVER"; wait "$SERVER" || true; SERVER=""; }
value() { awk -v k="$1" '$1 == k { print $2 }'; }

echo "== ingest over HTTP: 100-event JSON batches, 64 connections, synchronous=FULL, durable acks"
# The corpus is shipped as source bench-7 (the shipper as bench-shipper): the key may write bench-*.
KEY=$($BURSAR keys create --role admin --name bench --sources 'bench,bench-*' --db "$WORK/ingest.db")
start_server "$WORK/ingest.db"
INGEST=$($BENCH ingest --url http://127.0.0.1:$PORT --key "$KEY" --events "$EVENTS" --batch-size 100 --connections 64)
echo "$INGEST"
echo "== the SDK's event shipper: cost of ship() on the caller's thread, against appending to an array"
SHIPPER=$($BENCH shipper --url http://127.0.0.1:$PORT --key "$KEY" --events 200000)
echo "$SHIPPER"
echo "== the Python package (clients/python): decisions on one core on this server's bundle, and ship() on the caller's thread"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check ./clients/python
PYTHON_ROUTER=$(.venv/bin/python clients/python/bench/bench_router.py --url http://127.0.0.1:$PORT --key "$KEY" --decisions 1000000 --events 200000)
echo "$PYTHON_ROUTER"
stop_server
INGEST_RATE=$(echo "$INGEST" | value ingest_events_per_second)

echo "== policy decisions on one core (the SDK's decide, policies/default.yaml, 2 overrides, 2 exceeded budgets)"
DECIDE=$($BENCH decide --decisions 5000000)
echo "$DECIDE"

echo "== the same rows inserted raw into SQLite (events table only, one transaction)"
RAW=$($BENCH insert --db "$WORK/raw.db" --events "$EVENTS")
echo "$RAW"
RAW_RATE=$(echo "$RAW" | value raw_insert_rows_per_second)

echo "== PostgreSQL: ingest into one replica and into three, against a raw COPY of the same rows"
# A throwaway cluster on a Unix socket in the work folder, run as postgres (it refuses root).
chmod 755 "$WORK"
mkdir -p "$PGDIR" && chmod 777 "$PGDIR"
as_postgres "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres -E UTF8 --locale=C >"$WORK/initdb.log"
as_postgres "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w start \
  -o "-c listen_addresses='' -k $PGDIR -c max_connections=200 -c shared_buffers=256MB" >/dev/null
pg_url() { echo "postgresql:///$1?host=$PGDIR&user=postgres"; }
pg_ingest() { # DATABASE REPLICAS
  local url urls=() pids=()
  url=$(pg_url "$1")
  as_postgres "$PGBIN/createdb" -h "$PGDIR" -U postgres "$1"
  local key
  key=$($BURSAR keys create --role admin --name bench --sources 'bench,bench-*' --database "$url")
  for i in $(seq "$2"); do
    local port=$((PORT + 10 + i))
    $BURSAR serve --database "$url" --listen 127.0.0.1:$port --quiet >"$WORK/replica-$i.log" 2>&1 &
    pids+=($!)
    urls+=(--url "http://127.0.0.1:$port")
  done
  REPLICAS="${pids[*]}"
  for i in $(seq "$2"); do
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$((PORT + 10 + i))/healthz" >/dev/null && break; sleep 0.1; done
  done
  $BENCH ingest "${urls[@]}" --key "$key" --events "$EVENTS" --batch-size 100 --connections 64 | value ingest_events_per_second
  kill $REPLICAS; wait $REPLICAS 2>/dev/null || true
  REPLICAS=""
}
# A first COPY, not measured, so that every measured run finds the write-ahead log's files
# made already (the first writer on a new cluster creates them and runs up to a third slower).
as_postgres "$PGBIN/createdb" -h "$PGDIR" -U postgres warmup
$BURSAR migrate --database "$(pg_url warmup)" >/dev/null
$BENCH copy --database "$(pg_url warmup)" --events "$EVENTS" >/dev/null
PG_ONE=$(pg_ingest ingest_one 1)
PG_THREE=$(pg_ingest ingest_three 3)
as_postgres "$PGBIN/createdb" -h "$PGDIR" -U postgres rawcopy
$BURSAR migrate --database "$(pg_url rawcopy)" >/dev/null
PG_COPY=$($BENCH copy --database "$(pg_url rawcopy)" --events "$EVENTS" | value raw_copy_rows_per_second)
echo "postgres_ingest_one $PG_ONE postgres_ingest_three $PG_THREE raw_copy $PG_COPY"

echo "== bundle 304s: Bursar against nginx serving the same bytes with an ETag (wrk, 64 connections, 10 s)"
KEY=$($BURSAR keys create --role router --name bench-router --db "$WORK/bundle.db")
start_server "$WORK/bundle.db"
curl -sf -D "$WORK/bundle.headers" -o "$WORK/www/bundle.json" --create-dirs -H "Authorization: Bearer $KEY" http://127.0.0.1:$PORT/v1/bundle
BUNDLE_ETAG=$(awk 'tolower($1) == "etag:" { print $2 }' "$WORK/bundle.headers" | tr -d '\r')
BURSAR_304=$(wrk -t2 -c64 -d10s -H "Authorization: Bearer $KEY" -H "If-None-Match: $BUNDLE_ETAG" \
  http://127.0.0.1:$PORT/v1/bundle | awk '/Requests\/sec/ { printf "%d", $2 }')
cat >"$WORK/nginx.conf" <<NGINX
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen 127.0.0.1:$((PORT + 1)); root $WORK/www; etag on; }
}
NGINX
nginx -c "$WORK/nginx.conf"
NGINX_ETAG=$(curl -sI http://127.0.0.1:$((PORT + 1))/bundle.json | awk 'tolower($1) == "etag:" { print $2 }' | tr -d '\r')
NGINX_304=$(wrk -t2 -c64 -d10s -H "If-None-Match: $NGINX_ETAG" http://127.0.0.1:$((PORT + 1))/bundle.json \
  | awk '/Requests\/sec/ { printf "%d", $2 }')
kill "$(cat "$WORK/nginx.pid")"
echo "bursar_304_per_second $BURSAR_304 nginx_304_per_second $NGINX_304"

echo "== resident memory with 5,000 held long polls"
ulimit -n 20000 || true
LONGPOLL=$($BENCH long-poll --url http://127.0.0.1:$PORT --key "$KEY" --connections 5000 --pid "$SERVER")
echo "$LONGPOLL"
stop_server
RSS_HELD=$(echo "$LONGPOLL" | awk '{ print $6 }')

query_bench() { # label
  local key
  key=$($BURSAR keys create --role viewer --name "viewer-$1" --db "$WORK/large.db")
  start_server "$WORK/large.db"
  $BENCH query --url http://127.0.0.1:$PORT --key "$key" --runs 40 --label "$1" | tee -a "$WORK/queries.txt"
  stop_server
}

echo "== spend queries at 1M events (90 days, 10k users)"
$BENCH seed --db "$WORK/large.db" --events 1000000 --days 90 --users 10000 --seed 11 2>/dev/null
query_bench 1M
if [ "$LARGE" -gt 1000000 ]; then
  echo "== spend queries at $((LARGE / 1000000))M events"
  $BENCH seed --db "$WORK/large.db" --events $((LARGE - 1000000)) --days 90 --users 10000 --seed 12 2>/dev/null
  query_bench "$((LARGE / 1000000))M"
fi

SIZE="$(( (LARGE > 1000000 ? LARGE : 1000000) / 1000000 ))M"
echo "== spend queries at $SIZE events on PostgreSQL: the same file moved by bursar copy"
as_postgres "$PGBIN/createdb" -h "$PGDIR" -U postgres large
BURSAR_DATABASE="$(pg_url large)" $BURSAR copy --from "$WORK/large.db"
KEY=$($BURSAR keys create --role viewer --name viewer-postgresql --database "$(pg_url large)")
$BURSAR serve --database "$(pg_url large)" --listen 127.0.0.1:$PORT --quiet >"$WORK/serve-postgresql.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done
curl -sf http://127.0.0.1:$PORT/healthz >/dev/null || { echo "the replica did not start"; cat "$WORK/serve-postgresql.log"; exit 1; }
$BENCH query --url http://127.0.0.1:$PORT --key "$KEY" --runs 40 --label "$SIZE" | tee "$WORK/postgresql-queries.txt"
stop_server

echo
echo "| figure | value |"
echo "|---|---|"
echo "| ingest events/s (HTTP, 100-event batches, durable acks) | $INGEST_RATE |"
echo "| raw SQLite insert rows/s (same rows, one transaction) | $RAW_RATE |"
echo "| ratio ingest / raw (target >= 0.35) | $(awk -v a="$INGEST_RATE" -v b="$RAW_RATE" 'BEGIN { printf "%.2f", a / b }') |"
echo "| bundle 304/s: Bursar / nginx, same bytes (target ratio >= 1.0) | $BURSAR_304 / $NGINX_304 = $(awk -v a="$BURSAR_304" -v b="$NGINX_304" 'BEGIN { printf "%.2f", a / b }') |"
echo "| RSS with 5,000 held long polls, MiB (target < 100) | $RSS_HELD |"
echo "| SDK decide, decisions/s on one core (target >= 1,000,000) | $(echo "$DECIDE" | value decide_per_second) |"
echo "| SDK ship(), ns per event on the caller's thread / array append floor | $(echo "$SHIPPER" | value ship_ns_per_event) / $(echo "$SHIPPER" | awk '{ print $4 }') |"
echo "| Python decide, decisions/s on one core (target >= 100,000) / Swift's | $(echo "$PYTHON_ROUTER" | value python_decide_per_second) / $(echo "$DECIDE" | value decide_per_second) |"
echo "| Python ship(), ns per event on the caller's thread / list.append floor | $(echo "$PYTHON_ROUTER" | value python_ship_ns_per_event) / $(echo "$PYTHON_ROUTER" | awk '/python_ship_ns_per_event/ { print $4 }') |"
echo "| PostgreSQL ingest events/s: one replica / three replicas (target three >= 0.9x one) | $PG_ONE / $PG_THREE = $(awk -v a="$PG_THREE" -v b="$PG_ONE" 'BEGIN { printf "%.2f", a / b }') |"
echo "| PostgreSQL: one replica / raw COPY of the same rows (target >= 0.3) | $PG_ONE / $PG_COPY = $(awk -v a="$PG_ONE" -v b="$PG_COPY" 'BEGIN { printf "%.2f", a / b }') |"
while read -r _ label name _ p50 _ p95; do
  echo "| $name at $label events: p50 / p95 ms (target p95 < 50) | $p50 / $p95 |"
done < "$WORK/queries.txt"
while read -r _ label name _ p50 _ p95; do
  sqlite=$(awk -v l="$label" -v n="$name" '$2 == l && $3 == n { print $7 }' "$WORK/queries.txt")
  echo "| $name at $label events on PostgreSQL: p50 / p95 ms, p95 against SQLite's (target <= 2) | $p50 / $p95, $(awk -v a="$p95" -v b="$sqlite" 'BEGIN { printf "%.2f", a / b }') |"
done < "$WORK/postgresql-queries.txt"
