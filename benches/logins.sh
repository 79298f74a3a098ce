#!/usr/bin/env bash
# Login burst: memory and responsiveness while many passwords are checked.
#
# Starts `saraban serve` on a fresh SQLite database (loopback only), reads
# its resident memory (VmRSS in /proc/PID/status), fires N parallel
# `POST /login` (default 256: wrong passwords for made-up names, plus a few
# with the right one-time password of the first-start accounts), each from
# its own address (X-Forwarded-For, which the service trusts from a
# loopback peer) so the per-address throttle does not cut the burst short,
# times `GET /health` during the burst, and reports the statuses, the peak
# resident memory (VmHWM) and the memory afterwards.
#
#   benches/logins.sh [path/to/saraban] [N]
#
# Default binary: $CARGO_TARGET_DIR/release/saraban (or target/release).
# Needs bash, curl, awk; writes only under a temporary folder.
set -euo pipefail
bin=${1:-${CARGO_TARGET_DIR:-target}/release/saraban}
n=${2:-256}
[ -x "$bin" ] || { echo "logins.sh: no binary at $bin (cargo build --release)" >&2; exit 1; }
dir=$(mktemp -d /tmp/saraban-logins.XXXXXX)
port=$((20000 + RANDOM % 20000))
base="http://127.0.0.1:$port"
"$bin" --database "$dir/bench.db" serve --addr "127.0.0.1:$port" >"$dir/serve.out" 2>"$dir/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 300); do
  curl -fs "$base/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "$base/health" >/dev/null || { echo "server did not start" >&2; cat "$dir/serve.err" >&2; exit 1; }
rss() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
mib() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
# The first-start accounts: "  name  one-time-password  role (...)".
mapfile -t accounts < <(awk 'NF >= 3 && $1 ~ /^[a-z.]+$/ && length($2) == 12 { print $1 " " $2 }' "$dir/serve.out")
[ "${#accounts[@]}" -gt 0 ] || { echo "no first-start accounts in the output" >&2; exit 1; }
# The login form's CSRF token (cookie and field), reusable for the burst.
token=$(curl -fs -D - -o /dev/null "$base/login" | tr -d '\r' |
  sed -n 's/^[Ss]et-[Cc]ookie: saraban_login_csrf=\([^;]*\).*/\1/p')
[ -n "$token" ] || { echo "no login CSRF cookie" >&2; exit 1; }
before=$(rss VmRSS)
echo "binary: $bin"
echo "accounts: ${#accounts[@]} real (right one-time password), $((n - ${#accounts[@]})) made-up names (wrong password)"
echo "RSS before: $(mib "$before") MiB"

login() { # name password address
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 60 \
    -H "X-Forwarded-For: $3" -b "saraban_login_csrf=$token" \
    --data-urlencode "username=$1" --data-urlencode "password=$2" \
    --data-urlencode "csrf=$token" "$base/login"
}
# /health every 50 ms while the burst runs.
(
  while [ ! -e "$dir/done" ]; do
    curl -s -o /dev/null -w '%{time_total}\n' --max-time 60 "$base/health" >>"$dir/health"
    sleep 0.05
  done
) &
prober=$!
# Peak RSS sampled every 20 ms (VmHWM below is the kernel's own peak).
(
  while [ ! -e "$dir/done" ]; do rss VmRSS >>"$dir/rss"; sleep 0.02; done
) &
sampler=$!
start=$(date +%s.%N)
burst=()
for i in $(seq "$n"); do
  if [ "$i" -le "${#accounts[@]}" ]; then
    read -r name password <<<"${accounts[$((i - 1))]}"
  else
    name="nobody$i"; password="wrong password $i"
  fi
  login "$name" "$password" "10.$((i / 250)).$((i % 250)).1" >>"$dir/logins" &
  burst+=($!)
done
wait "${burst[@]}" || true
end=$(date +%s.%N)
touch "$dir/done"
wait "$prober" "$sampler" 2>/dev/null || true
sleep 1
after=$(rss VmRSS)
peak=$(rss VmHWM)
sampled=$(sort -n "$dir/rss" | tail -1)
echo "burst: $n logins in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') s"
echo "statuses: $(awk '{ print $1 }' "$dir/logins" | sort | uniq -c | awk '{ printf "%s×%s ", $2, $1 }')"
echo "login time: median $(awk '{ print $2 }' "$dir/logins" | sort -n | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] }') s, max $(awk '{ print $2 }' "$dir/logins" | sort -n | tail -1) s"
echo "/health during the burst: $(wc -l <"$dir/health") probes, median $(sort -n "$dir/health" | awk '{ a[NR] = $1 } END { printf "%.4f", a[int((NR + 1) / 2)] }') s, max $(sort -n "$dir/health" | tail -1) s"
echo "RSS peak (VmHWM): $(mib "$peak") MiB; highest sample $(mib "$sampled") MiB; after: $(mib "$after") MiB"
