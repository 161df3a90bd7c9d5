#!/usr/bin/env bash
# HTTP load test of `dossier serve` on loopback: builds release, ingests the demo
# corpus (`dossier demo`), starts the server with a bearer token and sends a mix
# of routes (health, stats, document lists and pages, single documents, entity
# lists, searches with filters, and the graph routes: profile, neighbours,
# paths, connect, centrality, communities, claims, export) with wrk:
# REQUESTS requests in all at CONNECTIONS concurrent connections. Prints
# requests, errors (socket errors and non-2xx), p50/p90/p99/max latency and
# throughput.
#
# usage: tools/bench/http_load.sh            (REQUESTS=10000 CONNECTIONS=50 THREADS=2 PORT=18080)
# needs: cargo, curl, jq, wrk (installed with apt-get when missing and running as root)
set -euo pipefail
cd "$(dirname "$0")/../.."
REQUESTS=${REQUESTS:-10000}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
WORKERS=${WORKERS:-0}
TOKEN=bench-$$-$RANDOM

for tool in curl jq wrk; do
  if ! command -v "$tool" >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get install -y -qq "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null; }
    else
      echo "http_load: needs $tool (Debian: apt-get install $tool)" >&2
      exit 1
    fi
  fi
done

cargo build --release -q -p dossier-cli
BIN=${CARGO_TARGET_DIR:-target}/release/dossier
TMP=$(mktemp -d)
SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

DB=$TMP/dossier.db
"$BIN" --db "$DB" demo > "$TMP/demo.log" 2>&1
"$BIN" --db "$DB" serve --port "$PORT" --token "$TOKEN" --workers "$WORKERS" 2> "$TMP/server.log" &
SERVER=$!
BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 100); do
  curl -sf "$BASE/health" >/dev/null && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$TMP/server.log" >&2; exit 1; }
  sleep 0.1
done
AUTH="Authorization: Bearer $TOKEN"
api() { curl -sf -H "$AUTH" "$BASE$1"; }

# Real ids and names from the knowledge base for the per-item routes.
mapfile -t DOC_IDS < <(api "/documents?limit=10" | jq -r '.items[].id')
[ "${#DOC_IDS[@]}" -gt 0 ] || { echo "http_load: no documents served" >&2; exit 1; }
PERSON=$(api "/entities?type=Person&limit=1" | jq -r '.items[0].name // "Velasco"')
mapfile -t HUBS < <(api "/centrality?measure=degree&limit=3" | jq -r '.items[].node.id')
[ "${#HUBS[@]}" -ge 3 ] || { echo "http_load: the graph has fewer than 3 entities" >&2; exit 1; }

urlencode() { jq -rn --arg v "$1" '$v|@uri'; }
PATHS=(
  "/health"
  "/stats"
  "/documents?limit=20"
  "/documents?limit=10&offset=10"
  "/entities?limit=50"
  "/entities?type=Person&limit=20"
  "/entities?type=Location&limit=20&offset=5"
  "/search?q=Velasco"
  "/search?q=$(urlencode '"Meridian Kargo"')"
  "/search?q=$(urlencode 'attack OR bomb* -drill')&from=2025&to=2026-06"
  "/search?q=$(urlencode 'Rotterdam')&type=Person&limit=5"
  "/search?q=$(urlencode 'court')&entity=$(urlencode "$PERSON")"
  "/entities/${HUBS[0]}"
  "/entities/${HUBS[1]}/neighbours?limit=20"
  "/entities/${HUBS[2]}/neighbours?kinds=relation,role&type=Person"
  "/paths?source=${HUBS[1]}&target=${HUBS[2]}&k=3"
  "/connect?ids=${HUBS[0]},${HUBS[2]}&shared=5"
  "/centrality?measure=pagerank&limit=20"
  "/communities?limit=10"
  "/claims?limit=20"
  "/export/json?entity=${HUBS[0]}&max_nodes=100"
)
for id in "${DOC_IDS[@]:0:5}"; do PATHS+=("/documents/$id" "/documents/${id:0:8}"); done
# Every route of the mix must answer 200 before the load starts.
for p in "${PATHS[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "$BASE$p")
  [ "$code" = 200 ] || { echo "http_load: $p answered $code" >&2; exit 1; }
done

LUA=$TMP/mix.lua
{
  echo "local paths = {"
  for p in "${PATHS[@]}"; do printf '  %s,\n' "$(jq -rn --arg v "$p" '$v|@json')"; done
  echo "}"
  cat <<EOF
local budget = math.ceil($REQUESTS / $THREADS)
local i, done_n = 0, 0
local threads = 0
wrk.headers["Authorization"] = "Bearer $TOKEN"
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
-- Each thread stops after its share and leaves a marker; the script then
-- interrupts wrk, which otherwise sleeps out the whole -d duration.
function response(status, headers, body)
  done_n = done_n + 1
  if done_n == budget then
    local f = io.open("$TMP/done/" .. tostring(tid), "w")
    if f then f:close() end
    wrk.thread:stop()
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  io.write(string.format("requests %d  errors %d (connect %d, read %d, write %d, timeout %d, non-2xx %d)\n",
    summary.requests, errors, e.connect, e.read, e.write, e.timeout, e.status))
  io.write(string.format("latency  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("throughput %.0f requests/s over %.2f s\n",
    summary.requests / (summary.duration / 1e6), summary.duration / 1e6))
end
EOF
} > "$LUA"

echo "dossier serve load: $REQUESTS requests, $CONNECTIONS connections, $THREADS wrk threads, ${#PATHS[@]} routes in the mix, $(nproc) cores"
grep -o '([0-9]* store handles[^)]*)' "$TMP/server.log" || true
# -d bounds the run in time; each thread stops after its share of REQUESTS.
mkdir -p "$TMP/done"
wrk -t "$THREADS" -c "$CONNECTIONS" -d 300s --timeout 10s -s "$LUA" "$BASE" > "$TMP/wrk.out" &
WRK=$!
while kill -0 "$WRK" 2>/dev/null && [ "$(find "$TMP/done" -type f | wc -l)" -lt "$THREADS" ]; do sleep 0.05; done
kill -INT "$WRK" 2>/dev/null || true
wait "$WRK" || true
sed -n '/^requests /,$p' "$TMP/wrk.out"
if grep -q '^requests .* errors 0 ' "$TMP/wrk.out"; then
  echo "http_load: OK, no errors"
else
  echo "http_load: errors (see above)" >&2
  exit 1
fi
