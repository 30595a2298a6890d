//! The `filterwatch` command: clap dispatch only; each subcommand lives in `src/cmd/<name>.rs`.

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use filterwatch::cmd;
use filterwatch::detect::Kind;

/// Web-filter and proxy logs of UK schools → e-safety monitoring.
#[derive(Parser)]
#[command(name = "filterwatch", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a profile: its keys, the logs it names, their formats, sample rows, the dataset folder.
    Check(cmd::check::Args),
    /// Read raw filter/proxy logs into the school's Parquet dataset.
    Ingest(cmd::ingest::Args),
    /// High-risk incidents: what `watch` alerts on at once (self-harm, extremism, bypass…).
    HighRisk(cmd::findings::Args),
    /// Blocked-site spikes: hours far above comparable hours.
    Spikes(cmd::findings::Args),
    /// Staff browsing outside staff hours, at weekends and in holidays.
    OutOfHours(cmd::findings::Args),
    /// Pupils repeatedly trying blocked sites, by severity.
    Repeats(cmd::findings::Args),
    /// The coordinator's weekly PDF, charts and incident-log CSV for one school.
    Report(cmd::report::Args),
    /// The annual filtering and monitoring review: PDF and CSVs, `--no-names` for governors.
    Review(cmd::review::Args),
    /// The cron job: ingest what is new, detect, alert, weekly report on Mondays, retention.
    Nightly(cmd::nightly::Args),
    /// Follow the logs as they are written and alert the DSL to high-risk incidents at once.
    Watch(cmd::watch::Args),
    /// Cross-school views for local-authority advisers: CSV, charts and a PDF.
    Aggregate(cmd::aggregate::Args),
    /// The events for the local authority: identifiers replaced by keyed pseudonyms or dropped.
    Export(cmd::export::Args),
    /// Run one of the portable SQL queries (queries/*.sql) with polars; rows as JSON.
    Query(cmd::query::Args),
    /// The incident register: list, show, and record what was done about a finding.
    Incident(cmd::incident::Args),
    /// Delete data past retention (whole days), recording what was removed.
    Prune(cmd::prune::Args),
    /// The raw log lines behind one finding.
    Evidence(cmd::evidence::Args),
    /// List the log formats filterwatch reads.
    Formats,
    /// Print the shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(cmd::completions::CompletionArgs),
    /// Write a man page for filterwatch and for each command.
    Man(cmd::completions::ManArgs),
    /// Generate a realistic school week, ingest it and show what was made.
    Demo(cmd::demo::Args),
    /// Write a synthetic school week (logs, profile, roster, lists) without ingesting it.
    Generate(cmd::generate::Args),
}

fn main() -> ExitCode {
    filterwatch::private_fs::restrict_umask();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => cmd::check::run(args),
        Command::Ingest(args) => cmd::ingest::run(args),
        Command::HighRisk(args) => cmd::findings::run(Kind::HighRisk, args),
        Command::Spikes(args) => cmd::findings::run(Kind::Spike, args),
        Command::OutOfHours(args) => cmd::findings::run(Kind::OutOfHours, args),
        Command::Repeats(args) => cmd::findings::run(Kind::Repeat, args),
        Command::Evidence(args) => cmd::evidence::run(args),
        Command::Report(args) => cmd::report::run(args),
        Command::Review(args) => cmd::review::run(args),
        Command::Nightly(args) => cmd::nightly::run(args),
        Command::Watch(args) => cmd::watch::run(args),
        Command::Incident(args) => cmd::incident::run(args),
        Command::Prune(args) => cmd::prune::run(args),
        Command::Export(args) => cmd::export::run(args),
        Command::Aggregate(args) => cmd::aggregate::run(args),
        Command::Query(args) => cmd::query::run(args),
        Command::Formats => cmd::formats::run(),
        Command::Completions(args) => cmd::completions::completions(args, Cli::command()),
        Command::Man(args) => cmd::completions::man(args, Cli::command()),
        Command::Demo(args) => cmd::demo::run(args),
        Command::Generate(args) => cmd::generate::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("filterwatch: error: {}", cmd::one_line(&error));
            ExitCode::from(cmd::exit_code_for(&error))
        }
    }
}
