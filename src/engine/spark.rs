//! The Spark engine: filterwatch submits its job (`spark/filterwatch_job.py`, embedded in the
//! binary) with `spark-submit`, and the job's driver answers the bound SQL of `queries/` over the
//! cluster. The job connects back on a loopback socket and proves itself with a token left in a
//! folder only this user can read; its docstring gives the protocol (JSON lines). Queries from
//! many threads are in flight at once; each waits for its own answer.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use chrono::NaiveDate;
use polars::prelude::{Column, DataFrame, DataType, NamedFrom, Series, TimeUnit, TimeZone};

use super::{Catalogue, FileStamp, SchoolListing};

/// The job, as shipped.
const JOB: &str = include_str!("../../spark/filterwatch_job.py");
/// How long the job may take to start, connect and list the dataset.
const START_TIMEOUT: Duration = Duration::from_secs(600);

/// How to reach the cluster.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `spark-submit` to run.
    pub submit: PathBuf,
    /// `--master` for spark-submit; its own default (spark-defaults.conf) when `None`.
    pub master: Option<String>,
    /// `--conf KEY=VALUE` settings passed on.
    pub conf: Vec<String>,
    /// Queries in flight at once.
    pub concurrent: usize,
}

impl Options {
    /// `spark-submit` from `$SPARK_HOME/bin`, else the one on `PATH`.
    pub fn default_submit() -> PathBuf {
        match std::env::var_os("SPARK_HOME") {
            Some(home) => Path::new(&home).join("bin").join("spark-submit"),
            None => PathBuf::from("spark-submit"),
        }
    }
}

/// One message from the job.
#[derive(serde::Deserialize)]
struct Message {
    id: Option<u64>,
    columns: Option<Vec<WireColumn>>,
    error: Option<String>,
    fatal: Option<String>,
    catalogue: Option<WireCatalogue>,
}

#[derive(serde::Deserialize)]
struct WireColumn {
    name: String,
    kind: String,
    values: Vec<serde_json::Value>,
}

#[derive(serde::Deserialize)]
struct WireCatalogue {
    schools: HashMap<String, WireSchool>,
}

#[derive(serde::Deserialize)]
struct WireSchool {
    days: HashMap<String, Vec<(String, u64, i64)>>,
    settings: Option<String>,
}

type Reply = Result<Vec<WireColumn>, String>;

/// A running job.
pub struct Driver {
    connection: Mutex<Option<TcpStream>>,
    child: Mutex<Child>,
    waiting: Arc<Mutex<HashMap<u64, mpsc::Sender<Reply>>>>,
    next_id: AtomicU64,
    catalogue: Catalogue,
    folder: PathBuf,
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver").field("folder", &self.folder).finish_non_exhaustive()
    }
}

