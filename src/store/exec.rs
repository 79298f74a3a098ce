//! Where a statement runs: an sqlx transaction (either database), or a
//! SQLite transaction on the caller's own thread ([`direct::WriteTx`]).
//!
//! Numbering and the audit chain are written once against [`Exec`], so the
//! fast path that numbers on SQLite without a thread hand-off runs the very
//! statements, and the very hashing, of the general one.

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use sqlx::{Any, AnyConnection, Transaction};

use super::StoreError;
use super::direct::{self, Param, Row};

/// Runs one statement and gives every row it returns.
pub trait Exec: Send {
    fn rows<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Param<'a>],
    ) -> BoxFuture<'a, Result<Vec<Row>, StoreError>>;
}

impl Exec for AnyConnection {
    fn rows<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Param<'a>],
    ) -> BoxFuture<'a, Result<Vec<Row>, StoreError>> {
        async move {
            let rows = bind(sqlx::query(sql), params).fetch_all(self).await?;
            Ok(rows.iter().map(Row::from_any).collect())
        }
        .boxed()
    }
}

impl Exec for Transaction<'_, Any> {
    fn rows<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Param<'a>],
    ) -> BoxFuture<'a, Result<Vec<Row>, StoreError>> {
        (**self).rows(sql, params)
    }
}

impl Exec for direct::WriteTx<'_> {
    fn rows<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Param<'a>],
    ) -> BoxFuture<'a, Result<Vec<Row>, StoreError>> {
        // Runs now, on this thread; the future only hands the answer over.
        std::future::ready(self.fetch_all(sql, params)).boxed()
    }
}

/// `query` with `params` bound in order; NULLs keep their column's type
/// (PostgreSQL will not put a text NULL in an integer column).
pub(crate) fn bind<'q>(
    mut query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    params: &'q [Param<'q>],
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    for p in params {
        query = match *p {
            Param::Int(v) => query.bind(v),
            Param::Text(t) => query.bind(t),
            Param::NullInt => query.bind(None::<i64>),
            Param::NullText => query.bind(None::<String>),
        };
    }
    query
}
