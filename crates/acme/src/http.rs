//! The HTTP client the ACME exchange runs on: rustls with aws-lc-rs and the roots picert
//! chooses (Mozilla's, plus any the caller trusts for a lab CA or a test server), a timeout
//! on every exchange (body included), and a bounded number of retries, with backoff, when the
//! network fails before an answer arrives.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Request;
use http_body_util::BodyExt;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use instant_acme::{BodyWrapper, BytesResponse, Error, HttpClient};
use rustls_pki_types::CertificateDer;

/// Attempts per request when the network fails (a refused connection, a reset, a timeout).
pub(crate) const ATTEMPTS: u32 = 3;

/// Why an exchange failed, for [`crate::AcmeError`] to word.
#[derive(Debug)]
pub(crate) enum HttpFailure {
    /// No answer after every attempt.
    Unreachable {
        host: String,
        attempts: u32,
        why: String,
    },
    /// The server's TLS certificate is not trusted: not retried.
    Untrusted { host: String, why: String },
}

impl std::fmt::Display for HttpFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpFailure::Unreachable {
                host,
                attempts,
                why,
            } => write!(
                f,
                "cannot reach the ACME server {host} ({attempts} attempts): {why}"
            ),
            HttpFailure::Untrusted { host, why } => write!(
                f,
                "the ACME server {host} presented a TLS certificate picert does not trust: {why}"
            ),
        }
    }
}

impl std::error::Error for HttpFailure {}

/// The rustls certificate error in an error's causes, if any. An io::Error's source() skips
/// the error it wraps (and hyper-rustls wraps rustls' io::Error in another), so wrapped errors
/// are looked into as well as sources.
fn certificate_error(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(rustls::Error::InvalidCertificate(why)) = e.downcast_ref::<rustls::Error>() {
        return Some(format!("{why:?}"));
    }
    let wrapped = e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        .map(|inner| inner as &(dyn std::error::Error + 'static));
    wrapped
        .and_then(certificate_error)
        .or_else(|| e.source().and_then(certificate_error))
}

pub(crate) struct AcmeHttp {
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, BodyWrapper<Bytes>>,
    timeout: Duration,
}

impl AcmeHttp {
    /// A client trusting Mozilla's roots and `extra_roots`, each exchange bounded by `timeout`.
    pub(crate) fn new(
        extra_roots: &[CertificateDer<'static>],
        timeout: Duration,
    ) -> Result<AcmeHttp, String> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for (i, root) in extra_roots.iter().enumerate() {
            roots
                .add(root.clone())
                .map_err(|e| format!("certificate {} cannot be trusted: {e}", i + 1))?;
        }
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_connect_timeout(Some(timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_only()
            .enable_http1()
            .enable_http2()
            .wrap_connector(tcp);
        Ok(AcmeHttp {
            client: Client::builder(TokioExecutor::new()).build(https),
            timeout,
        })
    }
}

/// The request again, for another attempt (the body is held as bytes).
fn rebuild(parts: &http::request::Parts, body: &Bytes) -> Request<BodyWrapper<Bytes>> {
    let mut request = Request::builder()
        .method(parts.method.clone())
        .uri(parts.uri.clone())
        .version(parts.version)
        .body(BodyWrapper::from(body.to_vec()))
        .expect("the parts of a request that was built once");
    *request.headers_mut() = parts.headers.clone();
    request
}

impl HttpClient for AcmeHttp {
    fn request(
        &self,
        request: Request<BodyWrapper<Bytes>>,
    ) -> Pin<Box<dyn Future<Output = Result<BytesResponse, Error>> + Send>> {
        let client = self.client.clone();
        let timeout = self.timeout;
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let body = body
                .collect()
                .await
                .map_err(|e| Error::Other(Box::new(e)))?
                .to_bytes();
            let mut last = None;
            let mut made = 0;
            for attempt in 0..ATTEMPTS {
                made = attempt + 1;
                if attempt > 0 {
                    tokio::time::sleep(Duration::from_secs(1 << (attempt - 1))).await;
                }
                let exchange = async {
                    let response = client.request(rebuild(&parts, &body)).await.map_err(|e| {
                        match certificate_error(&e) {
                            Some(why) => Error::Other(Box::new(HttpFailure::Untrusted {
                                host: host_of(&parts),
                                why,
                            })),
                            None => Error::Other(Box::new(e)),
                        }
                    })?;
                    let (head, incoming) = response.into_parts();
                    let bytes = incoming
                        .collect()
                        .await
                        .map_err(|e| Error::Other(Box::new(e)))?
                        .to_bytes();
                    let bytes = with_retry_after(&head, bytes);
                    Ok::<_, Error>(BytesResponse {
                        parts: head,
                        body: Box::new(bytes),
                    })
                };
                match tokio::time::timeout(timeout, exchange).await {
                    Ok(Ok(response)) => return Ok(response),
                    Ok(Err(Error::Other(inner))) if inner.is::<HttpFailure>() => {
                        return Err(Error::Other(inner))
                    }
                    Ok(Err(e)) => last = Some(causes(&e)),
                    Err(_) => {
                        last = Some(format!("no answer within {}s", timeout.as_secs().max(1)))
                    }
                }
            }
            Err(Error::Other(Box::new(HttpFailure::Unreachable {
                host: host_of(&parts),
                attempts: made,
                why: last.unwrap_or_else(|| "no attempt was made".into()),
            })))
        })
    }
}

/// A rate-limit answer (429) carries the time to retry in its Retry-After header, which the
/// problem document reaching the caller does not keep: the header is added to the document's
/// detail, unless the detail already gives a time to retry.
fn with_retry_after(head: &http::response::Parts, body: Bytes) -> Bytes {
    if head.status != http::StatusCode::TOO_MANY_REQUESTS {
        return body;
    }
    let Some(after) = head
        .headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
    else {
        return body;
    };
    let Ok(serde_json::Value::Object(mut problem)) = serde_json::from_slice(&body) else {
        return body;
    };
    let detail = problem
        .get("detail")
        .and_then(|d| d.as_str())
        .unwrap_or_default()
        .to_string();
    if detail.to_ascii_lowercase().contains("retry after") {
        return body;
    }
    let when = match after.parse::<i64>() {
        Ok(seconds) => format!(
            "retry after {} ({seconds} s)",
            picert_core::Timestamp::now().plus_seconds(seconds)
        ),
        Err(_) => format!("retry after {after}"),
    };
    let detail = if detail.is_empty() {
        when
    } else {
        format!("{detail}; {when}")
    };
    problem.insert("detail".into(), detail.into());
    serde_json::to_vec(&problem)
        .map(Bytes::from)
        .unwrap_or(body)
}

/// An error and its causes, as one line ("client error (Connect): invalid peer certificate:
/// UnknownIssuer"): hyper's own message alone says only which step failed.
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        let line = inner.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = inner.source();
    }
    text
}

