#!/usr/bin/env bash
# Warta's benchmark: generates datasets, serves each one, drives it with wrk, drives a ceiling
# server (examples/ceiling.rs, replaying Warta's own captured responses) with the same load,
# and writes a Markdown report to bench/results/latest.md. See bench/README.md.
#
# Usage: bench/run.sh
# Optional environment:
#   DURATION=10            seconds of load per scenario
#   SIZES="1k 10k 100k"    datasets, in articles (k = thousand, m = million); comments = 10 x articles
#   COMMENTS_PER_ARTICLE=10
#   CONNECTIONS=32 THREADS=2   wrk load shape
#   BENCH_SKIP_BUILD=1     do not run cargo; use WARTA_BIN and CEILING_BIN as they are
#   WARTA_BIN, CEILING_BIN binaries (default: target/release/warta, target/release/examples/ceiling)
#   BENCH_DATA_DIR         where datasets live (default: bench/data, reused when present)
#   GEN_TIMEOUT=3600       seconds allowed for generating one dataset
#   KEEP_WORK=1            keep the working copy of each dataset after its run
#   BENCH_BACKEND=postgres serve from PostgreSQL: each SQLite dataset is copied once (`warta copy`,
#                          timed) into a database of its own, and every run works on a fresh
#                          copy of that (CREATE DATABASE ... TEMPLATE). Needs BENCH_POSTGRES.
#   BENCH_POSTGRES         an administrative URL, e.g. postgres://warta:warta@127.0.0.1:5432/postgres
#                          (.ci/postgres.sh starts a server and prints one)
#   BENCH_INSTANCES=3      on PostgreSQL, also serve the list and comment POSTs from this many instances
#                          on the one database behind haproxy (when haproxy is installed; 1: skip)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
DURATION=${DURATION:-10}
SIZES=${SIZES:-"1k 10k 100k"}
COMMENTS_PER_ARTICLE=${COMMENTS_PER_ARTICLE:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
GEN_TIMEOUT=${GEN_TIMEOUT:-3600}
DATA_DIR=${BENCH_DATA_DIR:-$BENCH_DIR/data}
BACKEND=${BENCH_BACKEND:-sqlite}
RESULTS_DIR=$BENCH_DIR/results
RAW_DIR=$RESULTS_DIR/raw
REPORT=$RESULTS_DIR/latest.md
if [ "$BACKEND" = postgres ]; then
    [ -n "${BENCH_POSTGRES:-}" ] || { echo "BENCH_BACKEND=postgres needs BENCH_POSTGRES (an admin URL)" >&2; exit 1; }
    RAW_DIR=$RESULTS_DIR/raw-postgres
    REPORT=$RESULTS_DIR/latest-postgres.md
elif [ "$BACKEND" != sqlite ]; then
    echo "BENCH_BACKEND is sqlite or postgres" >&2
    exit 1
fi
LUA=$BENCH_DIR/lua/scenario.lua
WARTA_BIN=${WARTA_BIN:-$ROOT/target/release/warta}
CEILING_BIN=${CEILING_BIN:-$ROOT/target/release/examples/ceiling}
# Search terms (comma-separated, URL-encoded); the wrk script picks one at random per request.
SEARCH_WORDS=${SEARCH_WORDS:-"harga,pasar,banjir,menteri,kopi,pemilu,sekolah,investasi,beras,petani,gempa,korupsi,listrik,pajak,wisata,nelayan,inflasi,pelabuhan,harga%20beras,banjir%20jakarta"}
EDITOR_EMAIL=editor2@generated.example
BENCH_PASSWORD=warta-bench-2026
NONCE=$(date +%s%N)

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- processes and cleanup
PIDS=()
stop_pid() { # pid: SIGTERM, then SIGKILL after 40 s
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 400; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local kept=() p
    for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
    PIDS=("${kept[@]+"${kept[@]}"}")
}
cleanup() {
    local p
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do stop_pid "$p"; done
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- build and tools
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    log "building release binaries"
    features=()
    [ "$BACKEND" = postgres ] && features=(--features postgres)
    (cd "$ROOT" && cargo build --release "${features[@]}" --bin warta --example ceiling)
fi
[ -x "$WARTA_BIN" ] || die "no warta binary at $WARTA_BIN"
[ -x "$CEILING_BIN" ] || die "no ceiling binary at $CEILING_BIN"
command -v wrk >/dev/null || die "wrk is missing (Debian/Ubuntu: apt-get install wrk)"
command -v curl >/dev/null || die "curl is missing"
command -v python3 >/dev/null || die "python3 is missing"

mkdir -p "$DATA_DIR" "$RAW_DIR"
RESULTS=$RAW_DIR/results.tsv   # size scenario target <BENCH line from the wrk script>
FACTS=$RAW_DIR/facts.tsv       # size key value
: >"$RESULTS"
: >"$FACTS"
fact() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$FACTS"; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
json() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
header() { tr -d '\r' | awk -v h="$1" 'index(tolower($0), h ": ") == 1 { v = substr($0, length(h) + 3) } END { print v }'; }
vmhwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
parse_size() {
    local s=${1,,}
    case $s in
    *k) echo $((${s%k} * 1000)) ;;
    *m) echo $((${s%m} * 1000000)) ;;
    *) echo "$s" ;;
    esac
}

