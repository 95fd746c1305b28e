//! The DSL reference is derived from the key table (`cors_core::__private::KEYS`): the tables of
//! `cors-actix/docs/dsl.md` and of the README must be exactly the table's rendering. On a
//! mismatch the expected table is printed, to paste. Every key also has its section in the
//! reference, and every key a policy takes is a key of the configuration file format (a key
//! added to the table and forgotten there fails here: CONTRIBUTING.md, "Adding a DSL key").

use cors_core::__private::{KeyKind, KeySite, KEYS};
use cors_core::PolicyConfig;

/// The table as the documents show it; `links`: each key links to its section.
fn render(links: bool) -> String {
    let mut table = String::from("| key | value | meaning |\n|---|---|---|\n");
    for spec in KEYS {
        let key = if links {
            format!("[`{0}`](#{0})", spec.name)
        } else {
            format!("`{}`", spec.name)
        };
        table.push_str(&format!(
            "| {key} | {} | {} |\n",
            spec.value_doc, spec.meaning
        ));
    }
    table
}

/// The first markdown table of `text` that starts with the header `| key | value | meaning |`.
fn table_in(text: &str) -> String {
    let start = text
        .find("| key | value | meaning |")
        .expect("a DSL table in the document");
    text[start..]
        .lines()
        .take_while(|line| line.starts_with('|'))
        .map(|line| format!("{line}\n"))
        .collect()
}

fn check(path: &str, links: bool) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let text = std::fs::read_to_string(format!("{root}/{path}")).expect("read the document");
    let expected = render(links);
    assert_eq!(
        table_in(&text),
        expected,
        "the DSL table of {path} is not the key table's; expected:\n{expected}"
    );
}

#[test]
fn the_crate_docs_dsl_table_is_the_key_table() {
    check("cors-actix/docs/dsl.md", true);
}

#[test]
fn the_readme_dsl_table_is_the_key_table() {
    check("README.md", false);
}

#[test]
fn every_key_has_a_section_in_the_dsl_reference() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../cors-actix/docs/dsl.md"
    ))
    .unwrap();
    for spec in KEYS {
        assert!(
            text.contains(&format!("\n## `{}`\n", spec.name)),
            "no section for `{}`",
            spec.name
        );
    }
}

/// A key of the table written in a configuration file: its example (`max_age = 600`, which is
/// TOML too), a flag as `name = true`.
fn config_line(name: &str, kind: KeyKind, example: &str) -> String {
    match kind {
        KeyKind::Flag => format!("{name} = true"),
        _ => example.to_owned(),
    }
}

#[test]
fn every_policy_key_is_a_key_of_the_configuration_file_format() {
    let nothing = PolicyConfig::default().builder().spec().clone();
    for spec in KEYS {
        let line = config_line(spec.name, spec.kind, spec.example);
        let config: PolicyConfig = toml::from_str(&line)
            .unwrap_or_else(|err| panic!("`{line}` is not read by PolicyConfig: {err}"));
        // The file holds this key alone: a problem saying so is about it.
        let problems = config.problems("policies.p");
        let at_key = |message: &str| problems.iter().any(|p| p.message.starts_with(message));
        match spec.site {
            // A route's key (`policy`, `disable`) is no policy's: a file says so.
            KeySite::Route => assert!(
                at_key("a key of `#[cors(...)]` on a route"),
                "`{line}` in a file: not refused as a route's key: {problems:?}"
            ),
            KeySite::Both | KeySite::Standalone => {
                assert!(
                    !at_key("unknown key"),
                    "`{}` is a key of the DSL but not of the configuration file format \
                     (cors-core/src/declare/config.rs): {problems:?}",
                    spec.name
                );
                // Read, and carried into the declaration the rules validate.
                assert_ne!(
                    config.builder().spec(),
                    &nothing,
                    "`{line}` in a file is accepted but does not reach the declaration"
                );
            }
        }
    }
}

#[test]
fn the_configuration_file_format_documents_every_policy_key() {
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../cors-core/src/declare/config.rs"
    ))
    .unwrap();
    let end = source
        .find("pub struct PolicyConfig")
        .expect("PolicyConfig in config.rs");
    let doc: String = source[..end]
        .lines()
        .rev()
        .skip_while(|line| !line.starts_with("///"))
        .take_while(|line| line.starts_with("///"))
        .collect();
    for spec in KEYS.iter().filter(|spec| spec.site != KeySite::Route) {
        assert!(
            doc.contains(&format!("`{}`", spec.name)),
            "PolicyConfig's documentation does not name `{}`",
            spec.name
        );
    }
}
