//! Issue 29, item 6: what a server can make the client hold, and for how long, on any answer
//! (success or not, JSON or a download). The server is a real HTTP/1.1 server on loopback,
//! written by hand so that it can lie (a `Content-Length` it does not keep, a body without end,
//! one that drips), counting the requests it reads and the bytes it writes, and telling whether
//! the client closed the connection on it.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use peak_alloc::PeakAlloc;
use plaid_client_ext::retry::{RetryContext, RetryPolicy};
use plaid_client_ext::types::{AccountsGetRequest, AssetReportPdfGetRequest, ItemRemoveRequest};
use plaid_client_ext::{Environment, Error, PlaidClient, TimeoutPhase};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::mpsc;

/// Every allocation of this test binary, to see what a call held at its peak.
#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

/// The tests run one at a time, so that each one's peak memory is its own.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The size limit of the tests' clients.
const LIMIT: u64 = 1024 * 1024;
/// A Content-Length far beyond any limit: 6 GiB, as in the issue.
const HUGE: u64 = 6 << 30;
/// The most an endless body writes, so a client that reads without bound fails the test
/// instead of exhausting the machine: far beyond what a bounded client lets through.
const SERVER_CAP: u64 = 256 * 1024 * 1024;
/// The server's socket send buffer (the kernel doubles it): what it may write beyond what the
/// client reads stays small, so what it wrote says what the client read.
const SEND_BUFFER: u32 = 64 * 1024;
/// The longest a test waits for the server to see its connection end: a bound for a failing
/// test, never a wait for a passing one.
const PATIENCE: Duration = Duration::from_secs(30);

/// How the server answers every request.
#[derive(Clone, Copy, Debug)]
enum Plan {
    /// `Content-Length: declared`, then spaces until the client closes.
    Declared { status: u16, declared: u64 },
    /// `Transfer-Encoding: chunked` (with a `Content-Length: n` it does not keep, when `lie` is
    /// `Some(n)`), then chunks until the client closes.
    Chunked { status: u16, lie: Option<u64> },
    /// Neither header: the body runs until the connection closes.
    UntilClose,
    /// `Content-Length: declared`, one byte a second.
    Drip { declared: u64 },
    /// A complete body of `len` bytes, `Content-Length` or chunked.
    Exactly { len: u64, chunked: bool },
}

/// How one connection ended, as the server saw it.
#[derive(Debug)]
struct Ended {
    /// Bytes written on it, head and framing included.
    written: u64,
    /// Whether a write failed because the client had closed the connection.
    closed_by_client: bool,
}

struct Server {
    addr: SocketAddr,
    requests: Arc<AtomicUsize>,
    ended: mpsc::UnboundedReceiver<Ended>,
}

