//! How the kit's requests reach the app: an `actix_web::test` service, or a real server over a
//! socket. Both take a [`Sent`] and give a [`Got`].

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::test::TestRequest;

/// A request as the browser sends it.
pub(crate) struct Sent {
    pub(crate) method: String,
    /// `scheme://host[:port]`.
    pub(crate) origin: String,
    /// Path and query.
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Sent {
    /// The `Host` header: the origin's authority.
    fn host(&self) -> &str {
        self.origin
            .split_once("://")
            .map_or(self.origin.as_str(), |(_, authority)| authority)
    }
}

/// A response as the browser receives it (lowercase header names).
pub(crate) struct Got {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Got {
    /// Every value of header `name`.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of header `name`.
    pub(crate) fn first(&self, name: &str) -> Option<&str> {
        self.all(name).into_iter().next()
    }
}

/// Sends `sent` to an `actix_web::test` service.
pub(crate) async fn to_service<S, B>(app: &S, sent: Sent) -> Got
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let mut req = TestRequest::default().uri(&sent.path);
    if let Ok(method) = sent.method.parse() {
        req = req.method(method);
    }
    req = req.insert_header(("Host", sent.host()));
    for (name, value) in &sent.headers {
        req = req.append_header((name.as_str(), value.as_str()));
    }
    let req = req.set_payload(sent.body).to_request();
    match app.call(req).await {
        Ok(res) => got(res.into_parts().1).await,
        // An error is answered as actix-web answers it: with its response.
        Err(err) => got(err.error_response()).await,
    }
}

/// What the browser receives of `res`.
async fn got<B: MessageBody>(res: actix_web::HttpResponse<B>) -> Got {
    Got {
        status: res.status().as_u16(),
        headers: lowercase(res.headers()),
        body: actix_web::body::to_bytes(res.into_body())
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default(),
    }
}

fn lowercase(headers: &actix_web::http::header::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// Sends `sent` to a real server at `addr` (the origin's host goes in `Host`), on a thread of
/// the runtime's blocking pool.
///
/// A dependency-free HTTP/1.1 client (one request per connection, `Connection: close`,
/// `Content-Length` and chunked bodies) rather than `awc`: `awc` needs actix's runtime, and the
/// kit must also run where a browser test drives a plain Tokio runtime; it adds no dependency.
pub(crate) async fn to_server(addr: SocketAddr, sent: Sent) -> Got {
    actix_web::rt::task::spawn_blocking(move || exchange(addr, &sent))
        .await
        .unwrap_or_else(|_| failed("the request thread panicked"))
}

/// What a failed exchange gives: a status 0, which no check passes.
fn failed(why: &str) -> Got {
    Got {
        status: 0,
        headers: vec![("x-test-kit-error".into(), why.into())],
        body: Vec::new(),
    }
}

fn exchange(addr: SocketAddr, sent: &Sent) -> Got {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(10)) else {
        return failed("could not connect");
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        sent.method,
        sent.path,
        sent.host(),
        sent.body.len()
    );
    for (name, value) in &sent.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    if stream.write_all(head.as_bytes()).is_err() || stream.write_all(&sent.body).is_err() {
        return failed("could not send");
    }
    let mut raw = Vec::new();
    if stream.read_to_end(&mut raw).is_err() && raw.is_empty() {
        return failed("could not read");
    }
    parse(&raw).unwrap_or_else(|| failed("not an HTTP response"))
}

fn parse(raw: &[u8]) -> Option<Got> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let rest = &raw[split + 4..];
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        dechunk(rest)?
    } else {
        rest.to_vec()
    };
    Some(Got {
        status,
        headers,
        body,
    })
}

fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&rest[..line_end]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn chunked_and_plain_responses_parse() {
        let got = super::parse(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap();
        assert_eq!((got.status, got.body.as_slice()), (200, &b"abcde"[..]));
        let got = super::parse(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\nX-A: 1\r\n\r\nno")
            .unwrap();
        assert_eq!(
            (got.status, got.first("x-a"), got.body.as_slice()),
            (403, Some("1"), &b"no"[..])
        );
        assert!(super::parse(b"garbage").is_none());
    }
}
