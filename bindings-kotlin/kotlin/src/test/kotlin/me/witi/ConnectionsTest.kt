// The client options `maxConnections` and `proxy`: the cap queues calls, zero is refused, and
// a connection error through a proxy names it without its credentials.
package me.witi

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

class ConnectionsTest {
    @Test
    fun `calls beyond maxConnections wait for a free connection`() = runBlocking {
        val key = Sim.freshKey("cap")
        Sim.control("POST", "faults", mapOf("key" to key, "command" to "status.aspx", "kind" to "latency", "latency_ms" to 300))
        Sim.client(key) { maxConnections = 2u }.use { client ->
            val started = System.nanoTime()
            (1..6).map { async(Dispatchers.Default) { client.status() } }.awaitAll()
            // 6 calls of 300 ms through 2 connections: at least 3 rounds.
            val elapsedMs = (System.nanoTime() - started) / 1_000_000
            assertTrue(elapsedMs >= 900, "took $elapsedMs ms")
        }
    }

    @Test
    fun `a zero cap is an invalid argument`() {
        assertThrows<WitiException.InvalidArgument> { Sim.client("k") { maxConnections = 0u } }
    }

    @Test
    fun `a proxy error names the proxy without its credentials`() = runBlocking {
        val options = ClientOptions(
            apiKey = Sim.freshKey("proxy"),
            baseUrl = "http://127.0.0.1:9/",
            maxRetries = 0u,
            proxy = "http://alice:hunter2@127.0.0.1:1",
        )
        assertFalse(options.toString().contains("hunter2"), options.toString())
        Client(options).use { client ->
            val e = assertThrows<WitiException.Connection> { runBlocking { client.status() } }
            val text = e.message ?: ""
            assertTrue(text.contains("through proxy http://127.0.0.1:1"), text)
            assertFalse(text.contains("hunter2") || text.contains("alice"), text)
        }
    }
}
