// Callbacks that throw anything (issue 11): an `Error` from `onQr` or from a webhook handler
// is not an `Exception`, which is all the generated uniffi code catches; witi's wrappers must
// still end `connect` with it, and report it from the receiver, which keeps serving.
package me.witi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertSame
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.ValueSource
import java.time.Duration
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger

class LifecycleTest {
    @AfterEach
    fun stopLogging() = setLogger(null, LogLevel.INFO)

    /** One of each kind of Throwable a callback may throw. */
    private fun throwable(kind: String): Throwable = when (kind) {
        "AssertionError" -> AssertionError("the QR looked wrong")
        "NotImplementedError" -> runCatching { TODO("show the QR") }.exceptionOrNull()!!
        "StackOverflowError" -> StackOverflowError("deep")
        "IllegalStateException" -> IllegalStateException("the screen is gone")
        "Exception" -> Exception("checked, from Java")
        else -> error(kind)
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = ["AssertionError", "NotImplementedError", "StackOverflowError", "IllegalStateException", "Exception"])
    fun `anything thrown by onQr ends connect at once as itself`(kind: String) = runBlocking {
        val key = Sim.freshKey("onqr-$kind")
        Sim.client(key).use { client ->
            val mine = throwable(kind)
            val calls = AtomicInteger()
            // A long timeout: ending by it (the bug) would be a Timeout after 60 s, not `mine`.
            val thrown = runCatching {
                client.connect(Duration.ofSeconds(60)) {
                    calls.incrementAndGet()
                    throw mine
                }
            }.exceptionOrNull()
            assertSame(mine, thrown)
            assertEquals(1, calls.get(), "onQr called once: connect ended with it")
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = ["AssertionError", "NotImplementedError", "IllegalStateException"])
    fun `anything thrown by a webhook handler is logged and the receiver keeps serving`(kind: String) = runBlocking {
        val warnings = ConcurrentLinkedQueue<String>()
        setLogger(LogLevel.WARN) { _, _, message -> warnings.add(message) }
        val events = LinkedBlockingQueue<Event>()
        val calls = AtomicInteger()
        listen("127.0.0.1:0") {
            if (calls.incrementAndGet() == 1) throw throwable(kind)
            events.add(it)
        }.use { server ->
            val key = Sim.freshKey("hook-$kind")
            Sim.client(key).use { client ->
                client.setConfig(webhook = "${server.url()}hook") // event 1: throws
                Sim.control("POST", "instances/$key/postback", mapOf("event" to mapOf("n" to 2)))
                val second = events.poll(10, TimeUnit.SECONDS) ?: throw AssertionError("no second event within 10 s")
                assertTrue(second.json.contains("\"n\""), second.json)
                assertEquals(2, calls.get())
            }
        }
        val line = warnings.firstOrNull { it.contains("webhook handler failed") }
        assertTrue(line != null && line.contains(kind), "the error reaches the log: $warnings")
    }
}
