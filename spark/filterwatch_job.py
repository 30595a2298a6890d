"""filterwatch's side of a Spark cluster: the job `filterwatch aggregate --engine spark` submits.

It is not run by hand. filterwatch embeds this file, writes it to a private temporary folder and
starts it with `spark-submit --master URL JOB --data URI --connect 127.0.0.1:PORT --token FILE`;
the job's driver runs beside filterwatch (client mode), connects back to it on loopback and
proves itself with the token filterwatch left in its private folder; the cluster does the
scanning. (spark-submit gives a Python driver no standard input, hence the socket.)

What it does:
1. Registers the events under DATA/events (hive-partitioned Parquet, on any filesystem Hadoop
   reads: a local folder, `hdfs://`, `s3a://`, `abfss://`) as the SQL view `events`, with
   `school` as text and `date` as a date, as filterwatch reads them.
2. Sends the dataset's catalogue: each school's `date=` folders with their files (name, size,
   modification time: what filterwatch's per school-week cache is keyed on) and the settings
   copy kept beside the events (`profiles/<school>.toml`).
3. Answers queries: each request is one of the portable SQL files in `queries/`, already bound
   by filterwatch; the rows come back column by column. Requests are answered concurrently, so
   the cluster works on several school-weeks at once.

The protocol is JSON, one message per line, over the socket. The job sends the token's line
first, then {"catalogue": {...}} once (or {"fatal": "..."}); filterwatch sends {"id": N, "sql":
"..."}; the job answers each with {"id": N, "columns": [{"name", "kind", "values"}]} or
{"id": N, "error": "..."}. The job ends when filterwatch closes the connection.
"""
import argparse
import concurrent.futures
import json
import socket
import sys
import threading


class Channel:
    """The connection to filterwatch: whole messages out, one thread at a time; lines in."""

    def __init__(self, address, token):
        host, port = address.rsplit(":", 1)
        self.socket = socket.create_connection((host, int(port)))
        self.lock = threading.Lock()
        self.socket.sendall(token.encode() + b"\n")
        self.incoming = self.socket.makefile("r", encoding="utf-8")

    def send(self, message):
        line = (json.dumps(message, separators=(",", ":")) + "\n").encode()
        with self.lock:
            self.socket.sendall(line)


def events_view(spark, data):
    """The events as filterwatch reads them. Partition values are read as text (a school id of
    digits stays text), then `date` is made a date; filters on either still prune folders."""
    from pyspark.sql import functions as F
    events = data.rstrip("/") + "/events"
    frame = (spark.read.option("basePath", events).option("mergeSchema", "true").parquet(events)
             .withColumn("date", F.to_date(F.col("date"))))
    frame.createOrReplaceTempView("events")


def catalogue(spark, data):
    """Each school's days with their files, and its settings copy (or None)."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    Path = jvm.org.apache.hadoop.fs.Path
    root = Path(data)
    fs = root.getFileSystem(conf)
    schools = {}
    events = Path(root, "events")
    for school_status in fs.listStatus(events):
        school_name = school_status.getPath().getName()
        if not (school_status.isDirectory() and school_name.startswith("school=")):
            continue
        days = {}
        for day_status in fs.listStatus(school_status.getPath()):
            day_name = day_status.getPath().getName()
            if not (day_status.isDirectory() and day_name.startswith("date=")):
                continue
            files = []
            for f in fs.listStatus(day_status.getPath()):
                files.append([f.getPath().getName(), f.getLen(), f.getModificationTime()])
            days[day_name[len("date="):]] = sorted(files)
        schools[school_name[len("school="):]] = {"days": days, "settings": None}
    profiles = Path(root, "profiles")
    if fs.exists(profiles):
        for status in fs.listStatus(profiles):
            name = status.getPath().getName()
            school = name[:-len(".toml")]
            if status.isFile() and name.endswith(".toml") and school in schools:
                stream = fs.open(status.getPath())
                try:
                    reader = jvm.java.io.InputStreamReader(stream, "UTF-8")
                    text = jvm.org.apache.commons.io.IOUtils.toString(reader)
                finally:
                    stream.close()
                schools[school]["settings"] = text
    return {"schools": schools}


def encode(frame):
    """A query's result column by column, each value as JSON can carry it exactly: dates as days
    since 1970-01-01, timestamps as microseconds since the epoch, whole numbers as integers."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
    selected, kinds = [], []
    for i, field in enumerate(frame.schema.fields):
        column, kind = F.col("`" + field.name.replace("`", "``") + "`"), field.dataType
        if isinstance(kind, (T.TimestampType, T.TimestampNTZType)):
            column, kind = F.unix_micros(column.cast("timestamp")), "timestamp"
        elif isinstance(kind, T.DateType):
            column, kind = F.unix_date(column), "date"
        elif isinstance(kind, (T.ByteType, T.ShortType, T.IntegerType, T.LongType)) or (
                isinstance(kind, T.DecimalType) and kind.scale == 0):
            column, kind = column.cast("bigint"), "int"
        elif isinstance(kind, (T.FloatType, T.DoubleType, T.DecimalType)):
            column, kind = column.cast("double"), "float"
        elif isinstance(kind, T.BooleanType):
            kind = "bool"
        else:
            column, kind = column.cast("string"), "text"
        selected.append(column.alias(f"c{i}"))
        kinds.append(kind)
    rows = frame.select(*selected).collect()
    return [{"name": field.name, "kind": kind, "values": [row[i] for row in rows]}
            for i, (field, kind) in enumerate(zip(frame.schema.fields, kinds))]


def main():
    parser = argparse.ArgumentParser(description="filterwatch's Spark job (started by filterwatch)")
    parser.add_argument("--data", required=True, help="the dataset: a folder or a Hadoop URI")
    parser.add_argument("--connect", required=True, help="filterwatch's HOST:PORT on loopback")
    parser.add_argument("--token", required=True, help="the file holding the token to prove itself with")
    parser.add_argument("--concurrent", type=int, default=8, help="queries in flight at once")
    args = parser.parse_args()
    with open(args.token) as token:
        channel = Channel(args.connect, token.read().strip())
    try:
        from pyspark.sql import SparkSession
        spark = (SparkSession.builder.appName("filterwatch-aggregate")
                 .config("spark.sql.session.timeZone", "UTC")
                 .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 .getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        listing = catalogue(spark, args.data)
        if listing["schools"]:
            events_view(spark, args.data)
        channel.send({"catalogue": listing})
    except Exception as error:  # reported to filterwatch, which names it in its one-line error
        channel.send({"fatal": str(error).splitlines()[0] if str(error) else type(error).__name__})
        sys.exit(1)

    def answer(request):
        try:
            channel.send({"id": request["id"], "columns": encode(spark.sql(request["sql"]))})
        except Exception as error:
            channel.send({"id": request["id"], "error": (str(error).splitlines() or [type(error).__name__])[0]})

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.concurrent)) as pool:
        for line in channel.incoming:
            if line.strip():
                pool.submit(answer, json.loads(line))
    spark.stop()


if __name__ == "__main__":
    main()
