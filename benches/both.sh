#!/usr/bin/env bash
# Every database benchmark on SQLite and PostgreSQL, one after the other on
# the same machine the same day, for the side-by-side table in
# docs/benchmarks.md: registry (numbering with 1, 8, 64 writers; a million
# documents), routing (fan-out to the whole country, tracking among 1,000
# cascades, mail-merge), parse (import), search (a million documents) and
# the HTTP load script. PostgreSQL is the cluster SARABAN_BENCH_POSTGRES
# names, or one started here with `.ci/pg-start --durable` (fsync on) and
# stopped at the end. The output goes to the terminal and to
# target/bench-both-<date>.log.
#
#   benches/both.sh            # everything
#   benches/both.sh search     # some of: registry routing parse search load
set -euo pipefail
cd "$(dirname "$0")/.."
what=("$@")
[ ${#what[@]} -eq 0 ] && what=(registry routing parse search load)
started=
if [ -z "${SARABAN_BENCH_POSTGRES:-}" ]; then
  SARABAN_BENCH_POSTGRES=$(.ci/pg-start --durable)
  started=$(cat /tmp/saraban-pg.last)
fi
export SARABAN_BENCH_POSTGRES
stop() {
  if [ -n "$started" ]; then
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    if [ "$(id -u)" -eq 0 ]; then
      runuser -u postgres -- "$bin/pg_ctl" -D "$started/data" -m fast stop >/dev/null || true
    else
      "$bin/pg_ctl" -D "$started/data" -m fast stop >/dev/null || true
    fi
  fi
}
trap stop EXIT
log=target/bench-both-$(date -u +%Y-%m-%d).log
mkdir -p target
{
  echo "# benches/both.sh ${what[*]}: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), PostgreSQL $(psql "$SARABAN_BENCH_POSTGRES" -tAc 'SHOW server_version'), fsync $(psql "$SARABAN_BENCH_POSTGRES" -tAc 'SHOW fsync')"
  cargo build --release --quiet
  for w in "${what[@]}"; do
    echo "## $w ($(date -u +%H:%MZ))"
    case $w in
      load) SARABAN_BIN=target/release/saraban benches/load.sh "${SARABAN_LOAD_SECONDS:-20}" ;;
      *) cargo bench --quiet --bench "$w" 2>&1 | grep --line-buffered -v '^  [0-9]* documents, ' ;;
    esac
  done
} 2>&1 | tee -a "$log"
