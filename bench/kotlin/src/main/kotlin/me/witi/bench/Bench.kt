// status() through witi against the obvious JVM alternative, java.net.http.HttpClient +
// Jackson, at 1, 10 and 1,000 calls in flight, against the same simulator in the same run.
//
// Both sides do the same job: one GET status.aspx?wid=KEY and a JSON parse of the answer
// (witi parses into its typed records and copies them into Kotlin data classes; the
// alternative parses into a Jackson tree and reads the same top-level fields). Rounds
// alternate between the two after a warm-up; each figure is the median of the rounds.
// Ratio = witi time / alternative time: below 1 means witi is faster.
package me.witi.bench

import com.fasterxml.jackson.databind.ObjectMapper
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.future.await
import kotlinx.coroutines.runBlocking
import me.witi.Client
import me.witi.ClientOptions
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration

private val mapper = ObjectMapper()

private fun startSim(): Pair<Process, String> {
    val bin = System.getProperty("witi.sim")
    check(File(bin).canExecute()) { "$bin is missing: bench/kotlin/run.sh builds it" }
    val process = ProcessBuilder(bin, "--port", "0", "--exit-on-stdin-eof")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start()
    val line = process.inputStream.bufferedReader().readLine()
    return process to Regex("""http://\S+/""").find(line)!!.value
}

/** Runs `calls` calls with `inFlight` coroutines, each doing its share one after another. */
private fun timed(inFlight: Int, calls: Int, call: suspend () -> Any): Double = runBlocking(Dispatchers.Default) {
    val each = calls / inFlight
    val started = System.nanoTime()
    (1..inFlight).map { async { repeat(each) { call() } } }.awaitAll()
    (System.nanoTime() - started) / 1e9
}

fun main(args: Array<String>) {
    val quick = args.contains("--quick")
    val rounds = if (quick) 3 else 7
    val (sim, url) = startSim()
    try {
        val key = "bench-kotlin-key"
        val witi = Client(ClientOptions(apiKey = key, baseUrl = url, maxRetries = 0u))
        val http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build()
        val request = HttpRequest.newBuilder(URI.create("${url}status.aspx?wid=$key"))
            .timeout(Duration.ofSeconds(30)).GET().build()
        val viaWiti: suspend () -> Any = { witi.status().code }
        val viaJava: suspend () -> Any = {
            val response = http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).await()
            check(response.statusCode() == 200)
            val tree = mapper.readTree(response.body())
            listOf(tree.path("status").asLong(), tree.path("statusString").asText(), tree.path("connected").asBoolean(),
                tree.path("WebID").asText(), tree.path("stats"), tree.path("storage"))
        }
        // Both must see the same instance before anything is timed.
        runBlocking {
            val typed = witi.status()
            val tree = mapper.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body())
            check(typed.webId == tree.path("WebID").asText()) { "witi and HttpClient disagree" }
        }
        println("status(): witi Client vs java.net.http.HttpClient + Jackson, ${Runtime.getRuntime().availableProcessors()} CPUs, $rounds rounds, median")
        println(String.format("%-10s %8s %14s %14s %8s", "in flight", "calls", "witi calls/s", "java calls/s", "ratio"))
        for ((inFlight, calls) in listOf(1 to (if (quick) 500 else 3000), 10 to (if (quick) 1000 else 6000), 1000 to (if (quick) 2000 else 10000))) {
            // Warm-up: JIT, connection pools.
            timed(inFlight, minOf(calls, 2000), viaWiti)
            timed(inFlight, minOf(calls, 2000), viaJava)
            val w = mutableListOf<Double>()
            val j = mutableListOf<Double>()
            repeat(rounds) {
                w += timed(inFlight, calls, viaWiti)
                j += timed(inFlight, calls, viaJava)
            }
            val wm = w.sorted()[rounds / 2]
            val jm = j.sorted()[rounds / 2]
            println(String.format("%-10d %8d %14.0f %14.0f %8.2f", inFlight, calls, calls / wm, calls / jm, wm / jm))
            // A row of bench/all.sh's table: witi's speed over the alternative's.
            if (inFlight != 10) println("TABLE\tstatus$inFlight\t${String.format("%.2f", jm / wm)}\tHttpClient + Jackson\t${String.format("%.0f", calls / wm)}\t${String.format("%.0f", calls / jm)}")
        }
        println("ratio = witi time / HttpClient time (below 1: witi is faster)")
        decode(rounds)
        witi.close()
    } finally {
        sim.destroy()
    }
}

/** Decodes per second of [f] over about [ms] milliseconds. */
private fun opsPerSec(ms: Long, f: () -> Any): Double {
    var n = 0
    val start = System.nanoTime()
    val limit = ms * 1_000_000
    while (System.nanoTime() - start < limit) {
        repeat(10) { f() }
        n += 10
    }
    return n / ((System.nanoTime() - start) / 1e9)
}

/**
 * decodePostback against the by-hand decoder of Receivers.kt (Base64 + Inflater + Jackson
 * readTree of the array and of each event), on the bodies `witi-bench bodies` wrote (the
 * folder in -Dwiti.bodies; skipped without it). Median of alternating rounds.
 */
private fun decode(rounds: Int) {
    val dir = System.getProperty("witi.bodies")?.takeIf { it.isNotEmpty() && File(it).isDirectory } ?: return
    println("decodePostback vs Base64 + Inflater + Jackson: decodes/s, median of $rounds rounds")
    for ((file, key) in listOf("plain-1" to "decode_plain1", "bulk-100" to "", "bulkgz-100" to "", "bulkgz-1000" to "decode_bulkgz1000")) {
        val body = File(dir, "$file.txt").readBytes()
        check(me.witi.decodePostback(body).size == byHand(body).size) { "$file: the two disagree" }
        repeat(3) { opsPerSec(100) { me.witi.decodePostback(body) }; opsPerSec(100) { byHand(body) } }
        val w = mutableListOf<Double>()
        val h = mutableListOf<Double>()
        repeat(rounds) {
            w += opsPerSec(300) { me.witi.decodePostback(body) }
            h += opsPerSec(300) { byHand(body) }
        }
        val wm = w.sorted()[rounds / 2]
        val hm = h.sorted()[rounds / 2]
        println(String.format("%-12s witi %10.1f/s  by hand %10.1f/s  ratio %.2fx (witi speed / by hand)", file, wm, hm, wm / hm))
        if (key.isNotEmpty()) println("TABLE\t$key\t${String.format("%.2f", wm / hm)}\tBase64 + Inflater + Jackson\t${String.format("%.1f", wm)}/s\t${String.format("%.1f", hm)}/s")
        if (key.isNotEmpty()) {
            // Each event's typed status is built on first read: the same decode with every one read.
            val s = mutableListOf<Double>()
            val h2 = mutableListOf<Double>()
            repeat(rounds) {
                s += opsPerSec(300) { me.witi.decodePostback(body).forEach { it.status } }
                h2 += opsPerSec(300) { byHand(body) }
            }
            val sm = s.sorted()[rounds / 2]
            val h2m = h2.sorted()[rounds / 2]
            println(String.format("%-12s witi, every status read %10.1f/s  by hand %10.1f/s  ratio %.2fx", file, sm, h2m, sm / h2m))
        }
    }
}
