// The Kotlin receivers of the receiver benchmark (driven by bench/receivers.py with wrk).
// Prints `NAME URL` for each, then `ready`, and serves until killed:
//   - witi: `listen()` with a handler that counts events;
//   - jdk-httpserver: what a JVM developer writes by hand: the JDK's com.sun.net.httpserver
//     (a fixed pool of worker threads, one per CPU), the body read whole, java.util.Base64 +
//     java.util.zip.Inflater + Jackson `readTree`, the same counting handler per event, 400 on
//     a body that does not decode. With `sun.net.httpserver.nodelay` on: by default the JDK
//     server leaves Nagle's algorithm on its sockets, and every small answer then waits for
//     the client's delayed ACK (about 40 ms: 23 requests/s with one sender), which measures
//     the setting, not the decoding; a developer who measures sets it.
package me.witi.bench

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import com.sun.net.httpserver.HttpServer
import me.witi.listen
import java.io.ByteArrayOutputStream
import java.net.InetSocketAddress
import java.util.Base64
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicLong
import java.util.zip.Inflater

private val events = AtomicLong()
private val jackson = ObjectMapper()

@Suppress("UNUSED_PARAMETER")
private fun handle(event: Any) {
    events.incrementAndGet()
}

private fun inflate(compressed: ByteArray): ByteArray {
    val inflater = Inflater()
    inflater.setInput(compressed)
    val out = ByteArrayOutputStream(compressed.size * 4)
    val buf = ByteArray(64 * 1024)
    while (!inflater.finished()) {
        val n = inflater.inflate(buf)
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) error("truncated zlib")
        out.write(buf, 0, n)
    }
    inflater.end()
    return out.toByteArray()
}

private fun items(text: ByteArray, from: Int): List<JsonNode> {
    var start = from
    if (text.size >= start + 3 && text[start] == 0xEF.toByte() && text[start + 1] == 0xBB.toByte() && text[start + 2] == 0xBF.toByte()) start += 3
    val array = jackson.readTree(text, start, text.size - start)
    check(array.isArray)
    return array.map { jackson.readTree(Base64.getDecoder().decode(it.asText())) }
}

/** The three framings decoded by hand (also the decode benchmark's alternative, Bench.kt). */
internal fun byHand(body: ByteArray): List<JsonNode> {
    val head = String(body, 0, minOf(body.size, 7), Charsets.ISO_8859_1)
    return when {
        head == "BULKGZ," -> items(inflate(Base64.getDecoder().decode(body.copyOfRange(7, body.size))), 0)
        head.startsWith("BULK,") -> items(body, 5)
        else -> listOf(jackson.readTree(body))
    }
}

fun main() {
    // Read when the JDK's server classes load: before HttpServer.create.
    System.setProperty("sun.net.httpserver.nodelay", "true")
    val witi = listen("127.0.0.1:0") { handle(it) }
    println("witi ${witi.url()}")
    val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 1024)
    server.createContext("/") { exchange ->
        try {
            val body = exchange.requestBody.readAllBytes()
            val decoded = try {
                byHand(body)
            } catch (e: Exception) {
                null
            }
            decoded?.forEach(::handle)
            val answer = if (decoded == null) "bad body\n" else "OK\n"
            exchange.sendResponseHeaders(if (decoded == null) 400 else 200, answer.length.toLong())
            exchange.responseBody.write(answer.toByteArray())
        } finally {
            exchange.close()
        }
    }
    server.executor = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors())
    server.start()
    println("jdk-httpserver http://127.0.0.1:${server.address.port}/")
    println("ready")
    System.out.flush()
    Thread.currentThread().join()
    witi.close() // never reached; keeps the server reachable (an unreachable one is cleaned up and stops)
}
