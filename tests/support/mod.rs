//! Real servers on 127.0.0.1 for the tests: a small SMTP server (EHLO, AUTH PLAIN/LOGIN, MAIL,
//! RCPT, DATA, RSET, NOOP, QUIT; no STARTTLS, which the client only uses when offered on
//! loopback) and an HTTP listener for the webhook. Each records what it received. Also the PDF
//! reader ([`pdf`]), in Rust, so no check needs a system package, and a local authority's
//! generated share ([`la`]).

#![allow(dead_code)]

pub mod la;
pub mod pdf;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One message the SMTP server accepted.
#[derive(Debug, Clone)]
pub struct Mail {
    /// `MAIL FROM` address.
    pub from: String,
    /// `RCPT TO` addresses.
    pub to: Vec<String>,
    /// The message as sent (headers and body).
    pub data: String,
    /// The user name from AUTH, when the client authenticated.
    pub user: Option<String>,
    /// When it was accepted.
    pub at: Instant,
}

impl Mail {
    /// The value of a header (first occurrence, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            match &mut value {
                Some(v) if line.starts_with([' ', '\t']) => v.push_str(line.trim_start()),
                Some(_) => break,
                None => {
                    if let Some((key, rest)) = line.split_once(':') {
                        if key.eq_ignore_ascii_case(name) {
                            value = Some(rest.trim().to_string());
                        }
                    }
                }
            }
        }
        value
    }

    /// The text with quoted-printable soft breaks and `=XX` escapes undone (good enough to
    /// search plain-text bodies).
    pub fn text(&self) -> String {
        let joined = self.data.replace("=\r\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' && i + 2 < bytes.len() {
                if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                    out.push(b);
                    i += 3;
                    continue;
                }
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// A running SMTP server.
pub struct SmtpServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SmtpServer {
    /// Starts on a free port.
    pub fn start() -> SmtpServer {
        SmtpServer::start_on(0, Arc::default())
    }

    /// Starts on `port` (0: any), adding to `mails`.
    pub fn start_on(port: u16, mails: Arc<Mutex<Vec<Mail>>>) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (mails, stop) = (mails.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let mails = mails.clone();
                            std::thread::spawn(move || {
                                let _ = smtp_session(stream, &mails);
                            });
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(10)),
                    }
                }
            })
        };
        SmtpServer { port, mails, stop, thread: Some(thread) }
    }

    /// The URL for the profile.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message accepted so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// The shared list of messages (to carry over a restart).
    pub fn store(&self) -> Arc<Mutex<Vec<Mail>>> {
        self.mails.clone()
    }

    /// Waits until at least `n` messages arrived or `timeout` passed.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Mail> {
        let start = Instant::now();
        while self.mails.lock().unwrap().len() < n && start.elapsed() < timeout {
            std::thread::sleep(Duration::from_millis(50));
        }
        self.mails()
    }

    /// Stops listening (new connections are refused).
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

fn decode_base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|c| *c != b'=') {
        let Some(v) = ALPHABET.iter().position(|a| *a == c) else { continue };
        bits = (bits << 6) | v as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

fn smtp_session(stream: TcpStream, mails: &Mutex<Vec<Mail>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut say = |text: &str| writer.write_all(text.as_bytes());
    say("220 test.local ESMTP\r\n")?;
    let (mut from, mut to, mut user) = (String::new(), Vec::new(), None);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            say("250-test.local\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?;
        } else if upper.starts_with("HELO") || upper.starts_with("RSET") || upper.starts_with("NOOP") {
            say("250 ok\r\n")?;
        } else if upper.starts_with("AUTH PLAIN") {
            let mut payload = command[10..].trim().to_string();
            if payload.is_empty() {
                say("334 \r\n")?;
                line.clear();
                reader.read_line(&mut line)?;
                payload = line.trim().to_string();
            }
            let decoded = decode_base64(&payload);
            let parts: Vec<&[u8]> = decoded.split(|b| *b == 0).collect();
            user = parts.get(1).map(|u| String::from_utf8_lossy(u).into_owned());
            say("235 ok\r\n")?;
        } else if upper.starts_with("AUTH LOGIN") {
            say("334 VXNlcm5hbWU6\r\n")?;
            line.clear();
            reader.read_line(&mut line)?;
            user = Some(String::from_utf8_lossy(&decode_base64(line.trim())).into_owned());
            say("334 UGFzc3dvcmQ6\r\n")?;
            line.clear();
            reader.read_line(&mut line)?;
            say("235 ok\r\n")?;
        } else if upper.starts_with("MAIL FROM:") {
            from = command[10..].trim().trim_matches(['<', '>']).to_string();
            to.clear();
            say("250 ok\r\n")?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(command[8..].trim().trim_matches(['<', '>']).to_string());
            say("250 ok\r\n")?;
        } else if upper == "DATA" {
            say("354 go ahead\r\n")?;
            let mut data = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line));
            }
            mails.lock().unwrap().push(Mail {
                from: from.clone(),
                to: to.clone(),
                data,
                user: user.clone(),
                at: Instant::now(),
            });
            say("250 queued\r\n")?;
        } else if upper.starts_with("QUIT") {
            say("221 bye\r\n")?;
            return Ok(());
        } else {
            say("502 not implemented\r\n")?;
        }
    }
}

/// A running HTTP listener that answers 200 to every POST and keeps the bodies.
pub struct HookServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    bodies: Arc<Mutex<Vec<(String, String)>>>,
}

impl HookServer {
    /// Starts on a free port.
    pub fn start() -> HookServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let bodies: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let kept = bodies.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let kept = kept.clone();
                std::thread::spawn(move || {
                    let _ = http_request(stream, &kept);
                });
            }
        });
        HookServer { port, bodies }
    }

    /// The URL for the profile.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    /// Waits until at least `n` POSTs arrived or `timeout` passed; (idempotency key, body) pairs.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<(String, String)> {
        let start = Instant::now();
        while self.bodies.lock().unwrap().len() < n && start.elapsed() < timeout {
            std::thread::sleep(Duration::from_millis(50));
        }
        self.bodies.lock().unwrap().clone()
    }
}

fn http_request(stream: TcpStream, bodies: &Mutex<Vec<(String, String)>>) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let (mut length, mut key) = (0usize, String::new());
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "idempotency-key" => key = value.trim().to_string(),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    bodies.lock().unwrap().push((key, String::from_utf8_lossy(&body).into_owned()));
    writer.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
}

/// A PDF's text, line by line, pages separated by a form feed ([`pdf::read`]).
pub fn pdf_text(pdf: &std::path::Path) -> String {
    pdf::read(pdf).text()
}