impl Driver {
    /// Submits the job over dataset `data` (a folder or a Hadoop URI) and waits until it has
    /// listed the dataset.
    pub fn start(options: &Options, data: &str) -> Result<Driver> {
        let folder = private_folder()?;
        let job = folder.join("filterwatch_job.py");
        std::fs::write(&job, JOB).with_context(|| format!("cannot write {}", job.display()))?;
        let token = new_token()?;
        let token_path = folder.join("token");
        std::fs::write(&token_path, &token).with_context(|| format!("cannot write {}", token_path.display()))?;
        let listener = TcpListener::bind("127.0.0.1:0").context("cannot listen on 127.0.0.1 for the Spark job")?;
        let address = listener.local_addr()?.to_string();
        let log_path = folder.join("spark.log");
        let log = std::fs::File::create(&log_path).with_context(|| format!("cannot create {}", log_path.display()))?;
        let mut command = Command::new(&options.submit);
        if let Some(master) = &options.master {
            command.args(["--master", master]);
        }
        for setting in &options.conf {
            command.args(["--conf", setting]);
        }
        command
            .args(["--name", "filterwatch-aggregate", "--deploy-mode", "client"])
            .arg(&job)
            .args(["--data", data, "--connect", &address, "--token"])
            .arg(&token_path)
            .args(["--concurrent", &options.concurrent.max(1).to_string()])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&folder);
                return Err(e).with_context(|| {
                    format!("cannot run {} (--spark-submit, or set SPARK_HOME)", options.submit.display())
                });
            }
        };
        let ended = |why: String| job_error(&folder, &why);
        let stream = match accept_job(&listener, &token, &mut child) {
            Ok(stream) => stream,
            Err(why) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ended(why));
            }
        };
        let waiting: Arc<Mutex<HashMap<u64, mpsc::Sender<Reply>>>> = Arc::default();
        let (listed_tx, listed_rx) = mpsc::channel::<Result<WireCatalogue, String>>();
        let (incoming, waiting_for_reader) = (stream.try_clone()?, waiting.clone());
        std::thread::spawn(move || read_messages(incoming, listed_tx, waiting_for_reader));
        let listed = match listed_rx.recv_timeout(START_TIMEOUT) {
            Ok(Ok(listed)) => listed,
            Ok(Err(fatal)) => {
                let _ = child.wait();
                return Err(ended(format!("failed: {}", crate::escape::text(&fatal))));
            }
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                return Err(ended(format!("did not list the dataset ({status})")));
            }
        };
        let catalogue = catalogue_of(listed);
        Ok(Driver {
            connection: Mutex::new(Some(stream)),
            child: Mutex::new(child),
            waiting,
            next_id: AtomicU64::new(1),
            catalogue,
            folder,
        })
    }

    /// What the dataset held when the job started.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// Runs bound SQL over the `events` view and waits for its rows.
    pub fn sql(&self, sql: &str) -> Result<DataFrame> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel();
        self.waiting.lock().expect("waiting list").insert(id, tx);
        let request = serde_json::json!({ "id": id, "sql": sql }).to_string() + "\n";
        {
            let mut connection = self.connection.lock().expect("job connection");
            let stream = connection.as_mut().context("the Spark job is closed")?;
            stream.write_all(request.as_bytes()).map_err(|e| self.ended(format!("cannot be reached: {e}")))?;
        }
        match rx.recv() {
            Ok(Ok(columns)) => frame_of(columns),
            Ok(Err(error)) => bail!("Spark: {}", crate::escape::text(&error)),
            Err(_) => Err(self.ended("ended before answering".into())),
        }
    }

    fn ended(&self, why: String) -> anyhow::Error {
        job_error(&self.folder, &why)
    }
}

impl Drop for Driver {
    /// Closes the connection, so the job stops its session and ends; it is killed if it has not
    /// within a minute. Its folder (job, token and log) is removed when it ended well.
    fn drop(&mut self) {
        if let Ok(Some(stream)) = self.connection.lock().map(|mut s| s.take()) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        let Ok(mut child) = self.child.lock() else { return };
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if std::time::Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
                _ => {
                    let _ = child.kill();
                    break child.wait().ok();
                }
            }
        };
        if status.is_some_and(|s| s.success()) {
            let _ = std::fs::remove_dir_all(&self.folder);
        }
    }
}

/// A new folder for the job and its log, private to this user (created, never reused).
fn private_folder() -> Result<PathBuf> {
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let folder = std::env::temp_dir().join(format!("filterwatch-spark-{}-{stamp}", std::process::id()));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&folder).with_context(|| format!("cannot create {}", folder.display()))?;
    Ok(folder)
}

/// What went wrong with the job, naming its log (kept in `folder` when it did not end well).
fn job_error(folder: &Path, why: &str) -> anyhow::Error {
    anyhow!("the Spark job {why} (its log: {})", crate::escape::text(&folder.join("spark.log").to_string_lossy()))
}

