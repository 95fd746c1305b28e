//! The DSL reference is derived from the key table (`cors_core::__private::KEYS`): the tables of
//! `cors-actix/docs/dsl.md` and of the README must be exactly the table's rendering. On a
//! mismatch the expected table is printed, to paste.

use cors_core::__private::KEYS;

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
