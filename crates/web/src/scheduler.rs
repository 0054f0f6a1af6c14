//! The reminders' scheduler inside `serve`: a task that runs
//! [`App::run_reminders`] every few minutes. Several instances may run it
//! on one PostgreSQL: the lease in the database lets one of them work at a
//! time, and a restart finds its reminders already stored.

use dingdian_app::App;
use dingdian_app::reminders::ReminderRunner;
use std::sync::Arc;
use std::time::Duration;

/// Starts the task on the current tokio runtime; it runs at once and then
/// every `every`, until the process ends.
pub fn spawn_reminders(app: App, runner: ReminderRunner, every: Duration) {
    let runner = Arc::new(runner);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let (app, runner) = (app.clone(), runner.clone());
            let now = dingdian_core::time::now_ts();
            match tokio::task::spawn_blocking(move || app.run_reminders(now, &runner)).await {
                Ok(Ok(out)) if out.ran => tracing::info!(
                    opened = out.opened,
                    created = out.created,
                    emailed = out.emailed,
                    failed = out.failed,
                    "reminders run"
                ),
                Ok(Ok(_)) => tracing::debug!("reminders: another instance holds the lease"),
                Ok(Err(e)) => tracing::error!("reminders: {e}"),
                Err(e) => tracing::error!("reminders task: {e}"),
            }
        }
    });
}
