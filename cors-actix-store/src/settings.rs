//! What an [`OriginStoreBuilder`](crate::OriginStoreBuilder) sets.

use std::time::Duration;

use crate::schema::Table;

#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) table: Table,
    /// SQLite: how often the file is asked whether anything changed.
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    pub(crate) poll_every: Duration,
    /// How often the whole table is read again, whatever the notifications said.
    pub(crate) reconcile_every: Duration,
    pub(crate) max_connections: u32,
    pub(crate) migrate: bool,
}
