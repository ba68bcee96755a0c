#!/usr/bin/env bash
# Uploads under load: does image work starve reads? Starts a release `warta serve --demo` on a
# temporary database, measures a hot read (the front page list, from the response cache) with
# wrk alone, then again while UPLOADERS clients upload distinct 12-megapixel JPEGs back to back,
# and prints both rates, their ratio (the target: reads keep at least half their rate) and the
# uploads' own count and latency. Loopback only, bounded in time; not part of CI.
#
#   bench/uploads.sh            (DURATION=10 UPLOADERS=4 CONNECTIONS=32 THREADS=2)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
UPLOADERS=${UPLOADERS:-4}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-18181}
BASE=http://127.0.0.1:$PORT
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }

cargo build --release --quiet --bin warta --example media_bench
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

photos=$((UPLOADERS * (DURATION + 5)))
echo "making $photos distinct 12 MP photos..."
target/release/examples/media_bench photos "$work/photos" "$photos"

DATABASE_URL=$work/warta.db WARTA_BIND=127.0.0.1:$PORT WARTA_LOG_FORMAT=text RUST_LOG=warn \
    target/release/warta serve --demo >"$work/warta.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do curl -sf -o /dev/null "$BASE/ready" && break; sleep 0.1; done
token=$(curl -sf -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d '{"email": "dewi.anggraini@kabarharapan.example", "password": "warta-demo-2026"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
read_path=/api/v1/articles
curl -sf -o /dev/null "$BASE$read_path"

rate() { awk '/Requests\/sec/ { print $2 }'; }
p99() { awk '$1 == "99%" { print $2 }'; }

echo "== $read_path alone"
alone=$(wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency "$BASE$read_path")
echo "$alone" | grep -E "Requests/sec|99%"

echo "== $read_path while $UPLOADERS clients upload 12 MP photos"
upload_loop() {
    local n=$1 i=$1 deadline=$(( $(date +%s) + DURATION + 1 ))
    while [ "$(date +%s)" -lt "$deadline" ] && [ -f "$work/photos/photo-$i.jpg" ]; do
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $token" \
            -F "file=@$work/photos/photo-$i.jpg;type=image/jpeg" "$BASE/api/v1/media" >>"$work/uploads-$n.txt" || true
        i=$((i + UPLOADERS))
    done
}
for n in $(seq 0 $((UPLOADERS - 1))); do upload_loop "$n" & pids+=($!); done
sleep 1
loaded=$(wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency "$BASE$read_path")
echo "$loaded" | grep -E "Requests/sec|99%"
wait "${pids[@]:1}" 2>/dev/null || true

cat "$work"/uploads-*.txt >"$work/uploads.txt"
python3 - "$work/uploads.txt" "$(echo "$alone" | rate)" "$(echo "$loaded" | rate)" \
    "$(echo "$alone" | p99)" "$(echo "$loaded" | p99)" <<'PY'
import sys
path, alone, loaded, p99_alone, p99_loaded = sys.argv[1:]
rows = [line.split() for line in open(path) if line.strip()]
ok = sorted(float(t) for code, t in rows if code == "201")
other = [code for code, _ in rows if code != "201"]
ratio = float(loaded) / float(alone)
print(f"reads alone {float(alone):,.0f} req/s (p99 {p99_alone}); during uploads {float(loaded):,.0f} req/s "
      f"(p99 {p99_loaded}): {ratio:.0%} of alone, target >= 50%: {'met' if ratio >= 0.5 else 'MISSED'}")
if ok:
    print(f"uploads: {len(ok)} stored (201), median {ok[len(ok) // 2]:.2f} s, worst {ok[-1]:.2f} s; "
          f"other answers: {', '.join(other) or 'none'}")
else:
    print(f"uploads: none stored; answers: {', '.join(other)}")
PY
