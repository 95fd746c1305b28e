//! What an operator's process has installed, for the benchmarks (issue 34's cost): a `tracing`
//! subscriber at `BENCH_LOG`'s level (`info`, `warn`, ...; unset: none, the decisions' events
//! disabled) writing to nowhere, so that the door's refusal ledger and its lines are paid as in
//! production, and with the `metrics` feature and `BENCH_METRICS=1`, a Prometheus recorder that
//! the door's counters go to (without the variable, the facade's no-op recorder).

/// Installs what the environment asks for; prints it, so a table's run says what it measured.
pub fn install() {
    if let Ok(level) = std::env::var("BENCH_LOG") {
        let level: tracing::Level = level.parse().expect("BENCH_LOG: a tracing level");
        tracing_subscriber::fmt()
            .with_max_level(level)
            .with_writer(std::io::sink)
            .init();
        eprintln!("bench: tracing subscriber at {level}, writing to nowhere");
    }
    #[cfg(feature = "metrics")]
    if std::env::var("BENCH_METRICS").is_ok_and(|v| v == "1") {
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .install_recorder()
            .expect("a Prometheus recorder");
        eprintln!("bench: Prometheus recorder installed");
    }
}
