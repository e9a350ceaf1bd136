// The key never appears in any text the Kotlin surface produces: exception messages,
// toString(), stack traces, fields, and the toString() of the options and the client.
package me.witi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.time.Duration

class RedactionTest {
    private val key = "SECRET-kt-${java.util.UUID.randomUUID()}"

    private fun assertNoKey(vararg texts: String) {
        for (text in texts) assertFalse(text.contains(key), "the key leaked: $text")
    }

    private fun assertNoKey(e: WitiException) =
        assertNoKey(e.message.orEmpty(), e.toString(), e.stackTraceToString(), Tree.of(e).toString())

    @Test
    fun `options and client never print the key`() {
        val options = ClientOptions(apiKey = key, baseUrl = Sim.url)
        assertNoKey(options.toString())
        assertEquals(
            "ClientOptions(apiKey=<redacted>, baseUrl=\"${Sim.url}\", timeout=null, maxRetries=null, initialBackoff=null, " +
                "maxConnections=null, proxy=null)",
            options.toString(),
        )
        Client(options).use { client ->
            assertNoKey(client.toString())
            assertTrue(client.toString().contains(Sim.url.removeSuffix("/")), client.toString())
        }
    }

    @Test
    fun `an event and its status never print the WebID, which may be the key`() {
        val body = "[{\"status\":10,\"statusString\":\"authenticated\",\"connected\":true," +
            "\"WebID\":\"$key\",\"Webhook\":\"https://erp.example/h?t=1&wid=$key\"," +
            "\"storage\":{\"Name\":\"$key\",\"Bytes\":5,\"Files\":1}},{\"a\":1}]"
        val events = decodePostback(body.toByteArray(), key)
        val status = events[0].status!!
        assertEquals(key, events[0].wid)
        assertEquals(key, status.webId)
        assertEquals(key, status.storage!!.name)
        for (event in events) assertNoKey(event.toString(), "$event", listOf(event).toString())
        assertNoKey(status.toString())
        assertTrue(events[0].toString().startsWith("Event(kind=STATUS, json=<"), events[0].toString())
        assertTrue(status.toString().contains("webId=<redacted>, webhook=<redacted>"), status.toString())
        val session = SessionResult(success = true, status = status, rawJson = "{\"Status\":\"{\\\"WebID\\\":\\\"$key\\\"}\"}")
        assertNoKey(session.toString())
    }

    @Test
    fun `no error of any kind carries the key`() = runBlocking {
        val faults = listOf(
            mapOf("kind" to "http_status", "status" to 500, "body" to "{\"status\":0,\"error\":\"bad wid=$key\"}"),
            mapOf("kind" to "http_status", "status" to 401),
            mapOf("kind" to "http_status", "status" to 429, "retry_after" to "60"),
            mapOf("kind" to "html", "body" to "<html>oops $key</html>"),
            mapOf("kind" to "empty"),
            mapOf("kind" to "truncated"),
            mapOf("kind" to "reset"),
            mapOf("kind" to "stall", "stall_ms" to 2000),
        )
        val codes = mutableListOf<String>()
        Client(ClientOptions(apiKey = key, baseUrl = Sim.url, timeout = Duration.ofMillis(300), maxRetries = 0u)).use { client ->
            for (fault in faults) {
                Sim.control("POST", "faults", fault + mapOf("key" to key, "command" to "status.aspx", "count" to 1))
                val e = runCatching { client.status() }.exceptionOrNull()
                assertTrue(e is WitiException, "fault $fault gave $e")
                assertNoKey(e as WitiException)
                assertEquals(e.detail, e.toString(), "toString() is the core's text")
                assertTrue(e.message.orEmpty().startsWith("code=${e.code}, detail="), e.message)
                codes += e.code
            }
        }
        assertEquals(listOf("http_status", "auth", "rate_limited", "decode", "decode", "decode", "connection", "timeout"), codes)
        // A server that refuses the connection, and an API error echoing the key.
        Client(ClientOptions(apiKey = key, baseUrl = "http://127.0.0.1:1/", maxRetries = 0u)).use { client ->
            val e = runCatching { client.status() }.exceptionOrNull() as WitiException.Connection
            assertNoKey(e)
        }
        val bad = runCatching { Client(ClientOptions(apiKey = key, baseUrl = "http://h/?wid=$key")) }.exceptionOrNull()
        assertTrue(bad is WitiException.InvalidArgument, "$bad")
        assertNoKey(bad as WitiException)
    }
}
