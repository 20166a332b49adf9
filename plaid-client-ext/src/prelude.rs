//! The traits a program needs to use this crate's streams, in one import:
//! `use plaid_client_ext::prelude::*;`.
//!
//! [`PlaidClient::paginate`](crate::PlaidClient::paginate) and
//! [`PlaidClient::sync`](crate::PlaidClient::sync) hand out [`BoxStream`]s; their `next()`,
//! `try_next()`, `map`, `collect` … come from [`StreamExt`] and [`TryStreamExt`] (re-exported
//! from `futures-util`, the version the streams are built with, so you need not depend on it).
//!
//! ```no_run
//! use plaid_client_ext::prelude::*;
//! use plaid_client_ext::types::{CountryCode, InstitutionsGetRequest};
//!
//! # async fn run(client: plaid_client_ext::PlaidClient) -> Result<(), plaid_client_ext::Error> {
//! let mut institutions = client
//!     .paginate(InstitutionsGetRequest::new(500, vec![CountryCode::Us], 0))
//!     .items();
//! while let Some(institution) = institutions.try_next().await? {
//!     println!("{}", institution.name);
//! }
//! # Ok(())
//! # }
//! ```

pub use futures_util::stream::BoxStream;
pub use futures_util::{Stream, StreamExt, TryStreamExt};
