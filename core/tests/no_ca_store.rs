//! A machine without CA certificates (a bare container) can still use http:// (the simulator,
//! a gateway on the LAN): building a client must not fail because no CA store loads. Its own
//! test binary, because the TLS configuration is built once per process.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_works_without_a_ca_store() {
    // The simulator first: its own PostBack client wants a CA store.
    let sim = witi_sim::Simulator::start_default()
        .await
        .expect("the simulator starts");
    // The platform verifier reads these on Linux; pointing them nowhere is "no CA store".
    // SAFETY: nothing else in this test binary reads the environment concurrently (the
    // simulator is idle; witi reads it only when a client is built, below).
    unsafe {
        std::env::set_var("SSL_CERT_FILE", "/nonexistent/witi-no-ca.pem");
        std::env::set_var("SSL_CERT_DIR", "/nonexistent/witi-no-ca");
    }
    let client = witi::Client::builder()
        .api_key("no-ca-SECRET")
        .base_url(sim.url())
        .build()
        .expect("a client builds without a CA store");
    let status = client.status().await.expect("http:// works");
    assert_eq!(status.code, witi::StatusCode::NoConnection);

    // https:// then fails when it is used, as a connection error, not at build time.
    let tls = witi::Client::builder()
        .api_key("no-ca-SECRET")
        .base_url("https://127.0.0.1:9/")
        .max_retries(0)
        .build()
        .expect("an https client builds too");
    let e = tls.status().await.expect_err("nothing listens on port 9");
    assert_eq!(e.code().as_str(), "connection", "{e}");
    sim.shutdown().await;
}
