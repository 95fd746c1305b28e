//! What can go wrong: with the database, or with the origins of a change.

use std::fmt;

use cors_actix::OriginSetError;

/// The store could not do what was asked: the database failed, or the store is not set up to.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError {
    /// The database's error (connection, query, transaction).
    Database(sqlx::Error),
    /// A setting the store cannot work with: the URL's scheme, a feature not enabled, the
    /// table's name, a schema made by a newer version of this crate.
    Config(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Database(error) => write!(f, "origin store: {error}"),
            StoreError::Config(what) => write!(f, "origin store: {what}"),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Database(error) => Some(error),
            StoreError::Config(_) => None,
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> StoreError {
        StoreError::Database(error)
    }
}

/// A change refused: an origin the policy's rules refuse (every one, with why; nothing of the
/// change was applied), or the store's error (nothing was applied either: each change is one
/// transaction).
#[derive(Debug)]
#[non_exhaustive]
pub enum ChangeError {
    /// Origins refused by validation, each with its problem.
    Invalid(OriginSetError),
    /// The database failed.
    Store(StoreError),
}

impl fmt::Display for ChangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChangeError::Invalid(error) => error.fmt(f),
            ChangeError::Store(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for ChangeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ChangeError::Invalid(error) => Some(error),
            ChangeError::Store(error) => Some(error),
        }
    }
}

impl From<StoreError> for ChangeError {
    fn from(error: StoreError) -> ChangeError {
        ChangeError::Store(error)
    }
}

impl From<sqlx::Error> for ChangeError {
    fn from(error: sqlx::Error) -> ChangeError {
        ChangeError::Store(StoreError::Database(error))
    }
}

impl From<OriginSetError> for ChangeError {
    fn from(error: OriginSetError) -> ChangeError {
        ChangeError::Invalid(error)
    }
}
