//! The README as users meet it. `cors-actix/README.md` (what the registry shows) is generated
//! from the user part of the repository's README (between the `crate-readme` marks), its
//! relative links made absolute (they would point nowhere on the registry): the two never
//! drift. The README links every guide, and keeps the two commands CI runs as it says.
//!
//! After editing README.md: `CORS_README=overwrite cargo test -p tests --test crate_readme`
//! writes the crate README.

use std::path::{Path, PathBuf};

const START: &str = "<!-- crate-readme: start";
const END: &str = "<!-- crate-readme: end -->";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// `https://github.com/owner/name`, the workspace's `repository`.
fn repository() -> String {
    read("Cargo.toml")
        .lines()
        .find_map(|line| line.strip_prefix("repository = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("repository = \"...\" in the workspace's Cargo.toml")
        .to_owned()
}

/// The user part of the README: after the start mark's comment, before the end mark.
fn user_part(readme: &str) -> &str {
    let start = readme.find(START).expect("the crate-readme start mark");
    let body = start + readme[start..].find("-->\n").expect("the start mark's end") + 4;
    let end = readme.find(END).expect("the crate-readme end mark");
    assert!(body <= end, "the end mark comes before the start mark");
    &readme[body..end]
}

/// `text` with each relative markdown link `](path)` made absolute in the repository: a page
/// (`blob/main/path`) or, after `![..`, an image (`raw/main/path`).
fn absolute_links(text: &str, repository: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        let (before, after) = rest.split_at(i + 2);
        out.push_str(before);
        let end = after.find(')').expect("a link's closing parenthesis");
        let target = &after[..end];
        let external = ["http://", "https://", "#", "mailto:"]
            .iter()
            .any(|prefix| target.starts_with(prefix));
        if external {
            out.push_str(target);
        } else {
            // The link's text opens at the last `[` before it; an image's with `![`.
            let image = before[..i]
                .rfind('[')
                .is_some_and(|open| open > 0 && before.as_bytes()[open - 1] == b'!');
            let kind = if image { "raw" } else { "blob" };
            out.push_str(&format!("{repository}/{kind}/main/{target}"));
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The crate README, as generated from the README.
fn generated() -> String {
    format!(
        "<!-- Generated from the repository's README.md (its user part) by \
         tests/tests/crate_readme.rs: edit README.md, then run\n\
         CORS_README=overwrite cargo test -p tests --test crate_readme -->\n{}",
        absolute_links(user_part(&read("README.md")), &repository())
    )
}

#[test]
fn the_crate_readme_is_the_readme_user_part() {
    let expected = generated();
    let path = root().join("cors-actix/README.md");
    if std::env::var_os("CORS_README").is_some_and(|v| v == "overwrite") {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap();
    assert!(
        actual == expected,
        "cors-actix/README.md is not the README's user part: run \
         `CORS_README=overwrite cargo test -p tests --test crate_readme`"
    );
}

#[test]
fn links_are_made_absolute_except_anchors_and_urls() {
    let repo = "https://github.com/o/r";
    assert_eq!(
        absolute_links("[a](docs/a.md) [b](https://x.example) [c](#c)", repo),
        "[a](https://github.com/o/r/blob/main/docs/a.md) [b](https://x.example) [c](#c)"
    );
    assert_eq!(
        absolute_links("![shot](docs/s.png) and [`x`](x.rs#L1)", repo),
        "![shot](https://github.com/o/r/raw/main/docs/s.png) and \
         [`x`](https://github.com/o/r/blob/main/x.rs#L1)"
    );
}

/// Every chapter of the guides (`cors-actix/docs/*.md`, `docs/*.md`) is linked from the README.
/// Not chapters: `links.md` (rustdoc's link definitions) and `from-actix-cors.md` (the crate
/// docs' pointer to `docs/coming-from-actix-cors.md`).
#[test]
fn the_readme_links_every_guide() {
    let readme = read("README.md");
    let mut missing = Vec::new();
    for dir in ["cors-actix/docs", "docs"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if !name.ends_with(".md") || ["links.md", "from-actix-cors.md"].contains(&name.as_str())
            {
                continue;
            }
            let path = format!("{dir}/{name}");
            if !readme.contains(&format!("]({path})")) {
                missing.push(path);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "guides the README does not link (its Guides list): {missing:?}"
    );
}

/// The README's two commands, which CI runs as they are written.
#[test]
fn the_readme_keeps_its_two_commands() {
    let readme = read("README.md");
    for command in ["cargo run --example quickstart", "cargo test --workspace"] {
        assert!(
            readme
                .lines()
                .any(|line| line.trim_start().starts_with(command)),
            "the README no longer has the command `{command}` on a line of its own"
        );
    }
    assert!(user_part(&readme).contains("cargo add cors-actix"));
}
