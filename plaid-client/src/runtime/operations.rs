//! What every generated operation marker implements.

/// How an operation's successful response body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseFormat {
    /// A JSON document, decoded into [`Operation::Response`].
    Json,
    /// Raw bytes (PDF or ZIP reports), returned as a [`crate::ByteStream`].
    Binary,
}

/// The `idempotency_key` field of an operation's request, with the limits the spec gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdempotencyKeyField {
    /// Whether the spec marks the field required.
    pub required: bool,
    /// Minimum length in characters, if the spec sets one.
    pub min_length: Option<usize>,
    /// Maximum length in characters, if the spec sets one.
    pub max_length: Option<usize>,
}

/// One operation of the Plaid API, as a type. Implemented by every marker in
/// [`crate::operations`]; the implementations are generated from the spec.
pub trait Operation {
    /// The spec's `operationId`, e.g. `accountsGet`.
    const OPERATION_ID: &'static str;
    /// The HTTP method in upper case (`POST` for all but a few operations).
    const METHOD: &'static str;
    /// The path, e.g. `/accounts/get`, with `{param}` placeholders where it has path parameters.
    const PATH: &'static str;
    /// How the success body is encoded.
    const RESPONSE_FORMAT: ResponseFormat;
    /// Whether the operation only reads (GET, or a POST whose path ends in `get`, `get_by_id`,
    /// `list`, `sync`, `search` or `download`), so that sending it twice cannot change anything.
    const READ_ONLY: bool;
    /// The request's `idempotency_key` field, for operations that have one.
    const IDEMPOTENCY_KEY: Option<IdempotencyKeyField>;
    /// The JSON request body type (`()` for operations without a body). With the `schemars`
    /// feature it also implements `schemars::JsonSchema` ([`RequestSchema`]), so generic code
    /// (the emulator's request checks) can read what an operation accepts.
    type Request: serde::Serialize + RequestSchema;
    /// The success response type.
    type Response;
    /// The error body type (Plaid's error object).
    type Error: serde::de::DeserializeOwned;

    /// The idempotency key set on `request`, if the operation has one and it is set (non-empty).
    fn idempotency_key(request: &Self::Request) -> Option<&str> {
        let _ = request;
        None
    }

    /// Set the request's idempotency key; does nothing for operations without one.
    fn set_idempotency_key(request: &mut Self::Request, key: String) {
        let _ = (request, key);
    }
}

/// With the `schemars` feature, `schemars::JsonSchema`: every generated request type (and `()`)
/// has it, so [`Operation::Request`] can be described generically. Without the feature, every
/// type has it, so the bound costs nothing.
#[cfg(feature = "schemars")]
pub trait RequestSchema: schemars::JsonSchema {}
#[cfg(feature = "schemars")]
impl<T: schemars::JsonSchema + ?Sized> RequestSchema for T {}

/// With the `schemars` feature, `schemars::JsonSchema`: every generated request type (and `()`)
/// has it, so [`Operation::Request`] can be described generically. Without the feature, every
/// type has it, so the bound costs nothing.
#[cfg(not(feature = "schemars"))]
pub trait RequestSchema {}
#[cfg(not(feature = "schemars"))]
impl<T: ?Sized> RequestSchema for T {}

/// Implemented by every request body type: names its operation, so generic code can go from a
/// request value to everything about its operation without naming the operation.
///
/// ```
/// use plaid_client::{types::AccountsGetRequest, Operation, RequestBody};
///
/// fn path_of<R: RequestBody>(_: &R) -> &'static str {
///     R::Operation::PATH
/// }
/// let req = AccountsGetRequest::new("access-sandbox-123");
/// assert_eq!(path_of(&req), "/accounts/get");
/// ```
pub trait RequestBody: serde::Serialize {
    /// The operation this type is the request body of.
    type Operation: Operation<Request = Self>;
}

/// An [`Operation`] whose success response is a JSON document: every operation but the few that
/// return PDF or ZIP bytes.
///
/// With the `schemars` feature the response type also implements `schemars::JsonSchema`, so
/// generic code can describe what an operation answers (every generated response type does; an
/// operation marker of your own then needs it too).
#[cfg(not(feature = "schemars"))]
pub trait JsonOperation:
    Operation<Response: serde::de::DeserializeOwned + serde::Serialize>
{
}

/// An [`Operation`] whose success response is a JSON document: every operation but the few that
/// return PDF or ZIP bytes.
///
/// With the `schemars` feature the response type also implements [`schemars::JsonSchema`], so
/// generic code can describe what an operation answers (every generated response type does; an
/// operation marker of your own then needs it too).
#[cfg(feature = "schemars")]
pub trait JsonOperation:
    Operation<Response: serde::de::DeserializeOwned + serde::Serialize + schemars::JsonSchema>
{
}

/// An [`Operation`] whose success response is raw bytes (a PDF or ZIP report).
pub trait BinaryOperation: Operation {}

/// An [`Operation`] sent as `POST` [`Operation::PATH`] with its JSON request body: every
/// operation but the few `GET` ones with path parameters (`/fdx/consents/{consentId}`…), which
/// only the raw client (feature `raw-client`) sends. `plaid-client-ext` sends exactly these, so
/// a `GET` operation handed to it is a compile error, not a wrong request.
pub trait PostOperation: Operation {}

/// A generic callback over every operation; see [`crate::operations::visit_all`].
///
/// ```
/// use plaid_client::{operations, Operation, OperationVisitor};
///
/// struct CountKeyed(usize);
/// impl OperationVisitor for CountKeyed {
///     fn visit<O: Operation>(&mut self) {
///         if O::IDEMPOTENCY_KEY.is_some() {
///             self.0 += 1;
///         }
///     }
/// }
/// let mut v = CountKeyed(0);
/// operations::visit_all(&mut v);
/// assert!(v.0 > 0);
/// ```
pub trait OperationVisitor {
    /// Called once per operation.
    fn visit<O: Operation>(&mut self);
}

/// A generic callback over every JSON operation; see [`crate::operations::visit_json`].
pub trait JsonOperationVisitor {
    /// Called once per JSON operation.
    fn visit<O: JsonOperation>(&mut self);
}
