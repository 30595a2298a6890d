//! `filterwatch aggregate --data DIR --out DIR`: the local authority's view across schools, from a
//! pseudonymised export (or any dataset): per school and week, outliers, CSV, charts and a PDF.
//! The outputs hold per-school numbers only, so no key is needed to make them; `--key-file` is
//! accepted so scripts can pass the same flags as `export`. With `--engine spark` the queries
//! run on a Spark cluster over data wherever Hadoop reads it (`hdfs://`, `s3a://`, `abfss://`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;

use super::{ConfigError, DataDir};
use crate::aggregate::cache::Cache;
use crate::aggregate::disclosure::{SmallNumbers, DEFAULT_THRESHOLD};
use crate::aggregate::la_report::write_la_report;
use crate::aggregate::views::school_weeks;
use crate::engine::{spark, Engine};

/// Which engine `--engine` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineName {
    /// polars in this process, over a local folder.
    Local,
    /// A Spark cluster, through `spark-submit`.
    Spark,
}

/// Arguments of `filterwatch aggregate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The dataset folder (`--data`); with `--engine spark`, also a Hadoop URI.
    #[command(flatten)]
    pub data: DataDir,
    /// Where to write the adviser's report.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The local authority's key (not needed: the outputs name no one).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Counts of people from 1 to below this are published as `<N` (statistical disclosure
    /// control); 1 publishes every count.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_THRESHOLD,
          value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub suppress_below: u64,
    /// How many of each school's latest weeks `trends.csv` holds.
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..=520))]
    pub trend_weeks: u64,
    /// Where the queries run: here, or on a Spark cluster.
    #[arg(long, value_enum, default_value_t = EngineName::Local)]
    pub engine: EngineName,
    /// Where per school-week results are kept between runs [default: DATA/.cache/aggregate for a
    /// local folder; none for a remote URI].
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// The Spark master, `spark://HOST:PORT`, `yarn`, `k8s://…` [default: spark-submit's own].
    #[arg(long, value_name = "URL")]
    pub master: Option<String>,
    /// The spark-submit to run [default: $SPARK_HOME/bin/spark-submit, else on PATH].
    #[arg(long, value_name = "PATH")]
    pub spark_submit: Option<PathBuf>,
    /// A Spark setting passed on as `--conf KEY=VALUE` (repeatable), e.g. credentials for s3a.
    #[arg(long = "spark-conf", value_name = "KEY=VALUE")]
    pub spark_conf: Vec<String>,
    /// Queries the Spark job runs at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub spark_concurrent: u64,
}

/// Builds the views and writes the report; prints the PDF's path.
pub fn run(args: Args) -> Result<ExitCode> {
    let small = SmallNumbers { threshold: args.suppress_below };
    // `file:///srv/share` is the folder /srv/share.
    let given = args.data.path.to_string_lossy();
    let data = given.strip_prefix("file://").map_or_else(|| args.data.path.clone(), PathBuf::from);
    let data = data.as_path();
    let remote = is_remote(data);
    if args.engine == EngineName::Local
        && (args.master.is_some() || args.spark_submit.is_some() || !args.spark_conf.is_empty())
    {
        return Err(ConfigError("--master, --spark-submit and --spark-conf need --engine spark".into()).into());
    }
    let engine = match args.engine {
        EngineName::Local if remote => {
            return Err(ConfigError(format!(
                "--data {}: a URI is read by --engine spark only",
                crate::escape::text(&data.to_string_lossy())
            ))
            .into())
        }
        EngineName::Local => Engine::Local,
        EngineName::Spark => {
            if let Some(bad) = args.spark_conf.iter().find(|c| !c.contains('=')) {
                return Err(
                    ConfigError(format!("--spark-conf {}: expected KEY=VALUE", crate::escape::text(bad))).into()
                );
            }
            let options = spark::Options {
                submit: args.spark_submit.clone().unwrap_or_else(spark::Options::default_submit),
                master: args.master.clone(),
                conf: args.spark_conf.clone(),
                concurrent: args.spark_concurrent as usize,
            };
            // Executors resolve a relative folder against their own working directory.
            let location = if remote { data.to_path_buf() } else { std::path::absolute(data)? };
            Engine::Spark(Arc::new(spark::Driver::start(&options, &location.to_string_lossy())?))
        }
    };
    // Beside the share, not in the outputs: the cached rows hold the counts before small ones
    // are hidden.
    let cache_dir = args.cache.clone().or_else(|| (!remote).then(|| data.join(".cache").join("aggregate")));
    let cache = cache_dir.as_deref().map(Cache::new);
    let rows = match engine {
        Engine::Local => school_weeks(data, &engine, small, cache.as_ref())?,
        // The cluster does the work: as many schools in flight as the job takes queries at once.
        Engine::Spark(_) => rayon::ThreadPoolBuilder::new()
            .num_threads(args.spark_concurrent as usize)
            .build()?
            .install(|| school_weeks(data, &engine, small, cache.as_ref()))?,
    };
    let files = write_la_report(&rows, small, args.trend_weeks as usize, &args.out)?;
    println!("{}", files.pdf.display());
    Ok(ExitCode::SUCCESS)
}

/// Whether `--data` names a Hadoop filesystem other than the local one (`hdfs://…`, `s3a://…`).
fn is_remote(data: &Path) -> bool {
    let text = data.to_string_lossy();
    text.split_once("://").is_some_and(|(scheme, _)| {
        scheme != "file" && !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || c == '+')
    })
}
