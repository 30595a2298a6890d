#!/usr/bin/env python3
"""Runs a command beside a real Apache Spark standalone cluster: a master and two one-core
workers on 127.0.0.1, started from the pyspark package with the machine's Java, stopped when the
command ends. In the command, {master} becomes the master's URL and {spark_submit} the path of
pyspark's spark-submit.

    python3 tests/spark/cluster.py -- filterwatch aggregate --engine spark --master {master} ...

Exits with the command's status.
"""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request


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
    if "--" not in sys.argv:
        sys.exit("usage: cluster.py -- COMMAND ...")
    command = sys.argv[sys.argv.index("--") + 1:]
    import pyspark
    home = os.path.dirname(pyspark.__file__)
    url, procs = start_cluster()
    try:
        values = {"master": url, "spark_submit": os.path.join(home, "bin", "spark-submit")}
        command = [part.format(**values) for part in command]
        env = dict(os.environ, SPARK_HOME=home, SPARK_LOCAL_IP="127.0.0.1")
        sys.exit(subprocess.run(command, env=env).returncode)
    finally:
        stop(procs)


if __name__ == "__main__":
    main()
