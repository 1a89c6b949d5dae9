#!/usr/bin/env bash
# Start COUNT dashboard processes on consecutive ports against one PostgreSQL store,
# for nginx (deploy/nginx-carrier-map.conf) to put behind one address.
#
#   deploy/run-processes.sh [COUNT] [FIRST_PORT]        # default: 2 processes from 8501
#
# Set in the environment (e.g. from a root-only file: set -a; . /etc/carrier-map.env; set +a):
#   CARRIER_MAP_DATABASE_URL    postgresql+psycopg://carrier:PASSWORD@db.intranet/carrier
#   CARRIER_MAP_SESSION_SECRET  the same random text (>= 32 characters) for every process on
#                               every server: python -c "import secrets; print(secrets.token_urlsafe(32))"
#                               (unset: the key kept in the database, shared as well)
# Every other setting (CARRIER_MAP_AUTH, CARRIER_MAP_TRUSTED_HEADER, CARRIER_MAP_TIMEZONE,
# TIANDITU_TK, …) is passed on unchanged and .streamlit/ (config.toml, secrets.toml with OIDC's
# [auth] cookie_secret) is this folder's, so all processes run with the same settings.
#
# The schema is brought up to date once, before any process starts. The processes listen
# on 127.0.0.1 only (nginx is the way in), write their logs to var/log/, and stop together
# when this script is stopped (Ctrl+C, or SIGTERM from systemd); if one of them dies, the
# others are stopped too and the script exits non-zero, so a supervisor restarts the set.
set -euo pipefail

count=${1:-2}
first_port=${2:-8501}
cd "$(dirname "$0")/.."

if ! [[ "$count" =~ ^[1-9][0-9]*$ && "$first_port" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [COUNT] [FIRST_PORT]  (positive whole numbers; got '$count' '$first_port')" >&2
    exit 2
fi
case "${CARRIER_MAP_DATABASE_URL:-}" in
    postgresql*) ;;
    *) echo "CARRIER_MAP_DATABASE_URL must name the one PostgreSQL store every process shares" \
            "(postgresql+psycopg://USER:PASSWORD@HOST/DB); an SQLite file cannot be shared" \
            "between servers." >&2
       exit 2 ;;
esac
if [ -z "${CARRIER_MAP_SESSION_SECRET:-}" ]; then
    echo "note: CARRIER_MAP_SESSION_SECRET is not set; sign-ins are signed with the key kept in" \
         "the store's table signing_keys, which every process on this database shares." >&2
elif [ "${#CARRIER_MAP_SESSION_SECRET}" -lt 32 ]; then
    echo "CARRIER_MAP_SESSION_SECRET has ${#CARRIER_MAP_SESSION_SECRET} characters but needs at" \
         "least 32 (the same on every process)." >&2
    exit 2
fi

python3 -m geo store upgrade

mkdir -p var/log
pids=()
stop_all() {
    trap - INT TERM EXIT
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait
}
trap stop_all INT TERM EXIT
for ((i = 0; i < count; i++)); do
    port=$((first_port + i))
    python3 -m streamlit run app.py --server.port "$port" --server.address 127.0.0.1 \
        --server.headless true >>"var/log/streamlit-$port.log" 2>&1 &
    pids+=("$!")
    echo "process $((i + 1))/$count: pid $!, http://127.0.0.1:$port (log var/log/streamlit-$port.log)"
done
wait -n "${pids[@]}"
status=$?
echo "a process ended (exit status $status); stopping the others" >&2
exit $((status == 0 ? 1 : status))
