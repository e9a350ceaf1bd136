// The Kotlin-specific behaviour on top of the corpus: coroutine cancellation reaching the
// core, many concurrent coroutines on one client, unknown status codes, callbacks that throw,
// and panics that must become exceptions rather than crash the JVM.
package me.witi

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertSame
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.time.Duration
import java.util.concurrent.atomic.AtomicReference

class BehaviourTest {
    private suspend fun calls(key: String, command: String): Long =
        Sim.control("GET", "instances/$key").second.path("calls").path(command).asLong(0)

    @Test
    fun `cancelling a waitForStatus coroutine stops the polling in the core`() = runBlocking {
        val key = Sim.freshKey("cancel-wait")
        Sim.client(key).use { client ->
            val job = launch(Dispatchers.Default) {
                client.waitForStatus(listOf(StatusCode.Authenticated), Duration.ofSeconds(30), Duration.ofMillis(20))
            }
            delay(400)
            assertTrue(calls(key, "status.aspx") > 3, "it was polling")
            withTimeout(1000) { job.cancelAndJoin() }
            delay(100) // a poll in flight may still land
            val after = calls(key, "status.aspx")
            delay(500)
            assertEquals(after, calls(key, "status.aspx"), "no poll after the cancellation")
        }
    }

    @Test
    fun `cancelling a stalled request returns at once`() = runBlocking {
        val key = Sim.freshKey("cancel-stall")
        Sim.control("POST", "faults", mapOf("key" to key, "command" to "status.aspx", "kind" to "stall", "stall_ms" to 20_000))
        Sim.client(key) { maxRetries = 0u }.use { client ->
            val job = async(Dispatchers.Default) { client.status() }
            delay(300)
            val started = System.nanoTime()
            withTimeout(1000) { job.cancelAndJoin() }
            assertTrue(job.isCancelled)
            assertTrue(System.nanoTime() - started < 1_000_000_000)
            // The client still works afterwards.
            Sim.control("DELETE", "faults?key=$key")
            assertEquals(0L, client.status().code.code())
        }
    }

    @Test
    fun `cancelling connect stops generating QR codes`() = runBlocking {
        val key = Sim.freshKey("cancel-connect")
        // 1 s codes: the core never refreshes faster than the ttl (nor than once a second).
        Sim.control("POST", "instances/$key/config", mapOf("qr_ttl_ms" to 1000))
        Sim.client(key).use { client ->
            val job = launch(Dispatchers.Default) {
                client.connect(Duration.ofSeconds(30), Duration.ofMillis(20)) { }
            }
            delay(1600)
            assertTrue(calls(key, "generate_qrcode.aspx") >= 2, "it was refreshing codes")
            job.cancelAndJoin()
            delay(150)
            val after = calls(key, "generate_qrcode.aspx")
            delay(1200)
            assertEquals(after, calls(key, "generate_qrcode.aspx"))
        }
    }

    @Test
    fun `a thousand concurrent coroutines share one client`() = runBlocking {
        val key = Sim.freshKey("concurrent")
        Sim.client(key).use { client ->
            val results = (1..1000).map { async(Dispatchers.Default) { client.status() } }.awaitAll()
            assertEquals(1000, results.size)
            assertTrue(results.all { it.code == StatusCode.NoConnection && it.webId == results[0].webId })
            assertEquals(1000L, calls(key, "status.aspx"))
        }
    }

    @Test
    fun `many clients in many coroutines keep their own instances`() = runBlocking {
        val keys = (1..20).map { Sim.freshKey("multi$it") }
        val webIds = keys.map { key ->
            async(Dispatchers.Default) {
                Sim.client(key).use { c -> (1..10).map { c.status().webId }.toSet() }
            }
        }.awaitAll()
        assertTrue(webIds.all { it.size == 1 }, "one WebID per instance")
        assertEquals(20, webIds.flatten().toSet().size, "and a different one for each key")
    }

    @Test
    fun `an unknown status code is kept as its number`() = runBlocking {
        val key = Sim.freshKey("unknown-code")
        Sim.control("POST", "instances/$key/status", mapOf("code" to 99, "status_string" to "SomethingNew"))
        Sim.client(key).use { client ->
            val status = client.status()
            assertEquals(StatusCode.Unknown(99), status.code)
            assertEquals(99L, status.code.code())
            assertEquals(null, status.code.constantName())
            assertEquals("SomethingNew", status.statusString)
            assertEquals(StatusCode.Authenticated, statusCodeOf(10))
            assertEquals("AUTHENTICATED", StatusCode.Authenticated.constantName())
        }
    }

    @Test
    fun `an exception thrown by onQr ends connect as that same exception`() = runBlocking {
        Sim.client(Sim.freshKey("onqr-throws")).use { client ->
            val mine = IllegalStateException("the screen is gone")
            val thrown = assertThrows<IllegalStateException> {
                runBlocking { client.connect(Duration.ofSeconds(10)) { throw mine } }
            }
            assertSame(mine, thrown)
        }
    }

    @Test
    fun `through the raw callback interface a throwing onQr is WitiException Callback`() = runBlocking {
        Sim.client(Sim.freshKey("onqr-raw")).use { client ->
            val handler = object : QrHandler {
                override fun onQr(qr: QrCode) = throw IllegalArgumentException("no display")
            }
            val e = assertThrows<WitiException.Callback> {
                runBlocking { client.connect(handler, Duration.ofSeconds(10)) }
            }
            assertEquals("callback", e.code)
            assertTrue(e.detail.contains("no display"), e.detail)
        }
    }

    @Test
    fun `a panic in Rust is an exception and the library keeps working`() = runBlocking {
        val sync = assertThrows<InternalException> { testOnlyPanic("boom") }
        assertTrue(sync.message.orEmpty().contains("boom"), sync.message)
        val async = assertThrows<InternalException> { runBlocking { testOnlyPanicAsync("bang") } }
        assertTrue(async.message.orEmpty().contains("bang"), async.message)
        Sim.client(Sim.freshKey("after-panic")).use { assertEquals(0L, it.status().code.code()) }
    }

    @Test
    fun `a cancelled coroutine gets CancellationException not a WitiException`() = runBlocking {
        val key = Sim.freshKey("cancel-type")
        Sim.control("POST", "faults", mapOf("key" to key, "command" to "status.aspx", "kind" to "stall", "stall_ms" to 5_000))
        Sim.client(key) { maxRetries = 0u }.use { client ->
            val seen = AtomicReference<Throwable?>()
            val job = launch(Dispatchers.Default) {
                try { client.status() } catch (e: Throwable) { seen.set(e); throw e }
            }
            delay(200)
            job.cancelAndJoin()
            assertTrue(seen.get() is CancellationException, "${seen.get()}")
        }
    }
}
