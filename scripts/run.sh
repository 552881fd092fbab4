#!/usr/bin/env bash
# Web server + a real Celery worker + Celery beat, on the embedded broker; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var/log
pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

# One worker for every queue (extraction, ocr, mail, housekeeping, celery); production runs one per queue (README).
$BIN/celery -A config worker -Q extraction,ocr,mail,housekeeping,celery --loglevel=INFO --concurrency=2 >>var/log/worker.log 2>&1 &
pids+=($!)
# The search engine's indexer: one process, since the index takes one writer at a time (README, Search).
$BIN/celery -A config worker -Q search --concurrency=1 -n search@%h --loglevel=INFO >>var/log/search-worker.log 2>&1 &
pids+=($!)
$BIN/celery -A config beat --loglevel=INFO >>var/log/beat.log 2>&1 &
pids+=($!)

cat <<MSG

  Records tracker: http://$HOST:$PORT/
  Celery worker and beat are running (logs in var/log/).

  First time? Create your account in another terminal:
      .venv/bin/python manage.py createsuperuser
  or load the demo desk (users demo / reporter / reader):
      .venv/bin/python manage.py seed_demo

MSG
$BIN/python manage.py runserver "$HOST:$PORT" &
pids+=($!)
wait -n "${pids[@]}"
echo "A process stopped; shutting down the rest (see var/log/)." >&2
