// The PostBack receiver end to end: the simulator delivers to a WebhookServer in each of the
// three framings (plain JSON, BULK, BULKGZ), and the Kotlin handler sees each event once, in
// order, decoded into records.
package me.witi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.CsvSource
import java.net.ServerSocket
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

class WebhookTest {
    private fun LinkedBlockingQueue<Event>.next(): Event =
        poll(10, TimeUnit.SECONDS) ?: throw AssertionError("no event within 10 s")

    @ParameterizedTest(name = "framing {0}")
    @CsvSource("plain,false,1.0", "BULK,true,1.0", "BULKGZ,true,1.1")
    fun `the simulator's PostBacks reach the handler`(framing: String, bulk: Boolean, version: String) = runBlocking {
        val events = LinkedBlockingQueue<Event>()
        listen("127.0.0.1:0", token = "tok-$framing") { events.add(it) }.use { server ->
            val key = Sim.freshKey("hook-$framing")
            Sim.client(key).use { client ->
                // set_config always sends a status PostBack, in the framing it just set.
                client.setConfig(webhook = "${server.url()}hook?token=tok-$framing", apiVersion = version, apiVersionCanBulk = bulk)
                val snapshot = Sim.control("GET", "instances/$key").second
                assertEquals(bulk, snapshot.get("bulk").asBoolean())
                assertEquals(version, snapshot.get("api_version").asText())

                val first = events.next()
                assertEquals(EventKind.STATUS, first.kind)
                assertEquals(StatusCode.NoConnection, first.status!!.code)
                assertTrue(first.status!!.webhook!!.contains("&wid="))

                // An event this SDK does not know, then a real state change (a QR code).
                val (posted, _) = Sim.control("POST", "instances/$key/postback", mapOf("event" to mapOf("type" to "message", "text" to "olá $framing")))
                assertEquals(200, posted)
                client.generateQrcode()
                val unknown = events.next()
                assertEquals(EventKind.UNKNOWN, unknown.kind)
                assertNull(unknown.status)
                assertTrue(unknown.json.contains("olá $framing"), unknown.json)
                val waiting = events.next()
                assertEquals(StatusCode.WaitForQrAuthentication, waiting.status!!.code)
                assertNull(events.poll(300, TimeUnit.MILLISECONDS), "each event once")
            }
            server.stop()
        }
    }

    @Test
    fun `a throwing handler is reported and the server keeps serving`() = runBlocking {
        val events = LinkedBlockingQueue<Event>()
        val calls = java.util.concurrent.atomic.AtomicInteger()
        listen("127.0.0.1:0") {
            if (calls.incrementAndGet() == 1) throw IllegalStateException("first one fails")
            events.add(it)
        }.use { server ->
            val key = Sim.freshKey("hook-throws")
            Sim.client(key).use { client ->
                client.setConfig(webhook = "${server.url()}hook")
                Sim.control("POST", "instances/$key/postback", mapOf("event" to mapOf("n" to 2)))
                val second = events.next()
                assertTrue(second.json.contains("\"n\""), second.json)
                assertEquals(2, calls.get())
                // Acknowledged, not redelivered: the simulator counts both as delivered.
                val postbacks = Sim.control("GET", "instances/$key").second.get("postbacks")
                assertEquals(0, postbacks.get("failed").asInt())
            }
        }
    }

    @Test
    fun `a throwable whose description throws is reported and the server keeps answering`() {
        val calls = java.util.concurrent.atomic.AtomicInteger()
        val server = listen("127.0.0.1:0") {
            calls.incrementAndGet()
            throw object : RuntimeException() {
                override val message: String get() = error("the message throws too")
            }
        }
        val http = java.net.http.HttpClient.newHttpClient()
        fun post(n: Int) = http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create("${server.url()}hook"))
                .timeout(java.time.Duration.ofSeconds(10))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"n\":$n}")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString(),
        ).statusCode()
        assertEquals(200, post(1))
        assertEquals(200, post(2))
        assertEquals(2, calls.get())
        val stopped = Thread { runBlocking { server.stop() } }.apply { start() }
        stopped.join(10_000)
        assertTrue(!stopped.isAlive, "stop() did not return")
        server.close()
    }

    @Test
    fun `a wrong token is refused and close frees the port`() = runBlocking {
        val server = listen("127.0.0.1:0", token = "right") { throw AssertionError("must not be called") }
        val port = server.port().toInt()
        val http = java.net.http.HttpClient.newHttpClient()
        val request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("${server.url()}hook?token=wrong"))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"status\":0}")).build()
        assertEquals(401, http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode())
        server.close()
        // The port is free again soon after close (drop stops the server without waiting).
        var bound = false
        repeat(50) {
            if (!bound) bound = runCatching { ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress()).close() }.isSuccess
            if (!bound) Thread.sleep(50)
        }
        assertTrue(bound, "port $port still taken after close()")
    }

    @Test
    fun `a bad address is an InvalidArgument`() {
        val e = assertThrows<WitiException.InvalidArgument> { listen("not an address") {} }
        assertEquals("invalid_argument", e.code)
    }

    @Test
    fun `decodePostback takes a ByteArray`() {
        val events = decodePostback("BULK,[\"eyJhIjoxfQ==\"]".toByteArray())
        assertEquals(1, events.size)
        assertEquals("{\"a\":1}", events[0].json)
        val e = assertThrows<WitiException.Postback> { decodePostback("BULK,[\"%%%\"]".toByteArray()) }
        assertNotNull(e.message)
    }

    @Test
    fun `requests queued behind a busy handler reach it in order, each event with its own wid`() {
        val events = LinkedBlockingQueue<Event>()
        val entered = java.util.concurrent.CountDownLatch(1)
        val release = java.util.concurrent.CountDownLatch(1)
        listen("127.0.0.1:0") { event ->
            if (events.isEmpty() && entered.count > 0) {
                entered.countDown()
                release.await(10, TimeUnit.SECONDS)
            }
            events.add(event)
        }.use { server ->
            val http = java.net.http.HttpClient.newHttpClient()
            fun post(query: String, body: String) = http.sendAsync(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("${server.url()}hook$query"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString(),
            )
            val first = post("?wid=W0", "{\"n\":0}")
            assertTrue(entered.await(10, TimeUnit.SECONDS), "the handler was not called")
            // These wait for the busy handler, then reach it together (witi::webhook::MERGE_EVENTS).
            val second = post("?wid=W%31", "[{\"n\":1},{\"n\":2}]")
            Thread.sleep(200)
            val third = post("", "{\"n\":3}")
            Thread.sleep(200)
            release.countDown()
            for (answer in listOf(first, second, third)) assertEquals(200, answer.get(10, TimeUnit.SECONDS).statusCode())
            val got = List(4) { events.next() }
            assertEquals(listOf("{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}"), got.map { it.json })
            assertEquals(listOf("W0", "W1", "W1", null), got.map { it.wid })
            assertEquals(decodePostback("{\"n\":3}".toByteArray()).single(), got[3])
        }
    }
}
