//! Handing one message to its server: e-mail over SMTP (lettre, STARTTLS or TLS by rustls with
//! the system's CA certificates, optional authentication), or a JSON POST to the webhook (ureq).
//! Every text that came from a log line is escaped before it gets here; headers are encoded by
//! lettre, so a pupil's search cannot add one.

use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use super::outbox::{Channel, Outgoing};
use super::settings::{AlertSettings, SmtpSecurity};
use crate::private_fs::check_secret_file;

/// Longest wait for a server before an attempt counts as failed.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Delivers one message on its channel.
pub fn send(message: &Outgoing, settings: &AlertSettings) -> Result<()> {
    match message.channel {
        Channel::Email => send_mail(message, settings),
        Channel::Webhook => post_webhook(message, settings),
    }
}

fn send_mail(message: &Outgoing, settings: &AlertSettings) -> Result<()> {
    let server = settings.smtp_server().context("no `alerts.smtp` server in the profile")?;
    let from: Mailbox = settings.from.as_deref().context("no `alerts.from`")?.parse().context("key `alerts.from`")?;
    let mut builder = Message::builder()
        .from(from)
        .subject(&message.subject)
        .message_id(Some(format!("<{}@filterwatch>", message.id)));
    for to in &message.to {
        builder = builder.to(to.parse::<Mailbox>().with_context(|| format!("bad recipient {to:?}"))?);
    }
    let text = SinglePart::plain(message.body.clone());
    let email = if message.attachments.is_empty() {
        builder.singlepart(text)
    } else {
        let mut parts = MultiPart::mixed().singlepart(text);
        for path in &message.attachments {
            let bytes = std::fs::read(path).with_context(|| format!("cannot read attachment {}", path.display()))?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let kind = if name.ends_with(".pdf") { "application/pdf" } else { "text/csv" };
            parts = parts.singlepart(Attachment::new(name).body(bytes, ContentType::parse(kind)?));
        }
        builder.multipart(parts)
    }
    .context("cannot build the message")?;

    let tls_parameters = || TlsParameters::new(server.host.clone()).context("cannot set up TLS");
    let tls = match server.security {
        SmtpSecurity::Tls => Tls::Wrapper(tls_parameters()?),
        SmtpSecurity::StartTlsRequired => Tls::Required(tls_parameters()?),
        SmtpSecurity::StartTlsIfOffered => Tls::Opportunistic(tls_parameters()?),
    };
    let mut transport =
        SmtpTransport::builder_dangerous(&server.host).port(server.port).tls(tls).timeout(Some(TIMEOUT));
    if let (Some(user), Some(password_file)) = (&settings.smtp_user, &settings.smtp_password_file) {
        check_secret_file(password_file).map_err(|e| anyhow!("key `alerts.smtp_password_file`: {e}"))?;
        let password = std::fs::read_to_string(password_file)
            .with_context(|| format!("cannot read {}", password_file.display()))?
            .trim_end_matches(['\r', '\n'])
            .to_string();
        transport = transport.credentials(Credentials::new(user.clone(), password));
    }
    transport.build().send(&email).map_err(|e| anyhow!("{}:{}: {e}", server.host, server.port)).map(|_| ())
}

fn post_webhook(message: &Outgoing, settings: &AlertSettings) -> Result<()> {
    let url = settings.webhook.as_deref().context("no `alerts.webhook` in the profile")?;
    let body = serde_json::to_vec(message.json.as_ref().context("webhook message without JSON")?)?;
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(TIMEOUT)).build().into();
    agent
        .post(url)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", message.id.as_str())
        .send(&body[..])
        .map_err(|e| anyhow!("{url}: {e}"))?;
    Ok(())
}
