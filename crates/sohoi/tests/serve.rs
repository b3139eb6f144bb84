//! `sohoi serve`: the real binary on a free port answers its health check and sign-in
//! page, and stops gracefully on SIGTERM.

mod helpers;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use helpers::TestDb;

fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}

#[tokio::test]
async fn the_server_answers_and_stops_gracefully() {
    let db = TestDb::new().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sohoi"))
        .args(["--db", &db.url, "serve", "--addr", "127.0.0.1:0"])
        .env("SOHOI_LANG", "en")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read the address");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("the address is printed")
        .to_string();
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();

    let health = get(&addr, "/health");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"status\":\"ok\""), "{health}");

    // Union data needs a session: the page sends a stranger to sign in.
    let page = get(&addr, "/units/01");
    assert!(page.starts_with("HTTP/1.1 303"), "{page}");
    assert!(
        page.to_ascii_lowercase().contains("location: /signin"),
        "{page}"
    );
    let signin = get(&addr, "/signin");
    assert!(
        signin.starts_with("HTTP/1.1 200") && signin.contains("Sign in to Sổ Hội"),
        "{signin}"
    );
    assert!(
        signin
            .to_ascii_lowercase()
            .contains("content-security-policy")
    );

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let status = child.wait().expect("wait");
    assert!(status.success(), "graceful exit after SIGTERM: {status:?}");
}
