#!/usr/bin/env bash
# Load check: wrk against the request list and the search page of a seeded production-mode instance.
#
#   bench/load.sh                      # starts its own instance (see below), stops it at the end
#   URL=http://127.0.0.1:8000 LOGIN=demo PASSWORD=… bench/load.sh   # takes a running instance
#
# Its own instance is the e2e stack (tests/e2e/stack.py): DEBUG=0, gunicorn, a Celery worker, a fresh
# database (PostgreSQL when DATABASE_URL points at one, else SQLite) and broker, seeded with the demo
# desk, BULK bulk requests and a few hundred released pages from ../shared/corpus for search.
# Prints, for each URL: requests/s, p99 latency, non-2xx/3xx responses and socket errors.
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS=${THREADS:-2} CONNECTIONS=${CONNECTIONS:-20} DURATION=${DURATION:-30s}
BULK=${BULK:-5000}            # requests added to the demo desk
QUERY=${QUERY:-police}        # the search words
WEB_WORKERS=${WEB_WORKERS:-4} # gunicorn sync workers (2 cores: ~2 per core)
CORPUS=../shared/corpus/real
# Text-layer PDFs only (~570 pages): OCR would make seeding take minutes and measure nothing more.
PDFS=(
  "natpdf_beaver-county-pa-precinct-results-2024.pdf" "pdfminer_irs-i1040nr-instructions.pdf"
  "flp_scotus-slip-opinion-vector.pdf" "natpdf_TDCJ July 2023 N4 Temp Logs.pdf"
  "flp_nc-supreme-court-broken-mime.pdf" "flp_ca1-opinion.pdf" "plumber_ca-edd-warn-report.pdf"
  "1505_CCSO_FOIA1505_Money_Laundering_Redacted.pdf" "1505_15-3528PenLinkResponse.pdf"
  "natpdf_vancouver-pd-use-of-force.pdf"
)

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
work=$(mktemp -d /tmp/tracker-load.XXXXXX)
stack_pid=""
cleanup() {
  # The stack's own SIGTERM handler stops gunicorn, the worker, Redis and drops its database.
  if [ -n "$stack_pid" ]; then kill -TERM "$stack_pid" 2>/dev/null || true; wait "$stack_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

if [ -z "${URL:-}" ]; then
  paths=()
  for name in "${PDFS[@]}"; do [ -f "$CORPUS/$name" ] && paths+=("$(realpath "$CORPUS/$name")"); done
  [ ${#paths[@]} -gt 0 ] || echo "note: $CORPUS is absent; search will find nothing" >&2
  cat >"$work/seed.py" <<PY
import sys, time
from django.core.management import call_command
from records.demo import seed_bulk_requests, seed_demo
t = time.perf_counter()
team = seed_demo()
seed_bulk_requests(team, $BULK)
paths = [p for p in """$(printf '%s\n' "${paths[@]}")""".splitlines() if p]
if paths:
    call_command("import_documents", *paths, "--new-request", "Released files for the load check",
                 "--team", team.slug, "--sync")
print(f"seeded in {time.perf_counter() - t:.0f} s", file=sys.stderr)
PY
  backend=SQLite; [[ "${DATABASE_URL:-}" == postgres* ]] && backend=PostgreSQL
  echo "Starting a seeded instance ($backend; $BULK bulk requests, ${#paths[@]} PDFs)…"
  .venv/bin/python tests/e2e/stack.py --seed-script "$work/seed.py" --web-workers "$WEB_WORKERS" \
    >"$work/stack.out" 2>"$work/stack.err" &
  stack_pid=$!
  until grep -qs "^READY" "$work/stack.out"; do
    if ! kill -0 "$stack_pid" 2>/dev/null; then
      echo "the instance did not start:" >&2; tail -40 "$work/stack.err" >&2; exit 1
    fi
    sleep 1
  done
  URL=$(sed -n 's/^URL=//p' "$work/stack.out")
  LOGIN=demo
  PASSWORD=demo-password-change-me  # records/demo.py's
  echo "Instance at $URL (broker $(sed -n 's/^BROKER=//p' "$work/stack.out" | cut -d: -f1))."
fi

# Sign in like a browser: the login form's CSRF token, then the session cookie.
jar="$work/cookies"
token=$(curl -fsS -c "$jar" "$URL/accounts/login/" | sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p')
curl -fsS -b "$jar" -c "$jar" -o /dev/null -H "Referer: $URL/accounts/login/" \
  --data-urlencode "csrfmiddlewaretoken=$token" \
  --data-urlencode "username=${LOGIN:?}" --data-urlencode "password=${PASSWORD:?}" \
  "$URL/accounts/login/"
session=$(awk '$6 == "sessionid" {print $7}' "$jar")
[ -n "$session" ] || { echo "sign-in as $LOGIN failed" >&2; exit 1; }
cookie="Cookie: sessionid=$session"

run() {  # label, path
  local label=$1 path=$2 status alone
  # wrk counts a 302 to the login page as a success: make sure the page really answers 200 first.
  for _ in 1 2 3; do  # the last of three: warm, as under load
    read -r status alone < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "$cookie" "$URL$path")
  done
  [ "$status" = 200 ] || { echo "$label: GET $path answered $status, not 200" >&2; exit 1; }
  # A 10 s timeout, not wrk's 2 s: slow answers then count in the latency instead of as errors.
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -H "$cookie" "$URL$path" >"$work/wrk.out"
  awk -v label="$label" -v path="$path" -v alone="$alone" '
    /Requests\/sec/ {rps = $2}
    $1 == "99%" {p99 = $2}
    /Non-2xx or 3xx/ {non2xx = $NF}
    /Socket errors/ {sock = $0; sub(/^ *Socket errors: */, "", sock)}
    /requests in/ {total = $1}
    END {printf "%-13s %-20s %8s req/s  p99 %-8s (alone: %.0fms)  %s requests, non-2xx/3xx: %d, socket errors: %s\n",
         label, path, rps, p99, alone * 1000, total, non2xx, sock ? sock : "none"}' "$work/wrk.out"
}

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, signed in as $LOGIN" \
  "(machine load now: $(cut -d' ' -f1-3 /proc/loadavg)):"
run "request list" "/requests/"
run "search" "/search/?q=$QUERY"