impl Server {
    async fn start(plan: Plan) -> Self {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_send_buffer_size(SEND_BUFFER).unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(16).unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let (tx, ended) = mpsc::unbounded_channel();
        let counter = requests.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (counter, tx) = (counter.clone(), tx.clone());
                tokio::spawn(async move {
                    if let Some(end) = serve(stream, plan, &counter).await {
                        let _ = tx.send(end);
                    }
                });
            }
        });
        Self {
            addr,
            requests,
            ended,
        }
    }

    fn client(&self, timeout: Duration) -> PlaidClient {
        let base = format!("http://{}", self.addr);
        PlaidClient::builder(Environment::Custom(base), "client-id-1234", "secret-5678")
            .request_timeout(timeout)
            .max_response_bytes(LIMIT)
            .no_retries()
            .build()
            .unwrap()
    }

    /// How the (first) connection ended; fails the test if it does not within [`PATIENCE`].
    async fn ended(&mut self) -> Ended {
        tokio::time::timeout(PATIENCE, self.ended.recv())
            .await
            .expect("the connection ends")
            .expect("the server runs")
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Read one request, answer it as `plan` says. `None` when no request came.
async fn serve(mut stream: TcpStream, plan: Plan, requests: &AtomicUsize) -> Option<Ended> {
    read_request(&mut stream).await?;
    requests.fetch_add(1, Ordering::SeqCst);
    let mut out = Counted { stream, written: 0 };
    let outcome = match plan {
        Plan::Declared { status, declared } => {
            out.head(status, &format!("Content-Length: {declared}\r\n"))
                .await;
            out.endless(false).await
        }
        Plan::Chunked { status, lie } => {
            let lie = lie.map_or(String::new(), |n| format!("Content-Length: {n}\r\n"));
            out.head(status, &format!("Transfer-Encoding: chunked\r\n{lie}"))
                .await;
            out.endless(true).await
        }
        Plan::UntilClose => {
            out.head(200, "Connection: close\r\n").await;
            out.endless(false).await
        }
        Plan::Drip { declared } => {
            out.head(200, &format!("Content-Length: {declared}\r\n"))
                .await;
            out.drip(declared).await
        }
        Plan::Exactly { len, chunked } => out.exactly(len, chunked).await,
    };
    Some(Ended {
        written: out.written,
        closed_by_client: outcome.is_err(),
    })
}

/// Read a request's head and its `Content-Length` bytes of body.
async fn read_request(stream: &mut TcpStream) -> Option<()> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        seen.extend_from_slice(&buf[..n]);
        if let Some(i) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&seen[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    while seen.len() < head_end + length {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        seen.extend_from_slice(&buf[..n]);
    }
    Some(())
}

/// The server's side of a connection, counting what it writes.
struct Counted {
    stream: TcpStream,
    written: u64,
}

impl Counted {
    async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes).await?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    async fn head(&mut self, status: u16, headers: &str) {
        let head = format!(
            "HTTP/1.1 {status} Whatever\r\nContent-Type: application/json\r\n{headers}\r\n"
        );
        self.write(head.as_bytes()).await.unwrap();
    }

    /// Spaces (chunked or not) until the client closes, or [`SERVER_CAP`]; `Err` when the client
    /// closed.
    async fn endless(&mut self, chunked: bool) -> std::io::Result<()> {
        let block = vec![b' '; 16 * 1024];
        while self.written < SERVER_CAP {
            if chunked {
                self.write(format!("{:x}\r\n", block.len()).as_bytes())
                    .await?;
            }
            self.write(&block).await?;
            if chunked {
                self.write(b"\r\n").await?;
            }
        }
        Ok(())
    }

    async fn drip(&mut self, len: u64) -> std::io::Result<()> {
        for _ in 0..len {
            self.write(b" ").await?;
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        Ok(())
    }

    async fn exactly(&mut self, len: u64, chunked: bool) -> std::io::Result<()> {
        let framing = if chunked {
            "Transfer-Encoding: chunked\r\n".to_string()
        } else {
            format!("Content-Length: {len}\r\n")
        };
        self.head(200, &format!("{framing}Connection: close\r\n"))
            .await;
        let body = vec![b'%'; usize::try_from(len).unwrap()];
        for part in body.chunks(100_000) {
            if chunked {
                self.write(format!("{:x}\r\n", part.len()).as_bytes())
                    .await?;
            }
            self.write(part).await?;
            if chunked {
                self.write(b"\r\n").await?;
            }
        }
        if chunked {
            self.write(b"0\r\n\r\n").await?;
        }
        Ok(())
    }
}

/// A policy that retries every failure, five times, at once: whatever the client refuses to
/// retry, it refuses on its own.
#[derive(Debug)]
struct RetryEverything;

impl RetryPolicy for RetryEverything {
    fn next_delay(&self, ctx: &RetryContext<'_>) -> Option<Duration> {
        (ctx.attempt < 5).then_some(Duration::from_millis(10))
    }
}

/// What a call grew the process by at its peak, in bytes.
fn peak_growth(baseline: usize) -> usize {
    ALLOC.peak_usage().saturating_sub(baseline)
}

/// The status, limit and declared length of a [`Error::ResponseTooLarge`]; fails the test on
/// anything else (without printing a body that got through).
fn too_large<T>(result: Result<T, Error>) -> (u16, u64, Option<u64>) {
    match result {
        Err(Error::ResponseTooLarge {
            status,
            limit,
            declared,
            ..
        }) => (status, limit, declared),
        Ok(_) => panic!("expected ResponseTooLarge, got a response"),
        Err(e) => panic!("expected ResponseTooLarge, got {e:?}"),
    }
}

/// (a) A 6 GiB `Content-Length` with a body that never ends: refused on the header, before the
/// body is read, and the connection is closed on the server.
#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_before_reading() {
    let _serial = SERIAL.lock().await;
    let mut server = Server::start(Plan::Declared {
        status: 200,
        declared: HUGE,
    })
    .await;
    let client = server.client(Duration::from_secs(20));
    let started = Instant::now();
    let result = client
        .send(&AccountsGetRequest::new("access-sandbox-1"))
        .await;
    let elapsed = started.elapsed();
    assert_eq!(too_large(result), (200, LIMIT, Some(HUGE)));
    drop(client);
    let ended = server.ended().await;
    eprintln!("declared 6 GiB: refused after {elapsed:?}; the server wrote {ended:?}");
    assert!(ended.closed_by_client, "{ended:?}");
    // Not even the limit's worth was sent: the client read the head and stopped.
    assert!(ended.written < LIMIT, "{ended:?}");
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
}

