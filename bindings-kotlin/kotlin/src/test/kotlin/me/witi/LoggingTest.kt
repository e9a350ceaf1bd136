// The core's log lines reach a Kotlin logger (a lambda, or java.util.logging), at the level
// asked for, with the key nowhere in them; a throwing logger breaks nothing.
package me.witi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.logging.Handler
import java.util.logging.LogRecord
import java.util.logging.Logger

class LoggingTest {
    @AfterEach
    fun stop() = setLogger(null, LogLevel.INFO)

    private fun waitFor(what: String, check: () -> Boolean) {
        val deadline = System.nanoTime() + 10_000_000_000
        while (!check()) {
            if (System.nanoTime() > deadline) throw AssertionError("no $what within 10 s")
            Thread.sleep(20)
        }
    }

    @Test
    fun `requests log at DEBUG, handler failures at WARN, never the key`() = runBlocking {
        val lines = ConcurrentLinkedQueue<Triple<LogLevel, String, String>>()
        setLogger(LogLevel.DEBUG) { level, target, message -> lines.add(Triple(level, target, message)) }
        val key = Sim.freshKey("log-secret")
        Sim.client(key).use { client ->
            client.status()
            waitFor("request line") { lines.any { it.first == LogLevel.DEBUG && it.third.contains("answered") } }
            assertTrue(lines.any { it.second.startsWith("witi") }, "targets name the core: $lines")

            listen("127.0.0.1:0") { throw IllegalStateException("handler broke") }.use { server ->
                client.setConfig(webhook = "${server.url()}hook")
                waitFor("handler failure line") {
                    lines.any { it.first == LogLevel.WARN && it.third.contains("webhook handler failed") }
                }
            }
        }
        for ((_, _, message) in lines) assertFalse(message.contains(key), "the key leaked: $message")
    }

    @Test
    fun `the level filters, null stops, and a throwing logger breaks nothing`() = runBlocking {
        val lines = ConcurrentLinkedQueue<LogLevel>()
        setLogger(LogLevel.WARN) { level, _, _ -> lines.add(level) }
        val key = Sim.freshKey("log-level")
        Sim.client(key).use { client ->
            repeat(3) { client.status() }
            assertTrue(lines.none { it == LogLevel.DEBUG || it == LogLevel.INFO }, "$lines")

            setLogger(LogLevel.TRACE) { _, _, _ -> throw RuntimeException("logger broke") }
            assertEquals(StatusCode.NoConnection, client.status().code)
            // Through the raw interface the failure reaches Rust, which contains it.
            setLogger(object : WitiLogger {
                override fun log(level: LogLevel, target: String, message: String) =
                    throw RuntimeException("raw logger broke")
            }, LogLevel.DEBUG)
            assertEquals(StatusCode.NoConnection, client.status().code)

            // A logger sees the request's DEBUG line; after `null`, nothing more arrives.
            val seen = ConcurrentLinkedQueue<LogLevel>()
            setLogger(LogLevel.DEBUG) { level, _, _ -> seen.add(level) }
            client.status()
            assertTrue(seen.contains(LogLevel.DEBUG), "$seen")
            setLogger(null, LogLevel.DEBUG)
            seen.clear()
            client.status()
            assertTrue(seen.isEmpty(), "$seen")
        }
    }

    @Test
    fun `java util logging gets the lines on the witi logger`() = runBlocking {
        val records = ConcurrentLinkedQueue<LogRecord>()
        val jul = Logger.getLogger("witi")
        val handler = object : Handler() {
            override fun publish(record: LogRecord) { records.add(record) }
            override fun flush() {}
            override fun close() {}
        }
        jul.addHandler(handler)
        jul.level = java.util.logging.Level.ALL
        try {
            logToJavaUtilLogging(LogLevel.DEBUG)
            Sim.client(Sim.freshKey("log-jul")).use { it.status() }
            waitFor("a java.util.logging record") {
                records.any { it.level == java.util.logging.Level.FINE && it.message.contains("answered") }
            }
        } finally {
            jul.removeHandler(handler)
        }
    }
}
