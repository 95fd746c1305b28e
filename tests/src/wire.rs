//! A real `HttpServer` on a loopback port, and a plain HTTP/1.1 client over a socket, for tests
//! that must see exactly what goes over the wire.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;

/// A response as read from the socket.
#[derive(Debug)]
pub struct WireResponse {
    /// The status code.
    pub status: u16,
    /// Header names (lowercase) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl WireResponse {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `method path` with `headers` to `addr` (one request, `Connection: close`) and reads
/// the whole response. Blocking: call it from `spawn_blocking`.
pub fn send(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> WireResponse {
    send_to(addr, "api.test", method, path, headers)
}

/// Like [`send`], with `Host: host`.
pub fn send_to(
    addr: SocketAddr,
    host: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> WireResponse {
    let mut stream = request(None, addr, host, method, path, headers, true);
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the response");
    parse(&raw)
}

/// Like [`send`], from the loopback address `source` (any of `127.0.0.0/8` on Linux): a client
/// the server tells apart from others by its IP address.
pub fn send_from(
    source: IpAddr,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> WireResponse {
    let mut stream = request(Some(source), addr, "api.test", method, path, headers, true);
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the response");
    parse(&raw)
}

/// Like [`send`], for a request that may switch protocols (it brings its own `Connection`
/// header): reads the response head only.
pub fn send_until_head(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> WireResponse {
    let mut stream = request(None, addr, "api.test", method, path, headers, false);
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") && raw.len() < 64 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => raw.push(byte[0]),
            _ => break,
        }
    }
    parse(&raw)
}

fn request(
    source: Option<IpAddr>,
    addr: SocketAddr,
    host: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    close: bool,
) -> TcpStream {
    let mut stream = match source {
        None => TcpStream::connect(addr).expect("connect to the test server"),
        Some(source) => {
            use socket2::{Domain, Protocol, Socket, Type};
            let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
                .expect("a socket");
            socket
                .bind(&SocketAddr::new(source, 0).into())
                .expect("bind the client's address");
            socket
                .connect(&addr.into())
                .expect("connect to the test server");
            TcpStream::from(socket)
        }
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n");
    if close {
        request.push_str("Connection: close\r\n");
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if method != "GET" {
        request.push_str("Content-Length: 0\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    stream
}

fn parse(raw: &[u8]) -> WireResponse {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text.as_ref(), ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    WireResponse {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// Starts a real `HttpServer` with one worker on a free loopback port (inside the running actix
/// system), and returns its address and a handle to stop it.
pub fn serve<F, I, S, B>(factory: F) -> (SocketAddr, actix_web::dev::ServerHandle)
where
    F: Fn() -> I + Send + Clone + 'static,
    I: actix_service::IntoServiceFactory<S, actix_http::Request>,
    S: actix_service::ServiceFactory<actix_http::Request, Config = actix_web::dev::AppConfig>
        + 'static,
    S::Error: Into<actix_web::Error> + 'static,
    S::InitError: std::fmt::Debug,
    S::Response: Into<actix_http::Response<B>> + 'static,
    <S::Service as actix_service::Service<actix_http::Request>>::Future: 'static,
    S::Service: 'static,
    B: actix_web::body::MessageBody + 'static,
{
    serve_on_workers(1, factory)
}

/// Like [`serve`], with `workers` workers (what one worker changes must reach them all).
pub fn serve_on_workers<F, I, S, B>(
    workers: usize,
    factory: F,
) -> (SocketAddr, actix_web::dev::ServerHandle)
where
    F: Fn() -> I + Send + Clone + 'static,
    I: actix_service::IntoServiceFactory<S, actix_http::Request>,
    S: actix_service::ServiceFactory<actix_http::Request, Config = actix_web::dev::AppConfig>
        + 'static,
    S::Error: Into<actix_web::Error> + 'static,
    S::InitError: std::fmt::Debug,
    S::Response: Into<actix_http::Response<B>> + 'static,
    <S::Service as actix_service::Service<actix_http::Request>>::Future: 'static,
    S::Service: 'static,
    B: actix_web::body::MessageBody + 'static,
{
    let server = actix_web::HttpServer::new(factory)
        .workers(workers)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .expect("bind a loopback port");
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (addr, handle)
}
