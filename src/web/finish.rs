//! What every response gets on its way out, in one layer: the security
//! headers ([`super::SECURITY_HEADERS`], with [`super::DATA_POLICY`] for
//! JSON), an error under `/api/` turned into
//! the API's JSON shape when it is not JSON already ([`super::error::json_errors`]),
//! and a line in the log for a server error.
//!
//! One typed layer rather than `from_fn` and four header layers: `from_fn`
//! boxed a future and cloned the router's service on every request, and
//! each header layer wrapped the answer again. With this layer (and
//! request tracing only at DEBUG) `/health` went from 80k to 107k req/s
//! on the benchmark machine (docs/benchmarks.md, issue 23, session 14).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use tower::{Layer, Service};

use super::{DATA_POLICY, SECURITY_HEADERS};

/// The layer; see the module's documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct FinishLayer;

impl<S> Layer<S> for FinishLayer {
    type Service = Finish<S>;

    fn layer(&self, inner: S) -> Finish<S> {
        Finish { inner }
    }
}

/// The service [`FinishLayer`] wraps around the router.
#[derive(Debug, Clone)]
pub struct Finish<S> {
    inner: S,
}

impl<S> Service<Request> for Finish<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Finishing<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let api = req.uri().path().starts_with("/api/");
        Finishing {
            inner: self.inner.call(req),
            api,
        }
    }
}

pin_project_lite::pin_project! {
    /// The inner answer, finished when it is ready.
    pub struct Finishing<F> {
        #[pin]
        inner: F,
        api: bool,
    }
}

impl<F> Future for Finishing<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Ok(resp) = ready!(this.inner.poll(cx));
        Poll::Ready(Ok(finish(resp, *this.api)))
    }
}

fn finish(resp: Response, api: bool) -> Response {
    let status = resp.status();
    if status.is_server_error() {
        tracing::error!(status = status.as_u16(), "response failed");
    }
    let mut resp = if api && (status.is_client_error() || status.is_server_error()) {
        super::error::json_errors(resp)
    } else {
        resp
    };
    let headers = resp.headers_mut();
    let json = headers
        .get(CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
    for (name, value) in SECURITY_HEADERS {
        let value = if json && name == "content-security-policy" {
            DATA_POLICY
        } else {
            value
        };
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    resp
}