/// The server a request goes to, as host and port.
fn host_of(parts: &http::request::Parts) -> String {
    parts
        .uri
        .authority()
        .map(|a| a.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(status: u16, retry_after: Option<&str>) -> http::response::Parts {
        let mut b = http::Response::builder().status(status);
        if let Some(v) = retry_after {
            b = b.header("Retry-After", v);
        }
        b.body(()).unwrap().into_parts().0
    }

    fn detail(body: &Bytes) -> String {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        v["detail"].as_str().unwrap().to_string()
    }

    #[test]
    fn rate_limits_say_when_to_retry() {
        let problem = Bytes::from_static(
            br#"{"type":"urn:ietf:params:acme:error:rateLimited","detail":"too many new orders"}"#,
        );
        let d = detail(&with_retry_after(&head(429, Some("3600")), problem.clone()));
        assert!(
            d.starts_with("too many new orders; retry after ") && d.ends_with("(3600 s)"),
            "{d}"
        );
        let d = detail(&with_retry_after(
            &head(429, Some("Wed, 02 Dec 2026 10:00:00 GMT")),
            problem.clone(),
        ));
        assert_eq!(
            d,
            "too many new orders; retry after Wed, 02 Dec 2026 10:00:00 GMT"
        );
        // Other answers, a detail that already says when, and no header: unchanged.
        assert_eq!(
            with_retry_after(&head(400, Some("60")), problem.clone()),
            problem
        );
        assert_eq!(with_retry_after(&head(429, None), problem.clone()), problem);
        let says =
            Bytes::from_static(br#"{"detail":"limit hit, retry after 2026-12-02 10:00 UTC"}"#);
        assert_eq!(with_retry_after(&head(429, Some("60")), says.clone()), says);
        let not_json = Bytes::from_static(b"<html>busy</html>");
        assert_eq!(
            with_retry_after(&head(429, Some("60")), not_json.clone()),
            not_json
        );
    }
}
