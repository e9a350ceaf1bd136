// JSON nested deeper than anyone sends, both ways through `call`: a typed error, never a crash
// of the JVM (a native stack overflow on a Java thread is a SIGSEGV that kills the process,
// which would end this whole test run, not just fail this class).
package me.witi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

class DeepJsonTest {
    private fun nested(depth: Int): JsonValue {
        var value: JsonValue = JsonValue.Integer(1)
        repeat(depth) { value = JsonValue.Array(listOf(value)) }
        return value
    }

    private fun nestedMap(depth: Int): Map<String, Any?> {
        var value: Map<String, Any?> = mapOf("a" to 1)
        repeat(depth - 1) { value = mapOf("a" to value) }
        return value
    }

    private fun deepText(depth: Int) = "[".repeat(depth) + "1" + "]".repeat(depth)

    @Test
    fun `a body 10,000 deep is invalid_argument through every way of passing one`() = runBlocking {
        val key = Sim.freshKey("deep")
        Sim.client(key).use { client ->
            for ((how, attempt) in listOf<Pair<String, suspend () -> JsonValue>>(
                "JsonValue" to { client.call("mark_read.aspx", nested(10_000)) },
                "JsonValue, 101" to { client.call("mark_read.aspx", nested(101)) },
                "Map" to { client.call("mark_read.aspx", nestedMap(10_000)) },
                "Map, 101" to { client.call("mark_read.aspx", nestedMap(101)) },
            )) {
                val e = runCatching { attempt() }.exceptionOrNull()
                assertTrue(e is WitiException.InvalidArgument, "$how: $e")
                assertTrue((e as WitiException).detail.contains("nested deeper than 100"), "$how: $e")
            }
        }
        val (_, instance) = Sim.control("GET", "instances/$key")
        assertFalse(instance.path("calls").has("mark_read.aspx"), "$instance")
    }

    @Test
    fun `a body 100 deep is sent`() = runBlocking {
        val key = Sim.freshKey("deep100")
        Sim.client(key).use { client ->
            val body = JsonValue.Object(mapOf("webhook" to JsonValue.Text("https://erp.example/h"), "x" to nested(99)))
            // The simulator may refuse the extra field; what matters is that the body left.
            val e = runCatching { client.call("set_config.aspx", body) }.exceptionOrNull()
            assertFalse(e is WitiException.InvalidArgument, "$e")
        }
        val (_, instance) = Sim.control("GET", "instances/$key")
        assertTrue(instance.path("calls").has("set_config.aspx"), "$instance")
    }

    @Test
    fun `an answer as deep as JSON parses is read, and deeper is a decode error`() = runBlocking {
        val key = Sim.freshKey("deepanswer")
        Sim.client(key).use { client ->
            // serde_json (the core's parser) reads up to 128 levels; 127 is within.
            Sim.control("POST", "faults", mapOf("key" to key, "command" to "status.aspx", "kind" to "http_status",
                "status" to 200, "body" to deepText(127), "count" to 1))
            var answer: JsonValue? = client.call("status.aspx", changesState = false)
            var depth = 0
            while (answer is JsonValue.Array) { answer = answer.items.single(); depth++ }
            assertEquals(127, depth)
            assertEquals(JsonValue.Integer(1), answer)
            Sim.control("POST", "faults", mapOf("key" to key, "command" to "status.aspx", "kind" to "http_status",
                "status" to 200, "body" to deepText(10_000), "count" to 1))
            val e = runCatching { client.call("status.aspx", changesState = false) }.exceptionOrNull()
            assertTrue(e is WitiException.Decode, "$e")
        }
    }

    @Test
    fun `a deep JsonValue prints, converts and compares without the native side`() {
        val deep = nested(10_000)
        assertEquals(deepText(10_000), deep.toString())
        assertThrows<IllegalArgumentException> { jsonValueOf(nestedMap(10_000)) }
        // A list that holds itself is not JSON either (and must not recurse forever).
        val cycle = mutableListOf<Any?>()
        cycle.add(cycle)
        assertThrows<IllegalArgumentException> { jsonValueOf(cycle) }
    }
}
