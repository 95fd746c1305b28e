//! How long a fresh instance takes to load its tenants' origins: `bench-store-load URL N`
//! writes N origins (`https://tenant-I.customers.example`) to the table `bench_origins` at
//! URL (`sqlite:///tmp/bench.db`, `postgres://...`), then opens the store five times, as a
//! starting instance does (connect, check the schema, read every row, validate each origin,
//! lay out the set), and prints each time and the median, with the set's size in memory.

use std::time::{Duration, Instant};

use cors_actix::Policy;
use cors_actix_store::OriginStore;

#[actix_rt::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "sqlite:///tmp/bench-store-load.db".into());
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let policy = Policy::builder()
        .allow_credentials()
        .allow_dynamic_origins()
        .build()
        .expect("a valid policy");
    let open = || {
        OriginStore::builder(&url)
            .table("bench_origins")
            .open(&policy)
    };
    let seed = open().await.expect("open the store");
    let origins: Vec<String> = (0..n)
        .map(|i| format!("https://tenant-{i}.customers.example"))
        .collect();
    let started = Instant::now();
    seed.replace_all(origins.iter().map(String::as_str))
        .await
        .expect("write the origins");
    println!("wrote {n} origins in {:?}", started.elapsed());
    drop(seed);
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let store = open().await.expect("open the store");
        let took = started.elapsed();
        let stats = store.origins().stats();
        assert_eq!(stats.size, n);
        println!(
            "opened with {} origins in {took:?} (read, validated and laid out: {:?}); the set holds {} bytes, {:.1} per origin",
            stats.size,
            store.stats().last_load,
            stats.heap_bytes,
            stats.heap_bytes as f64 / n as f64
        );
        times.push(took);
    }
    times.sort();
    println!(
        "median {:?} to open {n} origins from {}",
        times[2],
        url.split(':').next().unwrap_or("")
    );
}
