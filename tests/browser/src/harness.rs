//! The suite's test harness (libtest-mimic): one trial per case and engine, named
//! `ENGINE::case`. A trial whose engine is not installed is reported *ignored*, its reason on
//! a line after the summary, unless `CI=true`, where it runs (and fails: CI must run every
//! engine). A trial never reports `ok` without having run.

use std::future::Future;
use std::pin::Pin;

use libtest_mimic::{Arguments, Failed, Trial};

use crate::engine::{Engine, ENGINES};

/// A case: its name, the engines it runs in, and its body for one engine.
pub struct Case {
    /// The trial's name after `ENGINE::`.
    pub name: &'static str,
    /// The engines it runs in.
    pub engines: &'static [Engine],
    /// Runs it in one engine (panics on failure).
    pub run: fn(Engine) -> Pin<Box<dyn Future<Output = ()>>>,
}

impl Case {
    /// A case for every engine.
    pub const fn all(
        name: &'static str,
        run: fn(Engine) -> Pin<Box<dyn Future<Output = ()>>>,
    ) -> Case {
        Case {
            name,
            engines: &ENGINES,
            run,
        }
    }
}

/// Runs `cases` as a test binary's `main` does, and exits with the harness's status.
pub fn run(cases: Vec<Case>) -> ! {
    let args = Arguments::from_args();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let mut missing: Vec<(Engine, String)> = Vec::new();
    for engine in ENGINES {
        if let Err(why) = engine.installed() {
            missing.push((engine, why));
        }
    }
    let mut trials = Vec::new();
    let mut not_run = 0usize;
    for case in cases {
        for &engine in case.engines {
            let why = missing
                .iter()
                .find(|(e, _)| *e == engine)
                .map(|(_, w)| w.clone());
            let ignored = why.is_some() && !ci;
            let run = case.run;
            let trial = Trial::test(format!("{engine}::{}", case.name), move || {
                if let Some(why) = why {
                    return Err(Failed::from(format!(
                        "CI=true and {engine} cannot run: {why}"
                    )));
                }
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| Failed::from(format!("tokio runtime: {e}")))?;
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    runtime.block_on(run(engine))
                }))
                .map_err(|panic| {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_else(|| "the case panicked".to_owned());
                    Failed::from(message)
                })
            })
            .with_ignored_flag(ignored);
            if ignored {
                not_run += 1;
            }
            trials.push(trial);
        }
    }
    let conclusion = libtest_mimic::run(&args, trials);
    if not_run > 0 && !args.list {
        println!("not run: {not_run} browser trials (reported ignored)");
        for (engine, why) in &missing {
            println!("  {engine}: {why}");
        }
        println!("  with CI=true they run, and fail");
    }
    conclusion.exit()
}
