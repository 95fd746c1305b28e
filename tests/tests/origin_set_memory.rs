//! What an `OriginSet` holds in memory, measured by the allocator (dhat): for 10,000 and
//! 100,000 tenant origins, the heap it takes (bytes per origin, printed), what its own
//! `stats().heap_bytes` says within 5 % of it, and a bound that fails if the layout stops
//! being compact. And changes one at a time keep it within the same bound.

use cors_actix::{OriginSet, Policy};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn origins(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("https://tenant-{i}.customers.example"))
        .collect()
}

/// Bytes on the heap for a set of `origins`, as the allocator counts them, and as the set
/// says.
fn measure(origins: &[String]) -> (OriginSet, usize, usize) {
    let policy = Policy::builder()
        .allow_credentials()
        .allow_dynamic_origins()
        .build()
        .unwrap();
    let before = dhat::HeapStats::get().curr_bytes;
    let set = OriginSet::for_policy(&policy);
    set.replace_all(origins.iter().map(String::as_str)).unwrap();
    let measured = dhat::HeapStats::get().curr_bytes - before;
    let said = set.stats().heap_bytes;
    (set, measured, said)
}

#[test]
fn an_origin_set_is_compact_and_knows_its_size() {
    let _profiler = dhat::Profiler::builder()
        .testing()
        .file_name(concat!(
            env!("CARGO_TARGET_TMPDIR"),
            "/dhat-origin-set.json"
        ))
        .build();
    for n in [10_000, 100_000] {
        let list = origins(n);
        let text: usize = list.iter().map(String::len).sum();
        let (set, measured, said) = measure(&list);
        let per_origin = measured as f64 / n as f64;
        println!(
            "{n} origins ({:.1} bytes of text each): {measured} bytes on the heap, {per_origin:.1} per origin ({:.1} beyond the text); the set says {said}",
            text as f64 / n as f64,
            per_origin - text as f64 / n as f64,
        );
        assert_eq!(set.len(), n);
        // The same origins in a `HashSet<String>`, for comparison.
        let before = dhat::HeapStats::get().curr_bytes;
        let plain: std::collections::HashSet<String> = list.iter().cloned().collect();
        let hash_set = dhat::HeapStats::get().curr_bytes - before;
        println!(
            "  the same in a HashSet<String>: {hash_set} bytes, {:.1} per origin",
            hash_set as f64 / n as f64
        );
        assert!(measured < hash_set, "{measured} bytes against {hash_set}");
        drop(plain);
        // The set's own count is within 5 % of the allocator's (the rest: its `Arc`s).
        assert!(
            (said as f64 - measured as f64).abs() <= measured as f64 * 0.05,
            "the set says {said} bytes, the allocator {measured}"
        );
        // Compact: the text, a 3-byte header, and at most 16 bytes of index per origin.
        assert!(
            measured <= text + n * (3 + 16) + 1024,
            "{measured} bytes for {n} origins of {text} bytes of text"
        );
        // Changes one at a time stay within the same bound (folded into the base past a
        // sixteenth of the set).
        for origin in &list[..n / 10] {
            set.remove(origin);
        }
        for origin in &list[..n / 10] {
            set.insert(origin).unwrap();
        }
        let stats = set.stats();
        assert!(stats.folds > 0, "{stats:?}");
        assert!(
            stats.heap_bytes <= 2 * (text + n * (3 + 16)) + 1024,
            "{stats:?} after {} changes",
            n / 5
        );
        drop(set);
    }
}
