"""Shared by the Python peers: parameters from the environment (set by
bench/run.mjs), the clock, the one-line JSON result."""
import json
import os
import sys
import time

DURATION = float(os.environ.get('BENCH_DURATION') or 1.5)
WARMUP = float(os.environ.get('BENCH_WARMUP') or 0.25)
TMP = os.environ.get('BENCH_TMP') or '/tmp'


def now_ms():
    return time.perf_counter() * 1000.0


def emit(result):
    sys.stdout.write(json.dumps(result) + '\n')
    sys.stdout.flush()
