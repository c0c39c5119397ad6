# cluster.sh - shell helpers for tests that need a NATS JetStream cluster
# on loopback; source it, then:
#
#   cluster_start DIR N     starts nodes n1..nN (nats-server -js, a
#                           cluster route block, store, config and log
#                           under DIR/nI), waits until JetStream has a
#                           meta leader on every node, and exports
#                           NATS_URLS, the client URLs as a comma list
#   cluster_kill NAME       SIGKILLs node NAME (n2) and waits for its end
#   cluster_restart NAME    starts NAME again on its ports and store and
#                           waits until it is healthy
#   cluster_stop            kills every node (put it in an EXIT trap)
#   cluster_stream_leader STREAM
#                           prints the node leading STREAM, asking the
#                           monitoring port of each live node (/jsz?
#                           streams=1; 2.9.10 lists stream_detail with
#                           cluster.leader) for one that names itself,
#                           waiting up to 20 s
#
# Ports are picked at run time among those nothing listens on (20000-
# 32767, below Linux's ephemeral range).  Every wait is bounded.  When
# nats-server is not installed, sourcing this exits 77 (a skip).
if ! command -v nats-server >/dev/null 2>&1; then
    echo "skip: nats-server not installed (apt-get install nats-server)"
    exit 77
fi

CLUSTER_DIR=
CLUSTER_N=0
declare -A CLUSTER_PID CLUSTER_CPORT CLUSTER_MPORT CLUSTER_RPORT

# Sets CLUSTER__PORT to a port in 20000-32767 that no socket uses (per
# /proc/net/tcp*) and that this script has not handed out yet.  (Not a
# $(...) function: the list of ports handed out must survive the call.)
CLUSTER_TAKEN=" "
cluster__free_port() {
    local used p i
    used=$(awk 'NR > 1 { split($2, a, ":"); print a[2] }' \
               /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u)
    for i in $(seq 1 200); do
        p=$((20000 + RANDOM % 12768))
        case "$CLUSTER_TAKEN" in *" $p "*) continue ;; esac
        if ! grep -qx "$(printf '%04X' "$p")" <<<"$used"; then
            CLUSTER_TAKEN="$CLUSTER_TAKEN$p "
            CLUSTER__PORT=$p
            return 0
        fi
    done
    return 1
}

# HTTP GET of 127.0.0.1:PORT/PATH with bash's /dev/tcp (no curl needed);
# prints the body; fails when nothing answers within 2 s.
cluster__get() {
    local port=$1 path=$2
    timeout 2 bash -c '
        exec 3<>/dev/tcp/127.0.0.1/'"$port"' || exit 1
        printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" "$0" >&3
        sed "1,/^\r\{0,1\}$/d" <&3' "$path" 2>/dev/null
}

cluster__launch() {
    local name=$1
    nats-server -c "$CLUSTER_DIR/$name/$name.conf" -js \
        >>"$CLUSTER_DIR/$name/$name.log" 2>&1 &
    CLUSTER_PID[$name]=$!
}

# Waits until node NAME answers /healthz ok (JetStream current, a meta
# leader known): at most 30 s.
cluster__wait_healthy() {
    local name=$1 i
    for i in $(seq 1 300); do
        if ! kill -0 "${CLUSTER_PID[$name]}" 2>/dev/null; then
            echo "cluster: $name exited; its log:" >&2
            tail -5 "$CLUSTER_DIR/$name/$name.log" >&2
            return 1
        fi
        if cluster__get "${CLUSTER_MPORT[$name]}" /healthz |
                grep -q '"ok"' &&
           cluster__get "${CLUSTER_MPORT[$name]}" /jsz |
                grep -q '"leader": "n'; then
            return 0
        fi
        sleep 0.1
    done
    echo "cluster: $name not healthy after 30 s" >&2
    return 1
}

cluster_start() {
    local dir=$1 n=$2 i name routes=
    CLUSTER_DIR=$dir
    CLUSTER_N=$n
    mkdir -p "$dir" || return 1
    for i in $(seq 1 "$n"); do
        name=n$i
        cluster__free_port && CLUSTER_CPORT[$name]=$CLUSTER__PORT &&
        cluster__free_port && CLUSTER_MPORT[$name]=$CLUSTER__PORT &&
        cluster__free_port && CLUSTER_RPORT[$name]=$CLUSTER__PORT || {
            echo "cluster: no free port" >&2
            return 1
        }
        routes="$routes${routes:+, }nats://127.0.0.1:${CLUSTER_RPORT[$name]}"
    done
    NATS_URLS=
    for i in $(seq 1 "$n"); do
        name=n$i
        mkdir -p "$dir/$name"
        # A single node gets no cluster block: JetStream runs standalone.
        {
            echo "server_name: $name"
            echo "listen: 127.0.0.1:${CLUSTER_CPORT[$name]}"
            echo "http: 127.0.0.1:${CLUSTER_MPORT[$name]}"
            echo "jetstream { store_dir: \"$dir/$name/store\" }"
            if [ "$n" -gt 1 ]; then
                echo "cluster {"
                echo "  name: df"
                echo "  listen: 127.0.0.1:${CLUSTER_RPORT[$name]}"
                echo "  routes: [$routes]"
                echo "}"
            fi
        } >"$dir/$name/$name.conf"
        cluster__launch "$name"
        NATS_URLS+="${NATS_URLS:+,}nats://127.0.0.1:${CLUSTER_CPORT[$name]}"
    done
    export NATS_URLS
    for i in $(seq 1 "$n"); do
        if [ "$n" -gt 1 ]; then
            cluster__wait_healthy "n$i" || return 1
        else
            # Standalone JetStream has no meta leader: healthz suffices.
            local j
            for j in $(seq 1 300); do
                cluster__get "${CLUSTER_MPORT[n1]}" /healthz |
                    grep -q '"ok"' && return 0
                sleep 0.1
            done
            echo "cluster: n1 not healthy after 30 s" >&2
            return 1
        fi
    done
}

cluster_kill() {
    local name=$1 pid=${CLUSTER_PID[$1]:-}
    [ -n "$pid" ] || return 0
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    CLUSTER_PID[$name]=
}

cluster_restart() {
    local name=$1
    cluster_kill "$name"
    cluster__launch "$name"
    cluster__wait_healthy "$name"
}

cluster_stop() {
    local name
    for name in "${!CLUSTER_PID[@]}"; do
        cluster_kill "$name"
    done
}

cluster_stream_leader() {
    local stream=$1 i name leader
    for i in $(seq 1 100); do
        for name in "${!CLUSTER_PID[@]}"; do
            [ -n "${CLUSTER_PID[$name]}" ] || continue
            leader=$(cluster__get "${CLUSTER_MPORT[$name]}" \
                         "/jsz?streams=1" |
                     awk -v s="\"$stream\"," '
                        $1 == "\"name\":" && $2 == s { f = 1 }
                        f && /"replicas":/ { exit }   # none elected yet
                        f && $1 == "\"leader\":" {
                            gsub(/[",]/, "", $2); print $2; exit }')
            # A follower goes on naming a dead leader until the next
            # election: only a node naming itself is believed.
            if [ "$leader" = "$name" ]; then
                echo "$leader"
                return 0
            fi
        done
        sleep 0.1
    done
    echo "cluster: no leader for stream $stream" >&2
    return 1
}
