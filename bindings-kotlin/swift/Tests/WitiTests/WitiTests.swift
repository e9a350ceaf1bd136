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

    /// `call`'s JSON crosses as its text (`Json` is `String`): a body nested deeper than the
    /// core allows is refused before any request, never a stack overflow.
    func testCallRefusesADeepBody() async throws {
        let client = try Client(options: ClientOptions(apiKey: "test-key", baseUrl: "http://127.0.0.1:1/"))
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        do {
            _ = try await client.call(command: "mark_read.aspx", body: deep)
            XCTFail("no error")
        } catch WitiError.InvalidArgument {
        }
    }

    /// The printed form of a result hides what the core lists (here the file's URL, which
    /// carries the instance's WebID, and the raw JSON).
    func testSentMessageHidesItsUrl() {
        let sent = SentMessage(id: "ABC", url: "https://api.witi.me/static/WEB-ID/media/ABC", jpegThumbnail: nil, rawJson: "{\"WebID\":\"WEB-ID\"}")
        XCTAssertFalse(sent.description.contains("WEB-ID"))
        XCTAssertTrue(hiddenFields().contains { $0.typeName == "SentMessage" && $0.fields.contains("url") })
    }

    /// Sending refuses a file given by none of url, data and path before any request.
    func testSendFileWantsOneSource() async throws {
        let client = try Client(options: ClientOptions(apiKey: "test-key", baseUrl: "http://127.0.0.1:1/"))
        do {
            _ = try await client.sendFile(to: "5511987654321", mimeType: "image/jpeg")
            XCTFail("no error")
        } catch WitiError.InvalidArgument {
        }
    }
}
