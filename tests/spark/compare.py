#!/usr/bin/env python3
"""Runs every SQL file in queries/ on an Apache Spark standalone cluster (a master and two workers
on 127.0.0.1, started from the pyspark package with the machine's Java) over a filterwatch
dataset, and checks that Spark returns the same rows as polars (`filterwatch query`).

    python3 tests/spark/compare.py --data DATA --filterwatch target/debug/filterwatch

The SQL files are used unchanged; only the :parameters are bound, the same way as in Rust.
Exits non-zero when any query differs or fails.
"""
import argparse
import datetime as dt
import glob
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal

QUERIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "queries")

# One value per parameter any query uses: the demo week, its Wednesday spike hour.
PARAMS = {
    "from": "2026-10-19", "to": "2026-10-26", "schools": "riverside", "school": "riverside",
    "date": "2026-10-21", "hour_from": "10", "hour_to": "11", "subject": "games",
    "school_weekdays": "1,2,3,4,5", "holiday_dates": "2026-10-26,2026-10-27",
    "staff_start_minute": "420", "staff_end_minute": "1140",
    "categories": "education,search,health,news,games",
}


def literal(value):
    """The SQL literal for a --param value, as queries::Param writes it."""
    def one(v):
        v = v.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            return f"DATE '{v}'"
        if re.fullmatch(r"-?\d+", v):
            return v
        return "'" + v.replace("'", "''") + "'"
    return ", ".join(one(v) for v in value.split(","))


def code_of(path):
    """The query without comments, as Query::bind sees it."""
    lines = (line.split("--")[0] for line in open(path))
    return "\n".join(line for line in lines if line.strip())


def canonical(value):
    """Spark values as the text polars casts the same values to."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") + "+00:00"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cluster():
    """A master and two one-core workers on loopback; returns (url, processes)."""
    import pyspark
    home = os.path.dirname(pyspark.__file__)
    spark_class = os.path.join(home, "bin", "spark-class")
    env = dict(os.environ, SPARK_HOME=home, SPARK_LOCAL_IP="127.0.0.1", SPARK_NO_DAEMONIZE="1")
    port, ui = free_port(), free_port()
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    procs = [subprocess.Popen([spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                               "--port", str(port), "--webui-port", str(ui)], **quiet)]
    url = f"spark://127.0.0.1:{port}"
    for _ in range(2):
        procs.append(subprocess.Popen([spark_class, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                                       "--cores", "1", "--memory", "1g", "--webui-port", str(free_port()), url], **quiet))
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            state = json.load(urllib.request.urlopen(f"http://127.0.0.1:{ui}/json/", timeout=2))
            if state.get("aliveworkers", 0) >= 2:
                return url, procs
        except OSError:
            pass
        time.sleep(1)
    stop(procs)
    sys.exit("the Spark cluster did not come up with two workers in 180 s")


def stop(procs):
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--filterwatch", required=True)
    args = ap.parse_args()
    url, procs = start_cluster()
    try:
        from pyspark.sql import SparkSession
        spark = (SparkSession.builder.master(url).appName("filterwatch-sql-check")
                 .config("spark.sql.session.timeZone", "UTC").config("spark.driver.host", "127.0.0.1")
                 .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                 .config("spark.executor.memory", "1g").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        events = os.path.join(args.data, "events")
        spark.read.option("basePath", events).parquet(events).createOrReplaceTempView("events")
        failures = 0
        for path in sorted(glob.glob(os.path.join(QUERIES, "*.sql"))):
            name = os.path.basename(path)[:-4]
            code = code_of(path)
            used = sorted(set(re.findall(r":([a-z_]+)", code)))
            cmd = [args.filterwatch, "query", name, "--data", args.data] + [f"--param={k}={PARAMS[k]}" for k in used]
            polars_rows = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
            sql = re.sub(r":([a-z_]+)", lambda m: literal(PARAMS[m.group(1)]), code)
            try:
                spark_rows = [{k: canonical(v) for k, v in row.asDict().items()} for row in spark.sql(sql).collect()]
            except Exception as error:  # a query Spark cannot run is a failure to report, not to hide
                print(f"{name}: FAILED on Spark: {str(error).splitlines()[0]}")
                failures += 1
                continue
            key = lambda row: [(k, "" if row[k] is None else row[k]) for k in sorted(row)]
            same = sorted(map(key, polars_rows)) == sorted(map(key, spark_rows))
            print(f"{name}: {len(spark_rows)} rows, {'same as polars' if same else 'DIFFERENT from polars'}")
            if not same:
                failures += 1
                only_polars = [r for r in map(key, polars_rows) if r not in list(map(key, spark_rows))][:3]
                only_spark = [r for r in map(key, spark_rows) if r not in list(map(key, polars_rows))][:3]
                print(f"  polars only: {only_polars}\n  spark only: {only_spark}")
        spark.stop()
        sys.exit(1 if failures else 0)
    finally:
        stop(procs)


if __name__ == "__main__":
    main()
