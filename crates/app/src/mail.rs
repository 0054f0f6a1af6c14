//! E-mail through the SMTP server `serve` is configured with (off by
//! default): plain SMTP, or STARTTLS with the system's trusted roots.

use crate::error::{AppError, Result};
use crate::reminders::Mailer;
use dingdian_core::{FieldError, Msg};
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use std::time::Duration;

/// How long one SMTP conversation may take before it is given up.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where and as whom to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// The sender, `name@example.cn` or `定点扶贫 <name@example.cn>`.
    pub from: String,
    /// User and password, when the server wants them.
    pub credentials: Option<(String, String)>,
    /// Upgrade the connection with STARTTLS (required then).
    pub starttls: bool,
}

/// The SMTP client.
pub struct Smtp {
    transport: SmtpTransport,
    from: Mailbox,
}

fn bad(field: &str, value: &str, zh: &str, en: &str) -> AppError {
    AppError::Invalid(vec![FieldError::new(
        field,
        dingdian_core::error::clip(value),
        Msg::new("bad_smtp", zh, en),
    )])
}

impl Smtp {
    pub fn new(cfg: &SmtpConfig) -> Result<Smtp> {
        let from: Mailbox = cfg.from.parse().map_err(|_| {
            bad(
                "--smtp-from",
                &cfg.from,
                "发件人不是电子邮箱地址",
                "the sender is not an e-mail address",
            )
        })?;
        let builder = if cfg.starttls {
            SmtpTransport::starttls_relay(&cfg.host).map_err(|e| {
                bad(
                    "--smtp-host",
                    &cfg.host,
                    "无法为该 SMTP 服务器建立 TLS",
                    &format!("cannot set up TLS for this SMTP server: {e}"),
                )
            })?
        } else {
            SmtpTransport::builder_dangerous(cfg.host.as_str())
        };
        let mut builder = builder.port(cfg.port).timeout(Some(SMTP_TIMEOUT));
        if let Some((user, password)) = &cfg.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Smtp {
            transport: builder.build(),
            from,
        })
    }
}

impl Mailer for Smtp {
    fn send(&self, to: &str, subject: &str, body: &str) -> std::result::Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("bad address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
