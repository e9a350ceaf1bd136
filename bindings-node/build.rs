//! Link flags for a Node addon (napi symbols are resolved by the host at load time).
fn main() {
    napi_build::setup();
}
