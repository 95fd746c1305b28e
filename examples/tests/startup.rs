//! A real `HttpServer` (a subprocess, as users run it) refuses to start when a handler names a
//! policy the `Cors` middleware does not register: it exits with an error status and says why.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_unregistered_policy");

/// Waits for `child` to exit, at most `limit`; kills it and returns `None` if it does not.
fn wait_at_most(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn server_with_an_unregistered_policy_name_refuses_to_start() {
    let mut child = Command::new(BIN)
        .env_remove("REGISTER_PARTNERS")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server binary");
    let status = wait_at_most(&mut child, Duration::from_secs(30))
        .expect("the server kept running: it must refuse to start");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("piped stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    assert!(!status.success(), "exit status {status}; stderr: {stderr}");
    assert_eq!(status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains(
            r#"cors-actix: refusing to start: handler `partners` uses `policy = "partners"`; register it with `Cors::new().policy("name", policy)`"#
        ),
        "{stderr}"
    );
    assert!(stderr.contains("Can not start server service"), "{stderr}");
}

#[test]
fn server_with_the_policy_registered_starts_and_serves() {
    let mut child = Command::new(BIN)
        .env("REGISTER_PARTNERS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server binary");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("read the address");
    let result = std::panic::catch_unwind(|| {
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        stream
            .write_all(
                b"GET /partners HTTP/1.1\r\nHost: localhost\r\nOrigin: https://acme.partner.example\r\nConnection: close\r\n\r\n",
            )
            .expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("receive");
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(
            response
                .to_ascii_lowercase()
                .contains("access-control-allow-origin: https://acme.partner.example"),
            "{response}"
        );
    });
    let still_running = matches!(child.try_wait(), Ok(None));
    let _ = child.kill();
    let _ = child.wait();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
    assert!(still_running, "the server must keep running");
}
