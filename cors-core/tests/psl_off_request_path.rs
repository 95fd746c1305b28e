//! The public suffix list is consulted only while validating a declaration (at compile time for
//! the macros, in `build()` for runtime builders), never while deciding a request: only the
//! `validate` module may use `psl`. (`scripts/measure-macro-cost.sh` also checks that a server
//! built with the macros links no `psl` code at all.)

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_validation_uses_the_public_suffix_list() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 10, "found the sources");
    let mut users = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        if text.contains("psl::") {
            users.push(
                file.strip_prefix(&src)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
    assert_eq!(users, ["declare/validate/public_suffix.rs"]);
    // ...and within it, only behind the feature (a build without it links no list).
    let origins = std::fs::read_to_string(src.join("declare/validate/public_suffix.rs")).unwrap();
    let uses = origins.matches("psl::").count();
    let gated = origins
        .split("#[cfg(feature = \"public-suffix-list\")]\npub(crate) fn public_suffix")
        .nth(1)
        .and_then(|rest| rest.split("\n}\n").next())
        .map_or(0, |body| body.matches("psl::").count());
    assert_eq!(
        uses, gated,
        "every use of psl is in the gated public_suffix()"
    );
}