# ---------------------------------------------------------------- PostgreSQL
pg_admin() { psql "$BENCH_POSTGRES" -q -v ON_ERROR_STOP=1 -tA "$@"; }
# pg_url NAME: the URL of database NAME on the benchmark's server (its parameters kept)
pg_url() {
    local base=${BENCH_POSTGRES%%\?*} params=
    [ "$base" != "$BENCH_POSTGRES" ] && params="?${BENCH_POSTGRES#*\?}"
    echo "${base%/*}/$1$params"
}

# ---------------------------------------------------------------- servers
JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
# start_warta DB CACHE(on|off) LOG: sets WARTA_PID, BASE and READY_MS
start_warta() {
    local db=$1 cache=$2 logfile=$3 port t0 code i
    port=$(free_port)
    BASE=http://127.0.0.1:$port
    t0=$(now_ms)
    (cd "$DATA_DIR" && exec env DATABASE_URL="$db" WARTA_BIND="127.0.0.1:$port" \
        WARTA_COMMENT_RATE_PER_MINUTE=100 WARTA_TRUSTED_PROXIES=127.0.0.1 \
        WARTA_RESPONSE_CACHE="$cache" WARTA_JWT_SECRET="$JWT_SECRET" \
        RUST_LOG=warn "$WARTA_BIN" serve) >"$logfile" 2>&1 &
    WARTA_PID=$!
    PIDS+=("$WARTA_PID")
    for ((i = 0; i < 6000; i++)); do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/ready" || true)
        [ "$code" = 200 ] && break
        kill -0 "$WARTA_PID" 2>/dev/null || die "warta exited during start-up; see $logfile"
        sleep 0.01
    done
    [ "$code" = 200 ] || die "warta not ready after 60 s; see $logfile"
    READY_MS=$(($(now_ms) - t0))
    log "warta (cache $cache) pid $WARTA_PID ready on $BASE in ${READY_MS} ms"
}

# start_ceiling DIR: sets CEILING_PID and BASE
start_ceiling() {
    local dir=$1 port i code
    port=$(free_port)
    BASE=http://127.0.0.1:$port
    "$CEILING_BIN" "127.0.0.1:$port" "$dir" >"$RAW_DIR/ceiling-$SIZE.log" 2>&1 &
    CEILING_PID=$!
    PIDS+=("$CEILING_PID")
    for ((i = 0; i < 3000; i++)); do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/api/v1/categories" || true)
        [ "$code" = 200 ] && break
        kill -0 "$CEILING_PID" 2>/dev/null || die "ceiling exited; see $RAW_DIR/ceiling-$SIZE.log"
        sleep 0.01
    done
    [ "$code" = 200 ] || die "ceiling not answering"
}

