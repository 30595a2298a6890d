//! Squid access-log lines: who sent a request, what the filter made of it, and the rotated
//! (partly gzipped) daily files they are written to.

use super::*;

/// Who sent a request, and which filtering policy applies.
#[derive(Clone, Copy)]
pub(super) struct Client<'a> {
    pub(super) address: Ipv4Addr,
    pub(super) user: &'a str,
    pub(super) role: Role,
}

/// What someone did: open a site (a CONNECT, or a block page), fetch a plain-HTTP page, or search.
#[derive(Clone, Copy)]
pub(super) enum Act {
    Visit(Site),
    Fetch(Site),
    Search { terms: &'static str, blocked: bool },
}

impl Act {
    pub(super) fn category(self) -> &'static str {
        match self {
            Act::Visit(site) | Act::Fetch(site) => site.category.name,
            Act::Search { .. } => SEARCH.name,
        }
    }
}

/// True when the filter blocks `act` for `role`.
pub(super) fn blocks(role: Role, act: Act) -> bool {
    match act {
        Act::Visit(site) | Act::Fetch(site) => {
            let category = site.category.name;
            BLOCKED_FOR_EVERYONE.contains(&category) || (role == Role::Pupil && BLOCKED_FOR_PUPILS.contains(&category))
        }
        Act::Search { blocked, .. } => blocked,
    }
}

/// Squid's side of a request: result code, timing, size, upstream and MIME type.
#[derive(Clone, Copy)]
pub(super) struct Reply {
    pub(super) result: &'static str,
    pub(super) elapsed_ms: u32,
    pub(super) bytes: u32,
    pub(super) server: Option<Ipv4Addr>,
    pub(super) mime: &'static str,
}

pub(super) const CHALLENGE: Reply =
    Reply { result: "TCP_DENIED/407", elapsed_ms: 0, bytes: 3549, server: None, mime: "text/html" };

/// One access-log line before it is written.
pub(super) struct Line<'a> {
    pub(super) at_ms: i64,
    pub(super) client: Ipv4Addr,
    pub(super) user: &'a str,
    pub(super) method: &'static str,
    pub(super) url: String,
    pub(super) reply: Reply,
}

/// Writes a line in Squid's native `squid` logformat.
pub(super) fn write_line(out: &mut impl Write, line: &Line) -> io::Result<()> {
    let reply = &line.reply;
    write!(
        out,
        "{}.{:03} {:>6} {} {} {} {} {} {} ",
        line.at_ms.div_euclid(1000),
        line.at_ms.rem_euclid(1000),
        reply.elapsed_ms,
        line.client,
        reply.result,
        reply.bytes,
        line.method,
        line.url,
        line.user,
    )?;
    match reply.server {
        Some(address) => write!(out, "HIER_DIRECT/{address}")?,
        None => out.write_all(b"HIER_NONE/-")?,
    }
    writeln!(out, " {}", reply.mime)
}

/// Logrotate with delaycompress: Sunday is `access.log`, Saturday `access.log.1`, older days `.N.gz`.
pub(super) fn log_name(day: usize) -> String {
    match DAYS - 1 - day {
        0 => "access.log".to_string(),
        1 => "access.log.1".to_string(),
        rotation => format!("access.log.{rotation}.gz"),
    }
}

/// Writes `lines` to `path`, gzipped (no time, no name in the header) when it ends in `.gz`.
pub(super) fn write_log(path: &Path, lines: &[Line]) -> io::Result<u64> {
    let file = File::create(path)?;
    if path.extension().is_some_and(|extension| extension == "gz") {
        let encoder = GzBuilder::new().mtime(0).write(file, Compression::default());
        write_lines(encoder, lines)?.finish()?;
    } else {
        write_lines(file, lines)?;
    }
    Ok(lines.len() as u64)
}

/// Writes `lines` through a buffer and hands back the flushed writer.
pub(super) fn write_lines<W: Write>(writer: W, lines: &[Line]) -> io::Result<W> {
    let mut out = BufWriter::new(writer);
    for line in lines {
        write_line(&mut out, line)?;
    }
    out.into_inner().map_err(io::IntoInnerError::into_error)
}
