// The Kotlin runner of the language-neutral corpus (tests/conformance/*.json, format in
// tests/README.md), mirroring core/tests/conformance.rs: every scenario through the public
// Kotlin API against the simulator. The scenarios run concurrently (as the Rust runner does);
// each is reported as a test of its own. The calls of the core's table (`callTable()`) are
// dispatched by name (TableCalls.kt): a new call needs no line here; only the flows
// (`connect`, `wait_for_status`), `new_client` and `decode_postback` are written out.
package me.witi

import com.fasterxml.jackson.databind.JsonNode
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.sync.Semaphore
import kotlinx.coroutines.sync.withPermit
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import java.io.File
import java.time.Duration
import java.util.Base64
import java.util.concurrent.atomic.AtomicLong

class ConformanceTest {
    companion object {
        private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

        val files: List<File> = File(Sim.repo, "tests/conformance")
            .listFiles { f -> f.name.endsWith(".json") }!!
            .sortedBy { it.name }

        /**
         * A few scenarios at a time: all 58 at once on two cores starve the 300 ms timeouts
         * of some scenarios (a request not even sent in time), which tests the machine, not
         * the binding.
         */
        private val slots = Semaphore(6)

        /** Every scenario, queued at once; each test awaits its own. */
        private val runs: Map<String, Deferred<Result<Unit>>> by lazy {
            files.associate { f ->
                val scenario = Sim.mapper.readTree(f)
                f.name to scope.async {
                    slots.withPermit {
                        runCatching { withTimeout(60_000) { Scenario(f.name, scenario).run() } }
                    }
                }
            }
        }
    }

    @Test
    fun `the corpus is there`() {
        assertTrue(files.size >= 50, "only ${files.size} scenarios")
    }

    @TestFactory
    fun corpus(): List<DynamicTest> = files.map { f ->
        DynamicTest.dynamicTest(f.name) {
            runBlocking { runs.getValue(f.name).await() }.getOrThrow()
        }
    }
}

/** One scenario's world: its key, its client options, its client. */
class Scenario(private val file: String, private val scenario: JsonNode) {
    private val key = Sim.freshKey(file.removeSuffix(".json"))
    private val options = scenario.get("client") ?: Sim.mapper.createObjectNode()
    private var client: Client? = null

    private fun buildClient(args: JsonNode): Client {
        val base = args.get("base_url")?.asText()
            ?: args.get("base_url_path")?.let { Sim.url + it.asText() }
            ?: Sim.url
        return Client(
            ClientOptions(
                apiKey = args.get("api_key")?.asText() ?: key,
                baseUrl = base,
                timeout = options.get("timeout_ms")?.let { Duration.ofMillis(it.asLong()) },
                maxRetries = options.get("max_retries")?.asInt()?.toUInt(),
                initialBackoff = options.get("initial_backoff_ms")?.let { Duration.ofMillis(it.asLong()) },
            )
        )
    }

    suspend fun run() {
        client = buildClient(Sim.mapper.createObjectNode())
        scenario.get("instance")?.let { instance ->
            val (status, body) = Sim.control("POST", "instances/$key/config", instance)
            check(status == 200) { "instance config answered $status: $body" }
        }
        scenario.get("steps").forEachIndexed { i, step ->
            try {
                step(step)
            } catch (e: Throwable) {
                throw AssertionError("step $i ($step): ${e.message}", e)
            }
        }
    }

    private suspend fun step(step: JsonNode) {
        step.get("sim")?.let { return simStep(it.asText(), step) }
        val call = step.get("call").asText()
        val args = step.get("args") ?: Sim.mapper.createObjectNode()
        val expect = step.get("expect") ?: Sim.mapper.createObjectNode()
        val qrCount = AtomicLong()
        val outcome = runCatching { invoke(call, args, qrCount) }
        val wantError = expect.get("error")
        outcome.fold(
            onSuccess = { value ->
                check(wantError == null) { "expected error $wantError, got success $value" }
                expect.get("value")?.let { want ->
                    check(Matchers.matches(value, want)) { "value: expected $want, got $value" }
                }
                expect.get("fields")?.fields()?.forEach { (path, matcher) ->
                    val got = Matchers.lookup(value, path)
                    check(Matchers.matches(got, matcher)) { "field $path: expected $matcher, got ${got ?: "absent"}" }
                }
                expect.get("qr_count")?.let { want ->
                    check(Matchers.matches(Sim.mapper.valueToTree(qrCount.get()), want)) {
                        "qr_count: expected $want, got ${qrCount.get()}"
                    }
                }
            },
            onFailure = { e ->
                if (e !is WitiException) throw e
                checkNoKey(e)
                check(wantError != null) { "unexpected error [${e.code}] $e" }
                checkError(e, wantError)
                expect.get("qr_count")?.let { want ->
                    check(Matchers.matches(Sim.mapper.valueToTree(qrCount.get()), want)) {
                        "qr_count: expected $want, got ${qrCount.get()}"
                    }
                }
            },
        )
    }

    /** Rule 6 of the format: the key in no text and no field of any error. */
    private fun checkNoKey(e: WitiException) {
        val texts = listOf(e.message.orEmpty(), e.toString(), e.stackTraceToString(), Tree.of(e).toString())
        for (text in texts) check(!text.contains(key)) { "the key leaked into an error: $text" }
    }