/// A random token, as hex, from the kernel.
fn new_token() -> Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("cannot read /dev/urandom for the Spark job's token")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Waits for the job to connect and give the token; a connection that does not is closed. Gives
/// up when the job ends first or after [`START_TIMEOUT`].
fn accept_job(listener: &TcpListener, token: &str, child: &mut Child) -> Result<TcpStream, String> {
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let deadline = std::time::Instant::now() + START_TIMEOUT;
    while std::time::Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("ended before it connected ({status})"));
        }
        match listener.accept() {
            Ok((stream, _)) => {
                // Byte by byte: what follows the token's line is the job's first message.
                let given = stream.set_nonblocking(false).and_then(|()| {
                    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
                    let (mut line, mut byte) = (Vec::new(), [0u8; 1]);
                    while line.len() < 256 {
                        (&stream).read_exact(&mut byte)?;
                        if byte[0] == b'\n' {
                            break;
                        }
                        line.push(byte[0]);
                    }
                    Ok(line)
                });
                if given.is_ok_and(|line| line == token.as_bytes()) {
                    stream.set_read_timeout(None).map_err(|e| e.to_string())?;
                    return Ok(stream);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(format!("could not connect: {e}")),
        }
    }
    Err(format!("did not connect within {} s", START_TIMEOUT.as_secs()))
}

/// The job's messages: the catalogue first, then answers, each to the query waiting for it.
/// When the job ends, every query still waiting is told (its sender is dropped).
fn read_messages(
    stream: TcpStream,
    listed: mpsc::Sender<Result<WireCatalogue, String>>,
    waiting: Arc<Mutex<HashMap<u64, mpsc::Sender<Reply>>>>,
) {
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { break };
        let message: Message = match serde_json::from_str(&line) {
            Ok(message) => message,
            Err(e) => {
                let _ = listed.send(Err(format!("sent a message filterwatch cannot read: {e}")));
                break;
            }
        };
        if let Some(fatal) = message.fatal {
            let _ = listed.send(Err(fatal));
            break;
        }
        if let Some(catalogue) = message.catalogue {
            let _ = listed.send(Ok(catalogue));
            continue;
        }
        let Some(id) = message.id else { continue };
        let reply = match (message.columns, message.error) {
            (Some(columns), _) => Ok(columns),
            (None, error) => Err(error.unwrap_or_else(|| "no answer".into())),
        };
        if let Some(tx) = waiting.lock().expect("waiting list").remove(&id) {
            let _ = tx.send(reply);
        }
    }
    waiting.lock().expect("waiting list").clear();
}

fn catalogue_of(listed: WireCatalogue) -> Catalogue {
    let mut catalogue = Catalogue::default();
    for (school, wire) in listed.schools {
        let mut listing = SchoolListing { settings_toml: wire.settings, ..SchoolListing::default() };
        for (day, files) in wire.days {
            // Folders that are not a date are not partitions (as in a local listing).
            let Ok(day) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") else { continue };
            let mut stamps: Vec<FileStamp> =
                files.into_iter().map(|(name, size, modified)| FileStamp { name, size, modified }).collect();
            stamps.sort();
            listing.days.insert(day, stamps);
        }
        catalogue.schools.insert(school, listing);
    }
    catalogue
}

/// A query's answer as the frame polars would have returned: the same column names, dates as
/// dates and timestamps as UTC microseconds, so `queries::columns` reads either alike.
fn frame_of(columns: Vec<WireColumn>) -> Result<DataFrame> {
    let mut built = Vec::with_capacity(columns.len());
    for WireColumn { name, kind, values } in columns {
        let ints = || values.iter().map(serde_json::Value::as_i64).collect::<Vec<Option<i64>>>();
        let series = match kind.as_str() {
            "int" => Series::new(name.as_str().into(), ints()),
            "date" => Series::new(name.as_str().into(), ints()).cast(&DataType::Int32)?.cast(&DataType::Date)?,
            "timestamp" => Series::new(name.as_str().into(), ints())
                .cast(&DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)))?,
            "float" => {
                Series::new(name.as_str().into(), values.iter().map(serde_json::Value::as_f64).collect::<Vec<_>>())
            }
            "bool" => {
                Series::new(name.as_str().into(), values.iter().map(serde_json::Value::as_bool).collect::<Vec<_>>())
            }
            "text" => Series::new(
                name.as_str().into(),
                values.iter().map(|v| v.as_str().map(str::to_string)).collect::<Vec<Option<String>>>(),
            ),
            other => bail!("the Spark job sent column {name} of an unknown kind {other:?}"),
        };
        built.push(Column::from(series));
    }
    Ok(DataFrame::new_infer_height(built)?)
}
