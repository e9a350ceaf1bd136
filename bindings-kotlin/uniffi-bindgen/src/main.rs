//! The uniffi bindgen binary, built from the same uniffi version as the library so the
//! generated Kotlin and Swift always match the scaffolding inside `libwiti_uniffi`.
//!
//! `cargo run -p uniffi-bindgen -- generate --library target/debug/libwiti_uniffi.so -l kotlin --out-dir ...`

fn main() {
    uniffi::uniffi_bindgen_main()
}
