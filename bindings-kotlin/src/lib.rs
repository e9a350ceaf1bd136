//! Kotlin and Swift bindings: filled in by issue 5.
