//! Reading an answer's body within bounds, the one way every answer is read (a JSON success, an
//! error object, a downloaded file): at most the size limit, refused before reading when
//! `Content-Length` declares more, then counted chunk by chunk (a body without
//! `Content-Length`, or one that sends more than it declared); and within the attempt's
//! deadline, so a body that drips in times out like an answer that never comes.

use bytes::Bytes;
use reqwest::header::{HeaderMap, CONTENT_LENGTH};
use tokio::time::Instant;

/// Why a body was not read whole.
pub(super) enum BodyError {
    /// Past the limit: declared so by `Content-Length` (nothing was read), or found so while
    /// reading. `declared` is the `Content-Length`, if any.
    TooLarge { declared: Option<u64> },
    /// The attempt's deadline passed while the body was still arriving.
    TimedOut,
    /// The connection failed while reading (reqwest's own timeout included).
    Read(reqwest::Error),
}

/// The whole body of `response`: at most `limit` bytes, read before `deadline` (`None`: a
/// timeout too long to be a point in time, so none). The response's headers are not read
/// again: pass `headers`, taken from it.
pub(super) async fn read_bounded(
    response: &mut reqwest::Response,
    headers: &HeaderMap,
    limit: u64,
    deadline: Option<Instant>,
) -> Result<Bytes, BodyError> {
    let declared = declared_length(headers);
    if declared.is_some_and(|n| n > limit) {
        return Err(BodyError::TooLarge { declared });
    }
    let mut body = Bounded::new(limit, declared);
    let read = async {
        while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
            body.push(chunk)?;
        }
        Ok(())
    };
    let read = match deadline {
        Some(deadline) => tokio::time::timeout_at(deadline, read)
            .await
            .unwrap_or(Err(BodyError::TimedOut)),
        None => read.await,
    };
    read.map(|()| body.finish())
}

/// The `Content-Length` header, when it is a number.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// A body being read: never more than `limit` bytes kept. A body that arrives as one chunk (most
/// JSON answers) is kept as that chunk, not copied.
struct Bounded {
    limit: u64,
    declared: Option<u64>,
    received: u64,
    first: Option<Bytes>,
    joined: Vec<u8>,
}

impl Bounded {
    fn new(limit: u64, declared: Option<u64>) -> Self {
        Self {
            limit,
            declared,
            received: 0,
            first: None,
            joined: Vec::new(),
        }
    }

    /// Count `chunk` and keep it, or refuse it when the body passes the limit with it.
    fn push(&mut self, chunk: Bytes) -> Result<(), BodyError> {
        let len = u64::try_from(chunk.len()).unwrap_or(u64::MAX);
        self.received = self.received.saturating_add(len);
        if self.received > self.limit {
            return Err(BodyError::TooLarge {
                declared: self.declared,
            });
        }
        if self.first.is_none() && self.joined.is_empty() {
            self.first = Some(chunk);
            return Ok(());
        }
        if let Some(first) = self.first.take() {
            self.append(&first);
        }
        self.append(&chunk);
        Ok(())
    }

    /// Copy `bytes` in, growing the buffer by doubling (or at once to the declared length) but
    /// never past the limit, which [`Self::push`] has checked the body is within.
    fn append(&mut self, bytes: &[u8]) {
        let needed = self.joined.len() + bytes.len();
        if needed > self.joined.capacity() {
            let within_limit = |n: u64| usize::try_from(n.min(self.limit)).unwrap_or(usize::MAX);
            let target = self
                .joined
                .capacity()
                .saturating_mul(2)
                .max(self.declared.map_or(0, within_limit))
                .min(within_limit(self.limit))
                .max(needed);
            self.joined.reserve_exact(target - self.joined.len());
        }
        self.joined.extend_from_slice(bytes);
    }

    fn finish(self) -> Bytes {
        match self.first {
            Some(only) => only,
            None => Bytes::from(self.joined),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pushed(limit: u64, declared: Option<u64>, chunks: &[&[u8]]) -> Result<Bounded, u64> {
        let mut body = Bounded::new(limit, declared);
        for chunk in chunks {
            if let Err(BodyError::TooLarge { .. }) = body.push(Bytes::copy_from_slice(chunk)) {
                return Err(body.received);
            }
        }
        Ok(body)
    }

    #[test]
    fn keeps_a_body_up_to_the_limit_and_refuses_the_chunk_past_it() {
        let body = pushed(6, None, &[b"ab", b"cd", b"ef"])
            .ok()
            .map(Bounded::finish);
        assert_eq!(body.as_deref(), Some(&b"abcdef"[..]));
        assert_eq!(
            pushed(6, None, &[b"ab", b"cd", b"efg", b"h"]).err(),
            Some(7)
        );
        // A body that lied about its length is counted, not trusted.
        assert_eq!(pushed(6, Some(2), &[b"abcd", b"efgh"]).err(), Some(8));
    }

    #[test]
    fn never_grows_the_buffer_past_the_limit() {
        let body = pushed(1000, Some(10), &[&[0; 10], &[0; 300], &[0; 300], &[0; 390]]);
        let body = body.ok().map(|b| (b.joined.len(), b.joined.capacity()));
        assert_eq!(body, Some((1000, 1000)));
    }

    #[test]
    fn a_single_chunk_is_kept_as_is() {
        let chunk = Bytes::from_static(b"{\"accounts\": []}");
        let mut body = Bounded::new(64, None);
        assert!(body.push(chunk.clone()).is_ok());
        let kept = body.finish();
        assert_eq!(kept.as_ptr(), chunk.as_ptr());
        assert!(Bounded::new(64, None).finish().is_empty());
    }
}
