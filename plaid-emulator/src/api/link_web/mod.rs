//! Plaid Link for the web, served at Plaid's CDN path (docs: `link-web.txt`): `GET
//! /link/v2/stable/link-initialize.js` defines `Plaid.create`, whose `open()` shows
//! `link.html` in an iframe; its panes call the `POST /link/v2/stable/api/...` steps
//! (`steps.rs`), which run Link's one flow (`link_flow.rs`). These are Plaid's surface but
//! no API operation: no keys, not journaled, not rate limited. The pages are plain files in
//! `plaid-emulator/assets/link/`, compiled in.

mod steps;

use crate::api::Api;

/// Where Plaid's CDN serves Link for the web; every path under it is this module's.
pub(crate) const PREFIX: &str = "/link/v2/stable/";

/// The largest step request read, in bytes.
pub(crate) const MAX_STEP_BYTES: usize = 16 * 1024;

/// The files served, by name under [`PREFIX`], with their content types.
const ASSETS: [(&str, &str, &str); 4] = [
    (
        "link-initialize.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../assets/link/link-initialize.js"),
    ),
    (
        "link.html",
        "text/html; charset=utf-8",
        include_str!("../../../assets/link/link.html"),
    ),
    (
        "link.css",
        "text/css; charset=utf-8",
        include_str!("../../../assets/link/link.css"),
    ),
    (
        "link.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../assets/link/link.js"),
    ),
];

/// One answer: its status, content type and body.
pub(crate) struct WebAnswer {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: Vec<u8>,
}

impl WebAnswer {
    fn text(status: u16, text: &str) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            body: text.as_bytes().to_vec(),
        }
    }
}

/// Whether `path` is Link for the web's.
pub(crate) fn serves(path: &str) -> bool {
    path.starts_with(PREFIX)
}

/// The answer to `method path` with `body` (a step's JSON, at most [`MAX_STEP_BYTES`]).
pub(crate) fn answer(api: &Api, method: &str, path: &str, body: &[u8]) -> WebAnswer {
    let name = path.strip_prefix(PREFIX).unwrap_or_default();
    match (method, name.strip_prefix("api/")) {
        ("POST", Some(step)) => steps::answer(api, step, body),
        ("GET", None) => match ASSETS.iter().find(|(file, _, _)| *file == name) {
            Some((_, content_type, text)) => WebAnswer {
                status: 200,
                content_type,
                body: text.as_bytes().to_vec(),
            },
            None => WebAnswer::text(404, "not found"),
        },
        _ => WebAnswer::text(405, "method not allowed"),
    }
}