# start_balanced DB N: N instances (cache on) on DB behind haproxy (round robin, health-checked on
# /ready, X-Forwarded-For added); sets BASE to the balancer and BALANCED_PIDS.
start_balanced() {
    local db=$1 n=$2 port i code servers=""
    BALANCED_PIDS=()
    for ((i = 1; i <= n; i++)); do
        start_warta "$db" on "$RAW_DIR/warta-$SIZE-instance-$i.log"
        BALANCED_PIDS+=("$WARTA_PID")
        servers+="    server warta$i ${BASE#http://} check inter 1s"$'\n'
    done
    port=$(free_port)
    cat >"$RAW_DIR/haproxy-$SIZE.cfg" <<CFG
global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    option http-keep-alive
    option forwardfor
frontend warta
    bind 127.0.0.1:$port
    default_backend instances
backend instances
    balance roundrobin
    option httpchk GET /ready
$servers
CFG
    haproxy -db -f "$RAW_DIR/haproxy-$SIZE.cfg" >"$RAW_DIR/haproxy-$SIZE.log" 2>&1 &
    BALANCED_PIDS+=("$!")
    PIDS+=("$!")
    BASE=http://127.0.0.1:$port
    for ((i = 0; i < 300; i++)); do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/ready" || true)
        [ "$code" = 200 ] && break
        sleep 0.1
    done
    [ "$code" = 200 ] || die "haproxy not answering; see $RAW_DIR/haproxy-$SIZE.log"
    log "$n instances behind haproxy on $BASE"
}

# ---------------------------------------------------------------- load
# settle: waits (at most 60 s) until the server answers /ready within 50 ms, so that work queued by
# the previous scenario (requests wrk abandoned when its time was up) does not slow the next one.
settle() {
    local i t waited=0
    for ((i = 0; i < 600; i++)); do
        t=$(curl -s -o /dev/null -w '%{time_total}' --max-time 5 "$BASE/ready" || echo 9)
        awk -v t="$t" 'BEGIN { exit !(t < 0.05) }' && break
        waited=1
        sleep 0.1
    done
    if [ "$waited" = 1 ]; then log "  waited $((i / 10 + 1)) s or so for the server to settle"; fi
}

# bench SCENARIO TARGET PATH [wrk args...]; scenario-specific BENCH_* variables come from the caller's env
bench() {
    local scenario=$1 target=$2 path=$3 out line
    shift 3
    out=$RAW_DIR/$SIZE-$scenario-$target.txt
    settle
    log "$SIZE $scenario on $target: $path"
    timeout $((DURATION + 60)) env BENCH_NONCE="$NONCE-$target" BENCH_WORDS="${BENCH_WORDS:-$SEARCH_WORDS}" \
        wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 10s --latency -s "$LUA" "$@" "$BASE$path" \
        >"$out" 2>&1 || log "wrk ended with an error (see $out)"
    line=$(grep '^BENCH ' "$out" | tail -1 || true)
    [ -n "$line" ] || { log "no result line in $out"; return 0; }
    printf '%s\t%s\t%s\t%s\n' "$SIZE" "$scenario" "$target" "$line" >>"$RESULTS"
    log "  $line"
}

# commenting_start PATH: a paced background load of comment POSTs (about 200/s) until
# commenting_stop, which records its rate as the scenario `comment_background`.
commenting_start() {
    COMMENTING_OUT=$RAW_DIR/$SIZE-comment_background-warta.txt
    timeout $((DURATION + 70)) env BENCH_NONCE="$NONCE-background" BENCH_MODE=comment BENCH_PATH="$1" BENCH_DELAY_MS=15 \
        wrk -t 1 -c 4 -d "$((DURATION + 2))s" --timeout 10s --latency -s "$LUA" "$BASE$1" >"$COMMENTING_OUT" 2>&1 &
    COMMENTING_PID=$!
    PIDS+=("$COMMENTING_PID")
    sleep 1
}
commenting_stop() {
    local line
    wait "$COMMENTING_PID" 2>/dev/null || log "background comment load ended with an error (see $COMMENTING_OUT)"
    local kept=() p
    for p in "${PIDS[@]}"; do [ "$p" = "$COMMENTING_PID" ] || kept+=("$p"); done
    PIDS=("${kept[@]+"${kept[@]}"}")
    line=$(grep '^BENCH ' "$COMMENTING_OUT" | tail -1 || true)
    [ -n "$line" ] || { log "no result line in $COMMENTING_OUT"; return 0; }
    printf '%s\t%s\t%s\t%s\n' "$SIZE" comment_background warta "$line" >>"$RESULTS"
    log "  background comments: $line"
}

# expect STATUS CURL-ARGS...: one request whose status must be STATUS (a sanity check before a scenario)
expect() {
    local want=$1 code
    shift
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$@" || true)
    [ "$code" = "$want" ] || die "expected $want, got $code for: $*"
}

