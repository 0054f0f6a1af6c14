//! The reminders' flags of `serve`: how often the scheduler runs and the
//! SMTP server that e-mails them (off unless `--smtp-host` is given).

use crate::Failure;
use clap::Args;
use dingdian_app::mail::{Smtp, SmtpConfig};
use dingdian_app::reminders::{Mailer, ReminderRunner};
use std::sync::Arc;
use std::time::Duration;

#[derive(Args)]
pub(crate) struct ReminderArgs {
    /// Seconds between two runs of the reminders (0: do not run them here)
    #[arg(long, default_value_t = 300)]
    reminder_interval: u64,
    #[command(flatten)]
    smtp: SmtpArgs,
}

/// The SMTP server that e-mails reminders (off unless `--smtp-host`).
#[derive(Args)]
pub(crate) struct SmtpArgs {
    /// E-mail reminders through this SMTP server (off when not given)
    #[arg(long, requires = "smtp_from")]
    smtp_host: Option<String>,
    /// The SMTP server's port
    #[arg(long, default_value_t = 25)]
    smtp_port: u16,
    /// The sender of reminder e-mails, e.g. "定点扶贫 <noreply@example.cn>"
    #[arg(long, requires = "smtp_host")]
    smtp_from: Option<String>,
    /// The SMTP user; the password comes from DINGDIAN_SMTP_PASSWORD
    #[arg(long, requires = "smtp_host")]
    smtp_user: Option<String>,
    /// Upgrade the SMTP connection with STARTTLS (refuse to send without it)
    #[arg(long, requires = "smtp_host")]
    smtp_starttls: bool,
}

/// The shortest interval: a run reads every open report and item.
const MIN_INTERVAL: u64 = 10;

impl ReminderArgs {
    /// Starts the scheduler on the current runtime, unless it is off here.
    pub(crate) fn start(&self, app: &dingdian_app::App) -> Result<(), Failure> {
        if let Some((runner, every)) = self.runner()? {
            dingdian_web::spawn_reminders(app.clone(), runner, every);
        }
        Ok(())
    }

    /// The runner and its interval, or none when reminders are off here.
    fn runner(&self) -> Result<Option<(ReminderRunner, Duration)>, Failure> {
        if self.reminder_interval == 0 {
            return Ok(None);
        }
        if self.reminder_interval < MIN_INTERVAL {
            return Err(Failure::Invalid(format!(
                "--reminder-interval 至少 {MIN_INTERVAL} 秒（0 为不运行）/ must be at least {MIN_INTERVAL} seconds (0: off)"
            )));
        }
        // The lease outlasts two runs, so its holder keeps it while alive
        // and another instance takes over soon after it stops.
        let runner = self.smtp.runner(2 * self.reminder_interval as i64)?;
        Ok(Some((runner, Duration::from_secs(self.reminder_interval))))
    }
}

impl SmtpArgs {
    /// A runner that holds the lease for `lease_seconds` and e-mails
    /// through the configured server, if any.
    pub(crate) fn runner(&self, lease_seconds: i64) -> Result<ReminderRunner, Failure> {
        let mailer: Option<Arc<dyn Mailer>> = match (&self.smtp_host, &self.smtp_from) {
            (Some(host), Some(from)) => Some(Arc::new(self.smtp(host, from)?)),
            _ => None,
        };
        Ok(ReminderRunner {
            holder: format!("{}-{}", std::process::id(), dingdian_core::time::now_ts()),
            lease_seconds,
            mailer,
        })
    }

    fn smtp(&self, host: &str, from: &str) -> Result<Smtp, Failure> {
        let credentials = match &self.smtp_user {
            Some(user) => {
                let password = std::env::var("DINGDIAN_SMTP_PASSWORD").map_err(|_| {
                    Failure::Invalid(
                        "--smtp-user 需要环境变量 DINGDIAN_SMTP_PASSWORD / --smtp-user needs DINGDIAN_SMTP_PASSWORD"
                            .into(),
                    )
                })?;
                Some((user.clone(), password))
            }
            None => None,
        };
        Ok(Smtp::new(&SmtpConfig {
            host: host.to_string(),
            port: self.smtp_port,
            from: from.to_string(),
            credentials,
            starttls: self.smtp_starttls,
        })?)
    }
}