    private fun checkError(e: WitiException, want: JsonNode) {
        check(want.get("code").asText() == e.code) { "expected error code ${want.get("code")}, got [${e.code}] $e" }
        want.get("status")?.let { status ->
            check(Matchers.matches(e.httpStatus?.let { Sim.mapper.valueToTree<JsonNode>(it) }, status)) {
                "expected HTTP status $status, got ${e.httpStatus}"
            }
        }
        want.get("retry_after")?.let { after ->
            val got = e.retryAfterOrNull?.let { Sim.mapper.valueToTree<JsonNode>(it.toNanos() / 1e9) }
            check(Matchers.matches(got, after)) { "expected retry_after $after, got ${e.retryAfterOrNull}" }
        }
        want.get("message_contains")?.let { text ->
            check(e.message.orEmpty().contains(text.asText())) { "expected the message to contain $text: ${e.message}" }
        }
        want.get("last_status")?.let { fields ->
            val last = (e as? WitiException.Timeout)?.lastStatus
            if (fields.isNull) {
                check(last == null) { "expected no lastStatus, got $last" }
            } else {
                checkNotNull(last) { "expected lastStatus $fields, got none" }
                val tree = Tree.of(last)
                fields.fields().forEach { (path, matcher) ->
                    val got = Matchers.lookup(tree, path)
                    check(Matchers.matches(got, matcher)) { "lastStatus.$path: expected $matcher, got ${got ?: "absent"}" }
                }
            }
        }
    }

    private suspend fun simStep(verb: String, step: JsonNode) {
        val (status, body) = when (verb) {
            "fault" -> Sim.control("POST", "faults", (step.get("fault").deepCopy<JsonNode>() as com.fasterxml.jackson.databind.node.ObjectNode).put("key", key))
            "scan" -> Sim.control("POST", "instances/$key/scan", emptyMap<String, Any>())
            "force_status" -> Sim.control("POST", "instances/$key/status", buildMap {
                put("code", step.get("code"))
                step.get("status_string")?.let { put("status_string", it) }
            })
            "status_script" -> Sim.control("POST", "instances/$key/status_script", mapOf("answers" to step.get("answers")))
            "expect_calls" -> {
                val (status, snapshot) = Sim.control("GET", "instances/$key")
                val command = step.get("command").asText()
                val got = if (status == 404) 0 else snapshot.path("calls").path(command).asLong(0)
                val want = step.get("count").asLong()
                check(got == want) { "$command was called $got times, expected $want" }
                return
            }
            "expect_sent" -> return expectSent(step)
            else -> error("unknown sim step $verb")
        }
        val want = step.get("expect_http_status")?.asInt() ?: 200
        check(status == want) { "the simulator answered $status (expected $want): $body" }
    }

    /** What the instance sent (oldest first): its count, and the last record's fields. */
    private suspend fun expectSent(step: JsonNode) {
        val (status, answer) = Sim.control("GET", "instances/$key/sent")
        check(status == 200 || status == 404) { "the simulator answered $status: $answer" }
        val sent = if (status == 404) Sim.mapper.createArrayNode() else if (answer.isObject) answer.path("sent") else answer
        check(sent.isArray) { "sent records are not a list: $answer" }
        val want = step.get("count").asInt()
        check(sent.size() == want) { "the instance sent ${sent.size()} messages, expected $want: $sent" }
        step.get("last")?.fields()?.forEach { (path, matcher) ->
            val got = sent.lastOrNull()?.let { Matchers.lookup(it, path) }
            check(Matchers.matches(got, matcher)) { "last sent $path: expected $matcher, got ${got ?: "absent"}" }
        }
    }

    private fun ms(args: JsonNode, name: String, default: Long): Duration =
        Duration.ofMillis(args.get(name)?.asLong() ?: default)

    private fun str(args: JsonNode, name: String): String? = args.get(name)?.takeUnless { it.isNull }?.asText()

    private suspend fun invoke(call: String, args: JsonNode, qrCount: AtomicLong): JsonNode {
        val c = client!!
        table[call]?.let { return Tree.of(TableCalls.invoke(c, it, args)) }
        return when (call) {
            "new_client" -> {
                client = buildClient(args)
                Tree.of(mapOf("base_url" to client!!.baseUrl()))
            }
            "wait_for_status" -> Tree.of(
                c.waitForStatus(
                    args.get("targets").map { statusCodeOf(it.asLong()) },
                    ms(args, "timeout_ms", 30_000),
                    ms(args, "poll_interval_ms", 1000),
                )
            )
            "connect" -> {
                val scanAt = args.get("scan_qr_number")?.asLong()
                Tree.of(
                    c.connect(
                        ms(args, "timeout_ms", 30_000),
                        ms(args, "poll_interval_ms", 1000),
                        restoreSession = args.get("restore_session")?.asBoolean() ?: true,
                    ) {
                        if (qrCount.incrementAndGet() == scanAt) {
                            // The callback must not block the flow: scan from another coroutine.
                            scanScope.launch { Sim.control("POST", "instances/$key/scan", emptyMap<String, Any>()) }
                        }
                    }
                )
            }
            "decode_postback" -> {
                val body = str(args, "body_base64")?.let { Base64.getDecoder().decode(it) }
                    ?: File(Sim.repo, "tests/fixtures/${str(args, "body_file")}").readBytes()
                Tree.of(mapOf("events" to decodePostback(body, str(args, "wid"))))
            }
            else -> error("unknown call $call")
        }
    }

    private companion object {
        val scanScope = CoroutineScope(SupervisorJob() + Dispatchers.IO)

        /** The calls of the core's table, which [TableCalls] runs; the others are below. */
        val table = callTable().associateBy { it.name }
    }
}
