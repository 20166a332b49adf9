//! The route table: one route per operation of plaid-client's generated operations
//! (`plaid_client::operations::visit_all`), by method and path, each with the check of its
//! request type (`schema_check.rs`, built on first use and kept) and, for an emulated flow, the
//! handler registered for its operation type (`Routes::emulate::<O>`, so a path typo cannot
//! compile and a new spec version's operations are routed by regenerating).

use std::collections::HashMap;
use std::sync::OnceLock;

use plaid_client::{JsonOperation, Operation, OperationVisitor, ResponseFormat};
use serde_json::Value;

use super::examples::typed;
use super::schema_check::{schema_of, SchemaCheck};
use super::Api;
use crate::model::plaid_error::PlaidError;

/// An emulated flow: given the request (already checked), its answer as JSON, without
/// `request_id`. It reads and changes the model under its lock and returns; the route adds
/// `request_id`, types and serializes the answer after the handler returned, so never under
/// the lock.
pub(crate) type Handler = fn(&Api, &Value) -> Result<Value, PlaidError>;

/// A registered flow as the route runs it: the request and its id in, the typed body out.
pub(crate) type Answer =
    Box<dyn Fn(&Api, &Value, &str) -> Result<Vec<u8>, PlaidError> + Send + Sync>;

/// One operation's route.
pub(crate) struct Route {
    /// `POST` for all but three operations.
    pub(crate) method: &'static str,
    /// The operation's path, with its `{param}` placeholders.
    pub(crate) path: &'static str,
    /// The operation's `operationId`.
    pub(crate) operation_id: &'static str,
    /// JSON or bytes (PDF, ZIP).
    pub(crate) format: ResponseFormat,
    /// The emulated flow, if there is one; else the spec's example answers.
    pub(crate) handler: Option<Answer>,
    /// The request type's JSON Schema, made when the route is first checked.
    schema: fn() -> Value,
    check: OnceLock<SchemaCheck>,
}

impl Route {
    /// The check of this route's request type, built on the first request and kept.
    pub(crate) fn check(&self) -> &SchemaCheck {
        self.check.get_or_init(|| SchemaCheck::new((self.schema)()))
    }
}

/// What a method and path name.
pub(crate) enum Found<'r> {
    /// The operation.
    Route(&'r Route),
    /// No operation has this path.
    Unknown,
    /// An operation has this path, with another method.
    WrongMethod,
}

/// Every operation's route, by path.
pub(crate) struct Routes {
    by_path: HashMap<&'static str, Route>,
    /// The few paths with `{param}` placeholders, matched segment by segment.
    templated: Vec<&'static str>,
}

/// A handler's `answer` as `O`'s body: `request_id` set (every Plaid answer carries it), then
/// typed and serialized by the generated response type.
fn finish<O: JsonOperation>(mut answer: Value, request_id: &str) -> Result<Vec<u8>, PlaidError> {
    if let Value::Object(fields) = &mut answer {
        fields.insert("request_id".into(), Value::String(request_id.into()));
    }
    typed::<O>(answer)
}

impl Routes {
    /// A route for every generated operation, none emulated yet.
    pub(crate) fn generated() -> Self {
        struct Collect(Routes);
        impl OperationVisitor for Collect {
            fn visit<O: Operation>(&mut self) {
                let route = Route {
                    method: O::METHOD,
                    path: O::PATH,
                    operation_id: O::OPERATION_ID,
                    format: O::RESPONSE_FORMAT,
                    handler: None,
                    schema: schema_of::<O::Request>,
                    check: OnceLock::new(),
                };
                if O::PATH.contains('{') {
                    self.0.templated.push(O::PATH);
                }
                self.0.by_path.insert(O::PATH, route);
            }
        }
        let mut collect = Collect(Routes {
            by_path: HashMap::new(),
            templated: Vec::new(),
        });
        plaid_client::operations::visit_all(&mut collect);
        collect.0
    }

    /// `O` answered by `handler` instead of its example: the handler's JSON, with the
    /// request's `request_id`, decoded into `O`'s generated response type and serialized by it.
    pub(crate) fn emulate<O: JsonOperation>(&mut self, handler: Handler) {
        if let Some(route) = self.by_path.get_mut(O::PATH) {
            route.handler = Some(Box::new(move |api, request, request_id| {
                let answer = handler(api, request)?;
                finish::<O>(answer, request_id)
            }));
        }
    }

    /// How many operations are routed.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_path.len()
    }

    /// The route of `method` and `path`.
    pub(crate) fn find(&self, method: &str, path: &str) -> Found<'_> {
        let route = self.by_path.get(path).or_else(|| {
            self.templated
                .iter()
                .find(|t| matches_template(t, path))
                .and_then(|t| self.by_path.get(t))
        });
        match route {
            None => Found::Unknown,
            Some(route) if route.method != method => Found::WrongMethod,
            Some(route) => Found::Route(route),
        }
    }
}

/// Whether `path` fits `template`, a `{param}` standing for one non-empty segment.
fn matches_template(template: &str, path: &str) -> bool {
    let mut want = template.split('/');
    let mut have = path.split('/');
    loop {
        match (want.next(), have.next()) {
            (None, None) => return true,
            (Some(w), Some(h)) if w.starts_with('{') && !h.is_empty() => {}
            (Some(w), Some(h)) if w == h => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_routed_and_methods_are_told_apart() {
        let routes = Routes::generated();
        assert!(routes.len() > 300, "{}", routes.len());
        assert!(matches!(
            routes.find("POST", "/accounts/get"),
            Found::Route(_)
        ));
        assert!(matches!(
            routes.find("GET", "/accounts/get"),
            Found::WrongMethod
        ));
        assert!(matches!(
            routes.find("POST", "/accounts/gett"),
            Found::Unknown
        ));
        assert!(matches!(
            routes.find("GET", "/fdx/recipient/abc"),
            Found::Route(_)
        ));
        assert!(matches!(
            routes.find("GET", "/fdx/recipient/"),
            Found::Unknown
        ));
    }

    #[test]
    fn accounts_get_requires_its_access_token() {
        let routes = Routes::generated();
        let Found::Route(route) = routes.find("POST", "/accounts/get") else {
            panic!("no route");
        };
        assert!(route.check().has_property("access_token"));
        let err = route.check().check(&serde_json::json!({})).unwrap_err();
        assert_eq!(err.error_code, "MISSING_FIELDS");
    }
}
