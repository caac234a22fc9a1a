#!/usr/bin/env python3
"""Write N Cloudflare Logpush http_requests lines with unix-nanosecond
timestamps (the Logpush "unixnano" timestamp format), for .ci/bench-peers.

Lines are the project's own sample-logs/cloudflare records (written by
sample-logs/gen) in time order, cycled and re-timed one a millisecond, so the
file keeps the samples' mix of statuses, hosts and errors. Usage: gen-logpush.py N OUT
"""
import datetime
import glob
import json
import os
import sys


def nanos(v):
    if isinstance(v, int):
        return v if v > 10**12 else v * 10**9
    iso = v
    dt = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ")
    dt = dt.replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp()) * 10**9 + dt.microsecond * 1000


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    recs = []
    for path in sorted(glob.glob(os.path.join(here, "..", "sample-logs", "cloudflare", "*.log"))):
        with open(path) as f:
            recs += [json.loads(line) for line in f if line.strip()]
    recs.sort(key=lambda r: nanos(r["EdgeStartTimestamp"]))
    t0 = nanos(recs[0]["EdgeStartTimestamp"])
    with open(out, "w") as f:
        for i in range(n):
            r = dict(recs[i % len(recs)])
            took = max(0, nanos(r["EdgeEndTimestamp"]) - nanos(r["EdgeStartTimestamp"]))
            r["EdgeStartTimestamp"] = t0 + i * 10**6  # one request a millisecond
            r["EdgeEndTimestamp"] = r["EdgeStartTimestamp"] + took
            r["RayID"] = "%016x" % (0x3c7b6c15eff0fbdf + i)  # unique, as Cloudflare's are
            f.write(json.dumps(r, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
