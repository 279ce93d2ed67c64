#!/usr/bin/env bash
# Start or stop the real triple stores the store tests run against, on 127.0.0.1.
#
#   .ci/engines.sh start DIR    start Virtuoso and the Oxigraph server with throwaway data under DIR,
#                               and print the `export MIGLOD_TEST_…` lines that point the tests at them
#   .ci/engines.sh stop DIR     stop both (waits until they have exited)
#
# Ports: VIRT_SQL_PORT (default 1111), VIRT_HTTP_PORT (8890), OXIGRAPH_PORT (7878).
# OXIGRAPH is the oxigraph binary (default: the one next to this shell's python).
set -euo pipefail
cmd=${1:?usage: engines.sh start|stop DIR}
dir=$(mkdir -p "${2:?usage: engines.sh start|stop DIR}" && readlink -f "$2")
sql=${VIRT_SQL_PORT:-1111}
http=${VIRT_HTTP_PORT:-8890}
oxport=${OXIGRAPH_PORT:-7878}
oxigraph=${OXIGRAPH:-$(command -v oxigraph || echo "$(dirname "$(command -v python3)")/oxigraph")}

wait_for() {  # URL: poll until it answers (30 s at most)
  for _ in $(seq 1 150); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.2
  done
  echo "engines.sh: $1 did not answer" >&2
  return 1
}

start_virtuoso() {
  local v="$dir/virtuoso"
  mkdir -p "$v"
  cat >"$v/virtuoso.ini" <<INI
[Database]
DatabaseFile    = $v/virtuoso.db
ErrorLogFile    = $v/virtuoso.log
LockFile        = $v/virtuoso.lck
TransactionFile = $v/virtuoso.trx
xa_persistent_file = $v/virtuoso.pxa
ErrorLogLevel   = 7
FileExtend      = 200
Striping        = 0
TempStorage     = TempDatabase
[TempDatabase]
DatabaseFile    = $v/virtuoso-temp.db
TransactionFile = $v/virtuoso-temp.trx
Striping        = 0
[Parameters]
ServerPort           = 127.0.0.1:$sql
DisableUnixSocket    = 1
MaxClientConnections = 10
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = ., $v
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
MaxQueryMem          = 512M
[HTTPServer]
ServerPort           = 127.0.0.1:$http
ServerRoot           = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 10
ServerThreads        = 10
EnabledDavVSP        = 0
Charset              = UTF-8
[URIQA]
DefaultHost = 127.0.0.1:$http
[SPARQL]
ResultSetMaxRows           = 10000
MaxQueryExecutionTime      = 60
MaxQueryCostEstimationTime = 400
INI
  # +wait daemonises and returns once the server is online; its PID is in the lock file.
  (cd "$v" && virtuoso-t +configfile "$v/virtuoso.ini" +wait) >"$v/start.out" 2>&1
  wait_for "http://127.0.0.1:$http/sparql?query=ASK%7B%7D"
}

start_oxigraph() {
  local o="$dir/oxigraph"
  mkdir -p "$o/data"
  # --union-default-graph: queries without GRAPH see every graph, as on Virtuoso and the embedded store.
  "$oxigraph" serve --location "$o/data" --bind "127.0.0.1:$oxport" --union-default-graph >"$o/server.log" 2>&1 &
  echo $! >"$o/pid"
  wait_for "http://127.0.0.1:$oxport/query?query=ASK%7B%7D"
}

stop_pid() {  # PID: TERM it and wait until it has gone
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

case "$cmd" in
start)
  # An engine that is not installed is left out (its tests then skip, saying why).
  if command -v virtuoso-t >/dev/null 2>&1; then
    start_virtuoso
    cat <<ENV
export MIGLOD_TEST_VIRTUOSO_QUERY_URL=http://127.0.0.1:$http/sparql
export MIGLOD_TEST_VIRTUOSO_UPDATE_URL=http://127.0.0.1:$http/sparql-auth
export MIGLOD_TEST_VIRTUOSO_GSP_URL=http://127.0.0.1:$http/sparql-graph-crud-auth
export MIGLOD_TEST_VIRTUOSO_USER=dba
export MIGLOD_TEST_VIRTUOSO_PASSWORD=dba
ENV
  else
    echo "engines.sh: virtuoso-t is not installed; Virtuoso left out" >&2
  fi
  if [ -x "$oxigraph" ]; then
    start_oxigraph
    cat <<ENV
export MIGLOD_TEST_OXIGRAPH_QUERY_URL=http://127.0.0.1:$oxport/query
export MIGLOD_TEST_OXIGRAPH_UPDATE_URL=http://127.0.0.1:$oxport/update
export MIGLOD_TEST_OXIGRAPH_GSP_URL=http://127.0.0.1:$oxport/store
ENV
  else
    echo "engines.sh: $oxigraph not found (pip install oxigraph); Oxigraph server left out" >&2
  fi
  ;;
stop)
  stop_pid "$(sed -n 's/^VIRT_PID=//p' "$dir/virtuoso/virtuoso.lck" 2>/dev/null || true)"
  stop_pid "$(cat "$dir/oxigraph/pid" 2>/dev/null || true)"
  ;;
*)
  echo "usage: engines.sh start|stop DIR" >&2
  exit 2
  ;;
esac