/// (b) `Content-Length: 100` next to `Transfer-Encoding: chunked` (which HTTP says wins), and
/// chunks without end: the declared length is not trusted, the bytes are counted.
#[tokio::test]
async fn a_body_longer_than_its_content_length_is_cut_at_the_limit() {
    let _serial = SERIAL.lock().await;
    let mut server = Server::start(Plan::Chunked {
        status: 200,
        lie: Some(100),
    })
    .await;
    let client = server.client(Duration::from_secs(20));
    let baseline = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let result = client
        .send(&AccountsGetRequest::new("access-sandbox-1"))
        .await;
    let grown = peak_growth(baseline);
    assert_eq!(too_large(result), (200, LIMIT, Some(100)));
    let ended = server.ended().await;
    eprintln!("lying Content-Length: peak growth {grown} bytes; the server wrote {ended:?}");
    assert_bounded(&ended, grown);
}

/// (c) Chunked, no `Content-Length`, no end; and a body delimited by the connection's close:
/// cut at the limit, the connection closed on the server.
#[tokio::test]
async fn an_endless_body_without_a_length_is_cut_at_the_limit() {
    let _serial = SERIAL.lock().await;
    for plan in [
        Plan::Chunked {
            status: 200,
            lie: None,
        },
        Plan::UntilClose,
    ] {
        let mut server = Server::start(plan).await;
        let client = server.client(Duration::from_secs(20));
        let baseline = ALLOC.current_usage();
        ALLOC.reset_peak_usage();
        let started = Instant::now();
        let result = client
            .send(&AccountsGetRequest::new("access-sandbox-1"))
            .await;
        let (elapsed, grown) = (started.elapsed(), peak_growth(baseline));
        assert_eq!(too_large(result), (200, LIMIT, None), "{plan:?}");
        let ended = server.ended().await;
        eprintln!("{plan:?}: cut after {elapsed:?}, peak growth {grown} bytes; {ended:?}");
        assert_bounded(&ended, grown);
    }
}

/// What the server wrote is the limit and what sockets buffer, never the endless body; what the
/// call held at its peak is within a few times the limit.
fn assert_bounded(ended: &Ended, grown: usize) {
    assert!(ended.closed_by_client, "{ended:?}");
    assert!(ended.written < LIMIT + 8 * 1024 * 1024, "{ended:?}");
    assert!(grown < 4 * LIMIT as usize, "peak growth {grown} bytes");
}

/// (d) A body that drips one byte a second: the attempt's timeout covers the body, so the call
/// ends with the timeout error, as an answer that never came would.
#[tokio::test]
async fn a_dripping_body_times_out_within_the_request_timeout() {
    let _serial = SERIAL.lock().await;
    let mut server = Server::start(Plan::Drip { declared: 100 }).await;
    let timeout = Duration::from_secs(2);
    let client = server.client(timeout);
    let started = Instant::now();
    let result = client
        .send(&AccountsGetRequest::new("access-sandbox-1"))
        .await;
    let elapsed = started.elapsed();
    match result {
        Err(Error::Timeout {
            phase: TimeoutPhase::Response,
            timeout: Some(t),
            ..
        }) => assert_eq!(t, timeout),
        other => panic!("expected a response timeout, got {other:?}"),
    }
    eprintln!("dripping body: timed out after {elapsed:?}");
    assert!(elapsed < timeout + Duration::from_secs(5), "{elapsed:?}");
    drop(client);
    let ended = server.ended().await;
    // The head and some of the body had come: the time ran out while reading the body.
    assert!(ended.closed_by_client, "{ended:?}");
    assert!(ended.written > 0, "{ended:?}");
}

