#!/usr/bin/env python3
"""Immediate-alert latency of `filterwatch watch`, end to end, against a real SMTP server.

Starts aiosmtpd on 127.0.0.1 (pip install aiosmtpd), writes a school profile, starts
`filterwatch watch`, and appends Squid lines to the school's access.log at --rate lines/s for
--minutes, planting --incidents high-risk blocks (one pupil each, at random moments). For each
planted line it measures the time from the line's write to the SMTP server accepting the alert
that names that pupil: p50, p99 and max. It samples the watch process's RSS and CPU every
5 s (they should stay flat). Then, unless --no-outage, it stops the SMTP server for
--outage-seconds while more incidents are planted, starts it again, and checks that every
alert of the run arrived exactly once.

    python3 benches/alerts.py --filterwatch target/release/filterwatch --minutes 10

Prints one summary block; exit 1 when an alert is missing or duplicated.
"""

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

try:
    from aiosmtpd.controller import Controller
except ImportError:
    sys.exit("needs aiosmtpd: pip install aiosmtpd")

PUPIL_RE = re.compile(rb"bench(\d{5})")


class Recorder:
    """Notes when each alert naming a planted pupil was accepted."""

    def __init__(self):
        self.lock = threading.Lock()
        self.accepted = {}  # pupil number -> list of acceptance times

    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        with self.lock:
            for number in {int(m) for m in PUPIL_RE.findall(envelope.content)}:
                self.accepted.setdefault(number, []).append(now)
        return "250 OK"


def squid_line(ts, client, user, denied, url):
    status = "TCP_DENIED/403" if denied else "TCP_TUNNEL/200"
    return f"{ts:.3f}    120 {client} {status} 3456 CONNECT {url} {user} HIER_NONE/- text/html\n"


def proc_sample(pid):
    """(RSS in MiB, CPU seconds) of a process, from /proc."""
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) / 1024
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return rss, (int(fields[11]) + int(fields[12])) / ticks


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--filterwatch", default="target/debug/filterwatch")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--rate", type=int, default=2000, help="background lines per second")
    ap.add_argument("--incidents", type=int, default=100)
    ap.add_argument("--poll", default="1")
    ap.add_argument("--no-outage", action="store_true")
    ap.add_argument("--outage-seconds", type=float, default=120)
    ap.add_argument("--outage-incidents", type=int, default=20)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="fw-alerts-")
    recorder = Recorder()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    os.makedirs(f"{work}/logs")
    os.makedirs(f"{work}/categories/selfharm")
    with open(f"{work}/categories/selfharm/domains", "w") as f:
        f.write("selfharmstories.net\n")
    with open(f"{work}/school.toml", "w") as f:
        f.write(
            'id = "bench"\ncategories = "categories"\nlogs = ["logs/access.log*"]\n'
            f'[alerts]\nsmtp = "smtp://127.0.0.1:{port}"\nfrom = "fw@bench.example"\n'
            'dsl = ["dsl@bench.example"]\nsuppress_hours = 0\n'
        )
    watch = subprocess.Popen(
        [args.filterwatch, "watch", "--config", f"{work}/school.toml", "--data", f"{work}/data", "--poll", args.poll],
        stderr=subprocess.DEVNULL,
    )
    planted = {}  # pupil number -> write time
    samples = []
    log = open(f"{work}/logs/access.log", "a", buffering=1 << 20)
    rng = random.Random(7)
    total = args.minutes * 60
    plant_at = sorted(rng.uniform(5, total - 5) for _ in range(args.incidents))
    start = time.time()
    next_sample = start
    lines = 0
    number = 0

    def write_for(seconds, plants):
        nonlocal lines, number, next_sample
        begin = time.time()
        sent = 0
        while time.time() - begin < seconds:
            now = time.time()
            due = int((now - begin) * args.rate) - sent
            chunk = []
            for _ in range(max(0, due)):
                chunk.append(squid_line(now, f"10.0.{rng.randrange(256)}.{rng.randrange(256)}", "-", False,
                                        f"site{rng.randrange(5000)}.example:443"))
            sent += len(chunk)
            log.write("".join(chunk))
            lines += len(chunk)
            log.flush()
            while plants and plants[0] <= now - begin:
                plants.pop(0)
                number += 1
                log.write(squid_line(now, "10.9.9.9", f"bench{number:05d}", True, "selfharmstories.net:443"))
                log.flush()
                planted[number] = time.time()
            if now >= next_sample:
                samples.append((now - start, *proc_sample(watch.pid)))
                next_sample += 5
            time.sleep(0.05)

    write_for(total, list(plant_at))
    steady = set(planted)
    time.sleep(15)
    with recorder.lock:
        latencies = [recorder.accepted[n][0] - planted[n] for n in steady if n in recorder.accepted]
    missing = [n for n in steady if n not in recorder.accepted]

    outage_ok = True
    if not args.no_outage:
        controller.stop()
        outage = sorted(rng.uniform(1, args.outage_seconds - 1) for _ in range(args.outage_incidents))
        write_for(args.outage_seconds, outage)
        controller = Controller(recorder, hostname="127.0.0.1", port=port)
        controller.start()
        deadline = time.time() + 900
        while time.time() < deadline:
            with recorder.lock:
                if all(n in recorder.accepted for n in planted):
                    break
            time.sleep(1)
        time.sleep(10)

    watch.send_signal(signal.SIGTERM)
    watch.wait(timeout=60)
    controller.stop()
    log.close()
    with recorder.lock:
        duplicated = [n for n, times in recorder.accepted.items() if len(times) > 1]
        missing_all = [n for n in planted if n not in recorder.accepted]
    outage_ok = not duplicated and not missing_all
    cpu = [c for _, _, c in samples]
    rss = [r for _, r, _ in samples]
    third = max(1, len(samples) // 3)
    print(f"machine: {os.cpu_count()} cores; {lines} background lines at {args.rate}/s over {args.minutes} min")
    print(f"alerts: {len(latencies)} of {len(steady)} steady-state incidents delivered; missing {len(missing)}")
    if latencies:
        print(f"latency line->SMTP accepted: p50 {percentile(latencies, 50):.2f} s, "
              f"p99 {percentile(latencies, 99):.2f} s, max {max(latencies):.2f} s")
    if len(samples) > 2:
        first_cpu = (cpu[third] - cpu[0]) / (samples[third][0] - samples[0][0])
        last_cpu = (cpu[-1] - cpu[-third - 1]) / (samples[-1][0] - samples[-third - 1][0])
        print(f"watch RSS: first third max {max(rss[:third]):.0f} MiB, last third max {max(rss[-third:]):.0f} MiB")
        print(f"watch CPU: {first_cpu * 100:.0f}% of a core in the first third, {last_cpu * 100:.0f}% in the last")
    if not args.no_outage:
        print(f"outage {args.outage_seconds:.0f} s: {len(planted)} alerts in all, missing {len(missing_all)}, "
              f"duplicated {len(duplicated)}")
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if outage_ok and not missing else 1)


if __name__ == "__main__":
    main()
