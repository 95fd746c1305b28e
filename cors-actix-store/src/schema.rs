//! The table and what keeps instances in step with it, in each database's SQL: what
//! [`migrate`](crate::OriginStoreBuilder::migrate) runs, and what the docs show.

use crate::error::StoreError;

/// The version of the schema this crate makes and reads (kept in `<table>_meta`).
pub const SCHEMA_VERSION: i64 = 1;

/// Whether a table whose `<table>_meta` says `version` (none: no row) is current (`true`) or
/// is to be made (`false`); a schema newer than this crate's is an error: both back ends judge
/// the stored version here.
pub(crate) fn is_current(version: Option<i64>) -> Result<bool, StoreError> {
    let found = version.unwrap_or(0);
    if found > SCHEMA_VERSION {
        return Err(StoreError::Config(format!(
            "the table's schema is version {found}, made by a newer cors-actix-store than this one (version {SCHEMA_VERSION})"
        )));
    }
    Ok(version == Some(SCHEMA_VERSION))
}

/// The default table name.
pub const DEFAULT_TABLE: &str = "cors_origins";

/// A table name: a lowercase SQL identifier, so that it can be written into statements as it
/// is (`[a-z_][a-z0-9_]*`, at most 40 characters: the names derived from it stay under
/// PostgreSQL's 63).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Table(String);

impl Table {
    pub(crate) fn new(name: &str) -> Result<Table, StoreError> {
        let valid = !name.is_empty()
            && name.len() <= 40
            && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if valid {
            Ok(Table(name.to_owned()))
        } else {
            Err(StoreError::Config(format!(
                "table name {name:?}: use lowercase letters, digits and `_` (not first), at most 40 characters"
            )))
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.0
    }

    /// `text` with `{t}` replaced by the table's name.
    pub(crate) fn sql(&self, text: &str) -> String {
        text.replace("{t}", &self.0)
    }
}

/// The SQLite schema, version 1: the origins, a log of changed origins written by triggers (so
/// that a change made by any writer, this crate or plain SQL, reaches every instance), and a
/// small table of settings. Run in one `BEGIN IMMEDIATE` transaction.
pub const SQLITE: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS {t} (
        origin TEXT PRIMARY KEY NOT NULL,
        added_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
    )",
    "CREATE TABLE IF NOT EXISTS {t}_changes (
        revision INTEGER PRIMARY KEY AUTOINCREMENT,
        origin TEXT NOT NULL,
        at INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
    )",
    "CREATE TABLE IF NOT EXISTS {t}_meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL)",
    "CREATE TRIGGER IF NOT EXISTS {t}_added AFTER INSERT ON {t}
        BEGIN INSERT INTO {t}_changes (origin) VALUES (NEW.origin); END",
    "CREATE TRIGGER IF NOT EXISTS {t}_removed AFTER DELETE ON {t}
        BEGIN INSERT INTO {t}_changes (origin) VALUES (OLD.origin); END",
    "CREATE TRIGGER IF NOT EXISTS {t}_renamed AFTER UPDATE OF origin ON {t}
        BEGIN
            INSERT INTO {t}_changes (origin) VALUES (OLD.origin);
            INSERT INTO {t}_changes (origin) VALUES (NEW.origin);
        END",
    "INSERT INTO {t}_meta (key, value) VALUES ('pruned_through', 0) ON CONFLICT DO NOTHING",
    "INSERT INTO {t}_meta (key, value) VALUES ('schema', 1)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value",
];

/// The PostgreSQL schema, version 1: the origins, and triggers that notify the channel named
/// after the table with each changed origin (an empty payload, after `TRUNCATE` or for a value
/// too long to be an origin: reload everything). Run in one transaction, under an advisory lock
/// so that instances starting together do not race.
pub const POSTGRES: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS {t} (
        origin TEXT PRIMARY KEY,
        added_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )",
    "CREATE TABLE IF NOT EXISTS {t}_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL)",
    "CREATE OR REPLACE FUNCTION {t}_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            PERFORM pg_notify('{t}', '');
            RETURN NULL;
        END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            PERFORM pg_notify('{t}', CASE WHEN length(OLD.origin) <= 1000 THEN OLD.origin ELSE '' END);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            PERFORM pg_notify('{t}', CASE WHEN length(NEW.origin) <= 1000 THEN NEW.origin ELSE '' END);
        END IF;
        RETURN NULL;
    END $$",
    "DROP TRIGGER IF EXISTS {t}_changed ON {t}",
    "CREATE TRIGGER {t}_changed AFTER INSERT OR UPDATE OR DELETE ON {t}
        FOR EACH ROW EXECUTE FUNCTION {t}_notify()",
    "DROP TRIGGER IF EXISTS {t}_truncated ON {t}",
    "CREATE TRIGGER {t}_truncated AFTER TRUNCATE ON {t}
        FOR EACH STATEMENT EXECUTE FUNCTION {t}_notify()",
    "INSERT INTO {t}_meta (key, value) VALUES ('schema', 1)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_identifiers_name_a_table() {
        for good in ["cors_origins", "_t", "tenants2", "a"] {
            assert!(Table::new(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Cors",
            "2t",
            "t-1",
            "t;drop table x",
            "t t",
            &"x".repeat(41),
        ] {
            assert!(Table::new(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Table::new("x").unwrap().sql("SELECT origin FROM {t}_meta"),
            "SELECT origin FROM x_meta"
        );
    }
}
