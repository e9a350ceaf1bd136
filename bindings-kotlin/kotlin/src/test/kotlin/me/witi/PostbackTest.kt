// decodePostback's events (Witi.kt): the events cross once per body as texts and each status
// is built on first read. They must look and behave exactly as the data class they were:
// the same status a full decode gives, equals/hashCode/toString/copy, the hidden fields
// hidden, and errors of the same types.
package me.witi

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertSame
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.io.ByteArrayOutputStream
import java.io.File
import java.util.Base64
import java.util.zip.DeflaterOutputStream

class PostbackTest {
    private val key = "K3y-SECRET-${java.util.UUID.randomUUID()}"

    /** The seed document's status event (tests/fixtures/postback/status_event.json). */
    private val statusEvent = File(Sim.repo, "tests/fixtures/postback/status_event.json").readText()
    private val keyed = "{\"status\":10,\"statusString\":\"WhatsAppAuthenticated\",\"connected\":true," +
        "\"WebID\":\"$key\",\"Webhook\":\"http://h/?wid=$key\",\"storage\":{\"Name\":\"$key\",\"Bytes\":1,\"Files\":2}}"
    private val other = "{\"type\":\"message\",\"text\":\"olá\"}"

    private fun b64(text: String) = Base64.getEncoder().encodeToString(text.toByteArray())
    private fun bulk(vararg texts: String) = "BULK,[${texts.joinToString(",") { "\"${b64(it)}\"" }}]".toByteArray()
    private fun bulkgz(vararg texts: String): ByteArray {
        val json = "[${texts.joinToString(",") { "\"${b64(it)}\"" }}]".toByteArray()
        val zlib = ByteArrayOutputStream().also { out -> DeflaterOutputStream(out).use { it.write(json) } }.toByteArray()
        return "BULKGZ,".toByteArray() + Base64.getEncoder().encode(zlib)
    }

    /** Every framing, with and without a `wid`. */
    private fun bodies(): List<Pair<ByteArray, String?>> {
        val texts = arrayOf(statusEvent, other, keyed, statusEvent)
        return listOf(null, key).flatMap { wid ->
            listOf(statusEvent.toByteArray(), "[${texts.joinToString(",")}]".toByteArray(), bulk(*texts), bulkgz(*texts))
                .map { it to wid }
        }
    }

    @Test
    fun `each status, built on first read, is the one the core builds from the text`() {
        for ((body, wid) in bodies()) {
            val events = decodePostback(body, wid)
            // The uniffi export of the same decode: the same events, in order.
            val texts = decodePostbackTexts(body, wid)
            assertEquals(events.size, texts[0].length)
            for ((i, event) in events.withIndex()) {
                assertEquals(texts[2 + i], event.json)
                assertEquals(texts[1].substring(32 * i, 32 * i + 32), event.id)
                assertEquals(if (texts[0][i] == 's') EventKind.STATUS else EventKind.UNKNOWN, event.kind)
                assertEquals(wid, event.wid)
                // The status the core builds from the text (core tests: the one a full decode gives).
                val eager = eventStatus(event.json)
                assertEquals(event.kind == EventKind.STATUS, eager != null)
                val status = event.status
                assertEquals(eager, status)
                assertSame(status, event.status, "built once")
                if (status != null) assertEquals(event.json, status.rawJson)
            }
        }
        val status = decodePostback(statusEvent.toByteArray()).single().status!!
        assertEquals(StatusCode.Authenticated, status.code)
        assertEquals("5511987654321@s.whatsapp.net", status.connectionInfo?.wid, "$status")
    }

    @Test
    fun `an unread event equals, hashes and prints as the same event built with its status`() {
        for ((body, wid) in bodies()) {
            val unread = decodePostback(body, wid)
            val read = decodePostback(body, wid).onEach { it.status }
            val built = read.map { Event(it.kind, it.json, eventStatus(it.json), it.wid, it.id) }
            assertEquals(built, unread)
            assertEquals(built.map { it.hashCode() }, decodePostback(body, wid).map { it.hashCode() })
            assertEquals(built.map { it.toString() }, decodePostback(body, wid).map { it.toString() })
            assertEquals(read, unread)
            val (kind, json, status, eventWid, id) = decodePostback(body, wid)[0]
            assertEquals(listOf(kind, json, status, eventWid, id), listOf(built[0].kind, built[0].json, built[0].status, built[0].wid, built[0].id))
        }
    }

    @Test
    fun `copies and changes keep the data class's meaning`() {
        val event = decodePostback(keyed.toByteArray(), key).single()
        val copy = event.copy(id = "another")
        assertEquals("another", copy.id)
        assertEquals(event.status, copy.status)
        // A new text does not change a status not read yet: it was the old text's.
        val changed = decodePostback(keyed.toByteArray(), key).single()
        changed.json = other
        assertEquals(key, changed.status?.webId)
        assertEquals(other, changed.json)
        changed.status = null
        assertNull(changed.status)
        assertFalse(changed == event)
        val plain = Event(EventKind.UNKNOWN, other, null, id = "x")
        assertNull(plain.wid)
        assertEquals(Event(EventKind.UNKNOWN, other, null, null, "x"), plain)
    }

    @Test
    fun `toString never shows the wid or the text, read or not`() {
        val events = decodePostback(bulk(keyed, other), key)
        val unreadText = events[0].toString()
        for (event in events + events.onEach { it.status }) {
            val text = event.toString()
            assertFalse(text.contains(key), text)
            assertFalse(text.contains("olá"), text)
        }
        assertEquals(unreadText, events[0].toString())
        assertTrue(
            unreadText.startsWith("Event(kind=STATUS, json=<${keyed.length} chars>, status=Status(code=Authenticated,"),
            unreadText,
        )
        assertTrue(unreadText.contains("webId=<redacted>, webhook=<redacted>"), unreadText)
        assertTrue(unreadText.endsWith("wid=<redacted>, id=${events[0].id})"), unreadText)
        assertEquals("Event(kind=UNKNOWN, json=<${other.codePointCount(0, other.length)} chars>, status=null, wid=<redacted>, id=${events[1].id})", events[1].toString())
        val noWid = decodePostback(other.toByteArray()).single().toString()
        assertTrue(noWid.contains(", wid=null, "), noWid)
    }

    @Test
    fun `errors keep their types`() {
        for (name in listOf("bomb-100mib.bulkgz")) {
            val e = assertThrows<WitiException.Postback> { decodePostback(File(Sim.repo, "tests/fixtures/postback/$name").readBytes()) }
            assertEquals("postback", e.code)
            assertNotNull(e.detail)
        }
        for (body in listOf("", "[{}, {", "BULK,[\"%%%\"]", "BULKGZ,AAAA")) {
            val e = assertThrows<WitiException.Postback>(body) { decodePostback(body.toByteArray()) }
            assertEquals(e.detail, e.toString())
        }
        // As uniffi lowers any String: a lone surrogate is refused, not replaced.
        assertThrows<java.nio.charset.CharacterCodingException> { decodePostback(other.toByteArray(), "\uD800") }
    }
}
