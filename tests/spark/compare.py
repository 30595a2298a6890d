#!/usr/bin/env python3
"""Runs every SQL file in queries/ on an Apache Spark cluster over a filterwatch dataset, and
checks that Spark returns the same rows as polars (`filterwatch query`).

    python3 tests/spark/cluster.py -- python3 tests/spark/compare.py --master {master} \
        --data DATA --filterwatch target/debug/filterwatch

The SQL files are used unchanged; only the :parameters are bound, the same way as in Rust.
Exits non-zero when any query differs or fails.
"""
import argparse
import datetime as dt
import glob
import json
import os
import re
import subprocess
import sys
from decimal import Decimal

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
QUERIES = os.path.join(ROOT, "queries")
sys.path.insert(0, os.path.join(ROOT, "spark"))
from filterwatch_job import events_view  # noqa: E402  the view `aggregate --engine spark` queries

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--filterwatch", required=True)
    ap.add_argument("--master", required=True, help="spark://HOST:PORT (cluster.py starts one)")
    args = ap.parse_args()
    url = args.master
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master(url).appName("filterwatch-sql-check")
             .config("spark.sql.session.timeZone", "UTC").config("spark.driver.host", "127.0.0.1")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
             .config("spark.executor.memory", "1g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    events_view(spark, args.data)
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


if __name__ == "__main__":
    main()
