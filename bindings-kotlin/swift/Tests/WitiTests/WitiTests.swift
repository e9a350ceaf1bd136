// The Swift package as a user gets it: the generated Swift over WitiFFI.xcframework. These run on
// a Mac only (the release workflow's `swift test`); the Swift sources themselves are checked
// current on Linux by scripts/test-kotlin.sh.
import Foundation
import XCTest
import Witi

final class WitiTests: XCTestCase {
    /// A client is made in Rust and handed back: the library loaded and its checksums match.
    func testClientIsMadeByTheLibrary() throws {
        XCTAssertNoThrow(try Client(options: ClientOptions(apiKey: "test-key")))
    }

    /// A body that is no postback is refused with an error from the core, not a crash.
    func testDecodePostbackRefusesGarbage() {
        XCTAssertThrowsError(try decodePostback(body: Data("BULK,[1".utf8)))
    }

    /// A JSON postback crosses the FFI and comes back as one event.
    func testDecodePostbackOfOneJsonObject() throws {
        XCTAssertEqual(try decodePostback(body: Data("{\"a\":1}".utf8)).count, 1)
    }
}
