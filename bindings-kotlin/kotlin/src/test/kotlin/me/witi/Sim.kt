// The simulator every test talks to: one `witi-sim` process per test JVM, on a free port,
// started on first use. `--exit-on-stdin-eof` ties its life to ours: the JVM holds its stdin,
// so when the JVM dies (even killed) the simulator sees EOF and exits.
package me.witi

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import kotlinx.coroutines.future.await
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.concurrent.TimeUnit

object Sim {
    val mapper = ObjectMapper()
    val http: HttpClient = HttpClient.newHttpClient()

    /** The repository root (the cargo workspace). */
    val repo: File = File(System.getProperty("witi.repo") ?: "../..").canonicalFile

    /** `http://127.0.0.1:PORT/` of the running simulator. */
    val url: String by lazy { start() }

    private fun start(): String {
        val bin = File(System.getProperty("witi.sim") ?: "${repo}/target/debug/witi-sim")
        check(bin.canExecute()) { "$bin is missing: run `cargo build -p witi-sim` first" }
        val process = ProcessBuilder(bin.path, "--port", "0", "--exit-on-stdin-eof")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start()
        Runtime.getRuntime().addShutdownHook(Thread {
            process.destroy()
            process.waitFor(2, TimeUnit.SECONDS)
        })
        val line = process.inputStream.bufferedReader().readLine()
            ?: error("witi-sim exited before printing its address")
        return Regex("""http://\S+/""").find(line)?.value ?: error("unexpected first line: $line")
    }

    /** A control-API call (`/_sim/<path>`): the HTTP status and the JSON answer. */
    suspend fun control(method: String, path: String, body: Any? = null): Pair<Int, JsonNode> {
        val publisher = if (body == null) HttpRequest.BodyPublishers.noBody()
        else HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(body))
        val request = HttpRequest.newBuilder(URI.create("${url}_sim/$path"))
            .method(method, publisher)
            .header("content-type", "application/json")
            .build()
        val response = http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).await()
        val json = runCatching { mapper.readTree(response.body()) }.getOrNull()
            ?: mapper.nodeFactory.textNode(response.body())
        return response.statusCode() to json
    }

    /** A fresh key for one test: the simulator makes its instance on first use. */
    fun freshKey(name: String): String =
        "kt-$name-${java.util.UUID.randomUUID().toString().take(8)}-SECRET"

    fun client(key: String, configure: ClientOptions.() -> Unit = {}): Client =
        Client(ClientOptions(apiKey = key, baseUrl = url).apply(configure))
}