# capture DIR NAME METHOD PATH [curl args...]: stores Warta's answer for the ceiling (index.tsv) when
# it is a 2xx; prints "STATUS SECONDS" (000 when no answer came within CAPTURE_TIMEOUT seconds).
CAPTURE_TIMEOUT=${CAPTURE_TIMEOUT:-30}
capture() {
    local dir=$1 name=$2 method=$3 path=$4 out code took ctype etag
    shift 4
    out=$(curl -s -X "$method" -D "$dir/$name.hdr" -o "$dir/$name.body" -w '%{http_code} %{time_total}' \
        --max-time "$CAPTURE_TIMEOUT" "$@" "$BASE$path" || true)
    code=${out%% *}
    took=${out#* }
    if [ "${code:0:1}" = 2 ]; then
        ctype=$(header content-type <"$dir/$name.hdr")
        etag=$(header etag <"$dir/$name.hdr")
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$method" "$path" "$code" "${ctype:--}" "${etag:--}" "$name.body" >>"$dir/index.tsv"
    fi
    echo "$code $took"
}

# ---------------------------------------------------------------- machine
MACHINE="nproc $(nproc); $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo); memory $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); kernel $(uname -r); $(date -u +%Y-%m-%dT%H:%M:%SZ)"
fact - machine "$MACHINE"
if [ "$BACKEND" = postgres ]; then
    fact - backend "PostgreSQL $(pg_admin -c 'SHOW server_version') on loopback (the same machine)"
else
    fact - backend "SQLite (bundled), WAL, synchronous = FULL"
fi
fact - load "wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), -t $THREADS -c $CONNECTIONS -d ${DURATION}s, loopback"
log "machine: $MACHINE"

# ---------------------------------------------------------------- one dataset
run_size() {
    SIZE=$1
    local articles comments db work t0 t1 gen
    articles=$(parse_size "$SIZE")
    comments=$((articles * COMMENTS_PER_ARTICLE))
    db=$DATA_DIR/articles-$SIZE.db
    fact "$SIZE" dataset "$articles articles, $comments comments"

    # 1. dataset: reuse or generate. A dataset is reused only if it was generated by the same
    # generator and schema (the key hashes their sources).
    local key
    key=$(cat "$ROOT"/src/generate/*.rs "$ROOT"/src/db/bulk.rs "$ROOT"/migrations/sqlite/*/up.sql | sha256sum | cut -c1-16)
    if [ -f "$db" ] && [ -f "$db.gen" ] && [ "$(sed -n 2p "$db.gen")" = "$key" ]; then
        gen=$(sed -n 1p "$db.gen")
        log "$SIZE: reusing $db (generated in $gen s)"
        fact "$SIZE" generation "reused $(basename "$db"), generated earlier in $gen s"
    else
        rm -f "$db" "$db-wal" "$db-shm" "$db.tmp" "$db.tmp-wal" "$db.tmp-shm"
        log "$SIZE: generating $articles articles and $comments comments"
        t0=$(now_ms)
        (cd "$DATA_DIR" && timeout "$GEN_TIMEOUT" env DATABASE_URL="$db.tmp" RUST_LOG=warn \
            "$WARTA_BIN" generate --articles "$articles" --comments "$comments") \
            >"$RAW_DIR/generate-$SIZE.log" 2>&1 || die "generation failed or timed out; see $RAW_DIR/generate-$SIZE.log"
        t1=$(now_ms)
        gen=$(awk -v ms=$((t1 - t0)) 'BEGIN { printf "%.1f", ms / 1000 }')
        for ext in "" -wal -shm; do
            if [ -f "$db.tmp$ext" ]; then mv "$db.tmp$ext" "$db$ext"; fi
        done
        printf '%s\n%s\n' "$gen" "$key" >"$db.gen"
        log "$SIZE: generated in $gen s"
        fact "$SIZE" generation "$gen s"
    fi
    fact "$SIZE" db_size "$(du -m "$db" | cut -f1) MB"

    # Work on a copy so that the writes of a run do not change the dataset.
    if [ "$BACKEND" = postgres ]; then
        # The dataset once in PostgreSQL (named by its key), then a fresh copy of it per run.
        local pg_db="warta_bench_${SIZE}_${key}"
        if [ "$(pg_admin -c "SELECT 1 FROM pg_database WHERE datname = '$pg_db'")" != 1 ]; then
            pg_admin -c "CREATE DATABASE ${pg_db}_tmp"
            log "$SIZE: copying the dataset into PostgreSQL"
            t0=$(now_ms)
            "$WARTA_BIN" copy --from "$db" --to "$(pg_url "${pg_db}_tmp")" >"$RAW_DIR/copy-$SIZE.log" 2>&1 ||
                die "warta copy failed; see $RAW_DIR/copy-$SIZE.log"
            t1=$(now_ms)
            pg_admin -c "ALTER DATABASE ${pg_db}_tmp RENAME TO $pg_db"
            psql "$(pg_url "$pg_db")" -q -v ON_ERROR_STOP=1 -c "VACUUM ANALYZE"
            local copied
            copied=$(awk -v ms=$((t1 - t0)) 'BEGIN { printf "%.1f", ms / 1000 }')
            log "$SIZE: copied in $copied s"
            fact "$SIZE" copy "\`warta copy\` from SQLite in $copied s"
        else
            fact "$SIZE" copy "reused database $pg_db"
        fi
        pg_admin -c "DROP DATABASE IF EXISTS warta_bench_work WITH (FORCE)"
        pg_admin -c "CREATE DATABASE warta_bench_work TEMPLATE $pg_db"
        work=$(pg_url warta_bench_work)
        fact "$SIZE" db_size "$(pg_admin -c "SELECT pg_database_size('$pg_db') / 1048576") MB in PostgreSQL"
    else
        work=$DATA_DIR/work-$SIZE.db
        rm -f "$work" "$work-wal" "$work-shm"
        cp "$db" "$work"
        if [ -f "$db-wal" ]; then cp "$db-wal" "$work-wal"; fi
    fi

    # 2. serve with the response cache on
    start_warta "$work" on "$RAW_DIR/warta-$SIZE-cache-on.log"
    fact "$SIZE" ready_on "$READY_MS"

    # What to ask for.
    local cats tags page1 list100 list200 category tag total_pages deep slug comments_slug comments_n post_slug patch_ids token
    cats=$(curl -sf "$BASE/api/v1/categories?per_page=100")
    category=$(json 'max(d["data"], key=lambda c: c["article_count"])["slug"]' <<<"$cats")
    # The most used tag, to compare with the biggest category.
    tags=$(curl -sf "$BASE/api/v1/tags?per_page=100")
    tag=$(json 'max(d["data"], key=lambda t: t["article_count"])["slug"]' <<<"$tags")
    page1=$(curl -sf "$BASE/api/v1/articles")
    total_pages=$(json 'd["meta"]["total_pages"]' <<<"$page1")
    # The deep page is the middle of the archive, by number and by cursor (the cursor of the
    # page before it, taken once).
    deep=$((total_pages / 2))
    [ "$deep" -ge 2 ] || deep=2
    local deep_cursor
    deep_cursor=$(curl -sf "$BASE/api/v1/articles?page=$((deep - 1))&per_page=10" | json 'd["meta"]["next_cursor"]')
    list100=$(curl -sf "$BASE/api/v1/articles?per_page=100")
    list200=$(curl -sf "$BASE/api/v1/articles?per_page=100&page=2")
    slug=$(json 'd["data"][1]["slug"]' <<<"$list100")
    comments_slug=$(json 'max(d["data"], key=lambda a: a["comment_count"])["slug"]' <<<"$list100")
    comments_n=$(json 'max(a["comment_count"] for a in d["data"])' <<<"$list100")
    post_slug=$(json '[a["slug"] for a in d["data"] if a["comment_status"] == "open"][0]' <<<"$list200")
    patch_ids=$(json '",".join(str(a["id"]) for a in d["data"][10:18])' <<<"$list200")
    fact "$SIZE" public "$(json 'd["meta"]["total"]' <<<"$page1") public articles, $total_pages pages of 10"
    fact "$SIZE" category "$category ($(json 'max(c["article_count"] for c in d["data"])' <<<"$cats") articles)"
    fact "$SIZE" tag "$tag ($(json 'max(t["article_count"] for t in d["data"])' <<<"$tags") articles)"
    fact "$SIZE" deep "page $deep of $total_pages"
    fact "$SIZE" slug "$slug"
    fact "$SIZE" comments_slug "$comments_slug ($comments_n approved comments)"
    fact "$SIZE" post_slug "$post_slug"
    fact "$SIZE" patch_ids "$patch_ids"

    # 4a. capture the GET answers for the ceiling (before any write of this run)
    local cdir=$DATA_DIR/ceiling-$SIZE w i code etag
    rm -rf "$cdir"
    mkdir -p "$cdir"
    : >"$cdir/index.tsv"
    local p_list=/api/v1/articles
    local p_category="/api/v1/articles?category=$category"
    local p_tag="/api/v1/articles?tag=$tag"
    local p_deep="/api/v1/articles?page=$deep&per_page=10"
    local p_cursor="/api/v1/articles?per_page=10&cursor=$deep_cursor"
    local p_slug=/api/v1/articles/$slug
    local p_comments=/api/v1/articles/$comments_slug/comments
    local p_categories=/api/v1/categories
    for pair in list:"$p_list" category:"$p_category" tag:"$p_tag" deep:"$p_deep" deep_cursor:"$p_cursor" slug:"$p_slug" comments:"$p_comments" categories:"$p_categories"; do
        code=$(capture "$cdir" "${pair%%:*}" GET "${pair#*:}")
        [ "${code%% *}" = 200 ] || die "GET ${pair#*:} answered ${code%% *}"
    done
    IFS=, read -ra words <<<"$SEARCH_WORDS"
    etag=$(header etag <"$cdir/list.hdr")
    [ -n "$etag" ] || die "no ETag on $p_list"

    # 3. hot reads
    bench list warta "$p_list"
    bench category warta "$p_category"
    bench tag warta "$p_tag"
    bench deep warta "$p_deep"
    bench deep_cursor warta "$p_cursor"
    bench slug warta "$p_slug"
    bench comments warta "$p_comments"
    bench categories warta "$p_categories"
    expect 304 -H "If-None-Match: $etag" "$BASE$p_list"
    bench revalidate warta "$p_list" -H "If-None-Match: $etag"

    # The front page while readers comment: about 200 comments/s (four connections, each pausing
    # 15 ms before a request) run beside the list load. Pending comments are invisible to the
    # public, so the list should stay in the response cache.
    local p_post=/api/v1/articles/$post_slug/comments
    commenting_start "$p_post"
    bench list_commenting warta "$p_list"
    commenting_stop

    # writes: capture one answer each for the ceiling, then load
    code=$(capture "$cdir" comment-post POST "$p_post" -H 'Content-Type: application/json' \
        -d "{\"author_name\":\"Pembaca Uji\",\"author_email\":\"pembaca@uji.example\",\"body\":\"Komentar uji $NONCE: kopi.\"}")
    [ "${code%% *}" = 201 ] || die "comment POST answered ${code%% *}"
    BENCH_MODE=comment BENCH_PATH=$p_post bench comment_post warta "$p_post"

    token=$(curl -sf -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$EDITOR_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" | json 'd["access_token"]')
    IFS=, read -ra ids <<<"$patch_ids"
    for id in "${ids[@]}"; do
        code=$(capture "$cdir" "patch-$id" PATCH "/api/v1/articles/$id" -H 'Content-Type: application/json' \
            -H "Authorization: Bearer $token" -d "{\"meta_description\":\"Ringkasan uji $NONCE\"}")
        [ "${code%% *}" = 200 ] || die "PATCH article $id answered ${code%% *}"
    done
    BENCH_MODE=patch BENCH_IDS=$patch_ids BENCH_TOKEN=$token bench article_patch warta "/api/v1/articles/${ids[0]}"

    fact "$SIZE" rss_on "$(vmhwm_kb "$WARTA_PID")"
    stop_pid "$WARTA_PID"

    # Several instances on the one PostgreSQL database behind a balancer: the same machine's
    # cores now run three servers, haproxy, PostgreSQL and wrk.
    local instances=${BENCH_INSTANCES:-3} pid
    if [ "$BACKEND" = postgres ] && [ "$instances" -gt 1 ]; then
        if command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]; then
            PATH=$PATH:/usr/sbin start_balanced "$work" "$instances"
            bench list_3 warta "$p_list"
            BENCH_MODE=comment BENCH_PATH=$p_post bench comment_post_3 warta "$p_post"
            fact "$SIZE" instances "$instances instances behind haproxy $(PATH=$PATH:/usr/sbin haproxy -v | head -1 | awk '{print $3}')"
            for pid in "${BALANCED_PIDS[@]}"; do stop_pid "$pid"; done
        else
            log "haproxy is not installed: no run of several instances"
        fi
    fi

    # cache-cold reads: the same server with WARTA_RESPONSE_CACHE=off
    start_warta "$work" off "$RAW_DIR/warta-$SIZE-cache-off.log"
    fact "$SIZE" ready_off "$READY_MS"
    bench cold_list warta "$p_list"
    bench cold_category warta "$p_category"
    bench cold_tag warta "$p_tag"
    bench cold_deep warta "$p_deep"
    bench cold_cursor warta "$p_cursor"
    # Search last: slow queries still queued when wrk stops would slow a following scenario.
    # One query is captured for the ceiling (and timed alone); the load mixes all the terms.
    code=$(capture "$cdir" search GET "/api/v1/articles?search=${words[0]}")
    if [ "${code%% *}" = 200 ]; then
        fact "$SIZE" search_alone "\`${words[0]}\` alone: ${code#* } s"
    else
        log "search ${words[0]} gave no 200 within $CAPTURE_TIMEOUT s (status ${code%% *}); the ceiling skips search"
        fact "$SIZE" search_alone "\`${words[0]}\` alone: no answer within $CAPTURE_TIMEOUT s (status ${code%% *})"
    fi
    # Every query of the mix timed alone, with its number of matches, plus a worst case that
    # is not in the mix: a function word found in every article.
    local timings="" q out
    for q in "${words[@]}" yang; do
        out=$(curl -s -o "$RAW_DIR/search.json" -w '%{http_code} %{time_total}' --max-time "$CAPTURE_TIMEOUT" \
            "$BASE/api/v1/articles?search=$q" || true)
        if [ "${out%% *}" = 200 ]; then
            timings+="$q:$(json 'd["meta"]["total"]' <"$RAW_DIR/search.json"):${out#* };"
        else
            timings+="$q:-:-;"
        fi
    done
    fact "$SIZE" search_queries "$timings"
    BENCH_MODE=search bench search warta "/api/v1/articles?search=${words[0]}"
    fact "$SIZE" rss_off "$(vmhwm_kb "$WARTA_PID")"
    stop_pid "$WARTA_PID"

    # 4b. the ceiling: the same load against Warta's captured answers
    start_ceiling "$cdir"
    bench list ceiling "$p_list"
    bench category ceiling "$p_category"
    bench tag ceiling "$p_tag"
    bench deep ceiling "$p_deep"
    bench deep_cursor ceiling "$p_cursor"
    bench slug ceiling "$p_slug"
    bench comments ceiling "$p_comments"
    bench categories ceiling "$p_categories"
    if grep -q "^GET	/api/v1/articles?search=" "$cdir/index.tsv"; then
        BENCH_MODE=search BENCH_WORDS=${words[0]} bench search ceiling "/api/v1/articles?search=${words[0]}"
    fi
    expect 304 -H "If-None-Match: $etag" "$BASE$p_list"
    bench revalidate ceiling "$p_list" -H "If-None-Match: $etag"
    BENCH_MODE=comment BENCH_PATH=$p_post bench comment_post ceiling "$p_post"
    BENCH_MODE=patch BENCH_IDS=$patch_ids BENCH_TOKEN=$token bench article_patch ceiling "/api/v1/articles/${ids[0]}"
    stop_pid "$CEILING_PID"

    if [ "${KEEP_WORK:-0}" != 1 ]; then
        if [ "$BACKEND" = postgres ]; then
            pg_admin -c "DROP DATABASE IF EXISTS warta_bench_work WITH (FORCE)"
        else
            rm -f "$work" "$work-wal" "$work-shm"
        fi
    fi
}

STARTED=$(now_ms)
for size in $SIZES; do run_size "$size"; done
fact - total "$(awk -v ms=$(($(now_ms) - STARTED)) 'BEGIN { printf "%.0f", ms / 1000 }') s"

python3 "$BENCH_DIR/report.py" "$RESULTS" "$FACTS" >"$REPORT"
cat "$REPORT"
log "written to $REPORT (raw wrk output in $RAW_DIR)"
