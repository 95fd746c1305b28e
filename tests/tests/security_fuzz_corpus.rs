//! The committed fuzz corpora (`fuzz/corpus/<target>/`) and any crash reproducers
//! (`fuzz/regressions/<target>/`) run through the fuzz targets' bodies on stable Rust: every
//! input must pass every invariant of `tests::fuzzing`.

use std::path::PathBuf;

fn inputs(dir: &str, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz")
        .join(dir)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<(PathBuf, Vec<u8>)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .map(|p| {
            let data = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, data)
        })
        .collect();
    files.sort();
    files
}

fn run(target: &str) {
    let (_, body) = tests::fuzzing::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .expect("known target");
    let corpus = inputs("corpus", target);
    assert!(
        corpus.len() >= 10,
        "fuzz/corpus/{target} has {} inputs; the seeds are committed",
        corpus.len()
    );
    let regressions = inputs("regressions", target);
    let mut failures = Vec::new();
    for (path, data) in corpus.iter().chain(&regressions) {
        let result = std::panic::catch_unwind(|| body(data));
        if let Err(panic) = result {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{}: {message}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} inputs failed:\n{}",
        failures.len(),
        corpus.len() + regressions.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_origin() {
    run("origin");
}

#[test]
fn corpus_request_headers() {
    run("request_headers");
}

#[test]
fn corpus_decision() {
    run("decision");
}

#[test]
fn corpus_http() {
    run("http");
}

#[test]
fn every_target_has_a_corpus_test() {
    let names: Vec<&str> = tests::fuzzing::TARGETS.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["origin", "request_headers", "decision", "http"]);
}