/// (d) The same timeout on a write without an idempotency key: Plaid may have performed it, so
/// it is not sent again, whatever the policy says.
#[tokio::test]
async fn a_body_timeout_on_an_unkeyed_write_is_not_retried() {
    let _serial = SERIAL.lock().await;
    let server = Server::start(Plan::Drip { declared: 100 }).await;
    let base = format!("http://{}", server.addr);
    let client = PlaidClient::builder(Environment::Custom(base), "client-id-1234", "secret-5678")
        .request_timeout(Duration::from_secs(1))
        .retry_policy(RetryEverything)
        .build()
        .unwrap();
    let e = client
        .send(&ItemRemoveRequest::new("access-sandbox-1"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    assert!(e.is_transient() && !e.is_retryable(), "{e:?}");
    assert_eq!(server.requests(), 1);
}

/// (e) An answer over the limit is never sent for again: not a 503 (which a policy would
/// retry), not with a policy that retries everything, not for a read-only operation.
#[tokio::test]
async fn an_answer_over_the_limit_is_not_retried() {
    let _serial = SERIAL.lock().await;
    for plan in [
        Plan::Chunked {
            status: 503,
            lie: None,
        },
        Plan::Declared {
            status: 503,
            declared: HUGE,
        },
    ] {
        let server = Server::start(plan).await;
        let base = format!("http://{}", server.addr);
        let client =
            PlaidClient::builder(Environment::Custom(base), "client-id-1234", "secret-5678")
                .max_response_bytes(LIMIT)
                .retry_policy(RetryEverything)
                .build()
                .unwrap();
        let result = client
            .send(&AccountsGetRequest::new("access-sandbox-1"))
            .await;
        let (status, _, _) = too_large(result);
        assert_eq!(status, 503);
        assert_eq!(server.requests(), 1, "{plan:?}");
    }
}

/// Downloads are bounded by the same limit: a file of exactly the limit comes back whole, one
/// byte more is refused, declared or counted; one request can raise the limit.
#[tokio::test]
async fn downloads_are_bounded_by_the_same_limit() {
    let _serial = SERIAL.lock().await;
    let request = AssetReportPdfGetRequest::new("assets-sandbox-1");
    for chunked in [false, true] {
        let server = Server::start(Plan::Exactly {
            len: LIMIT,
            chunked,
        })
        .await;
        let pdf = server
            .client(Duration::from_secs(20))
            .download(&request)
            .await
            .unwrap();
        assert_eq!(pdf.data.len() as u64, LIMIT);
        let server = Server::start(Plan::Exactly {
            len: LIMIT + 1,
            chunked,
        })
        .await;
        let client = server.client(Duration::from_secs(20));
        let (_, limit, declared) = too_large(client.download(&request).await);
        assert_eq!(limit, LIMIT);
        assert_eq!(declared, (!chunked).then_some(LIMIT + 1));
        let raised = client.customize().max_response_bytes(LIMIT + 1);
        assert_eq!(
            raised.download(&request).await.unwrap().data.len() as u64,
            LIMIT + 1
        );
    }
}

/// The error says what happened and nothing of the body or the credentials.
#[tokio::test]
async fn the_error_shows_no_secret_and_no_body() {
    let _serial = SERIAL.lock().await;
    let server = Server::start(Plan::Chunked {
        status: 200,
        lie: None,
    })
    .await;
    let e = server
        .client(Duration::from_secs(20))
        .send(&AccountsGetRequest::new("access-sandbox-1"))
        .await
        .unwrap_err();
    let shown = format!("{e} {e:?}");
    assert_eq!(
        e.to_string(),
        "accountsGet: the HTTP 200 response is larger than the limit of 1048576 bytes"
    );
    for secret in ["client-id-1234", "secret-5678", "access-sandbox-1", "    "] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}
