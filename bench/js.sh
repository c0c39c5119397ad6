#!/usr/bin/env bash
# bench/js.sh - the JetStream transport's throughput (cli/js.c through
# tests/cluster/js_test) on loopback clusters started here:
#
#   3 nodes, stream of 3 replicas      1 node, stream of 1 replica
#
# For each: publishing M messages of 100 bytes (to ais.0-2, msgid per
# message) one by one, each waiting for its ack (cli_js_publish), then
# asynchronously (cli_js_publish_async + cli_js_publish_wait); then a
# durable pull consumer fetching them in batches of 100 and acking each
# batch (cli_js_fetch + cli_js_ack_upto, nothing written).  Each figure
# is the best of R runs (a fresh stream each run), in messages/s.
#
#   bench/js.sh [M_SYNC [M_ASYNC [R]]]     (defaults 5000 50000 3)
#
# Env: DF_BUILD (default build).  Servers, clients and stores all share
# this machine (and its disk: file storage, as in cluster mode).  Exits
# 77 without nats-server or js_test.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/cluster/cluster.sh"
JS_TEST=${JS_TEST:-${DF_BUILD:-$HERE/../build}/tests/cluster/js_test}
if [ ! -x "$JS_TEST" ]; then
    echo "skip: $JS_TEST not built (libnats-dev, then make)"
    exit 77
fi
MS=${1:-5000}
MA=${2:-50000}
R=${3:-3}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/df-jsbench.XXXXXX")
trap 'cluster_stop; rm -rf "$DIR"' EXIT

rate() { sed -n 's/.* = \([0-9]*\) msg\/s.*/\1/p'; }
best() { sort -n | tail -1; }

# bench NODES: one row of the table.
bench() {
    local n=$1 sync=() async=() cons=() i
    cluster_start "$DIR/c$n" "$n" >/dev/null || exit 1
    for i in $(seq 1 "$R"); do
        "$JS_TEST" delete "$NATS_URLS" bench >/dev/null &&
        "$JS_TEST" stream "$NATS_URLS" bench 'ais.>' "$n" || exit 1
        sync+=("$("$JS_TEST" pub "$NATS_URLS" "$MS" -s 100 -p s$i | rate)")
        async+=("$("$JS_TEST" pub "$NATS_URLS" "$MA" -a -s 100 -f "$MS" \
                    -p a$i | rate)")
        cons+=("$("$JS_TEST" consume "$NATS_URLS" bench w$i 'ais.>' - \
                   $((MS + MA)) -b 100 | rate)")
    done
    printf '| %d node(s), %d replica(s) | %s | %s | %s |\n' "$n" "$n" \
        "$(printf '%s\n' "${sync[@]}" | best)" \
        "$(printf '%s\n' "${async[@]}" | best)" \
        "$(printf '%s\n' "${cons[@]}" | best)"
    cluster_stop
}

echo "JetStream on loopback, 100-byte messages, best of $R runs, msg/s"
echo "($(nats-server --version), libnats via $JS_TEST, $(nproc) cores)"
echo
echo "| cluster | publish, sync ($MS) | publish, async ($MA) |" \
     "fetch+ack (batches of 100) |"
echo "|---|---:|---:|---:|"
bench 3
bench 1
