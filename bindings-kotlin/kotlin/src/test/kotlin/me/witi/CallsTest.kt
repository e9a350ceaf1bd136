// The calls of the core's table on the Kotlin surface: every one is a suspend method with the
// table's parameters; `call` and its JsonValue; the printed forms follow the core's list of
// hidden fields for every entry.
package me.witi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.lang.reflect.Modifier
import java.time.Duration

class CallsTest {
    @Test
    fun `every call of the core's table is a suspend method of Client`() {
        val table = callTable()
        val names = table.map { it.name }
        for (name in listOf(
            "status", "set_config", "chats", "send_message", "send_file", "contacts", "get_profile",
            "query_profile", "is_on_whatsapp", "group_create", "group_add", "call",
        )) assertTrue(name in names, "$name is not in the table: $names")
        for (call in table) {
            val method = TableCalls.method(call)
            assertEquals(call.params.size + 1, method.parameterCount, call.name)
        }
        val call = table.single { it.name == "call" }
        assertEquals(listOf("command", "body", "changes_state"), call.params.map { it.name })
        assertEquals(listOf(null, null, "true"), call.params.map { it.defaultValue })
    }

    @Test
    fun `call answers the JSON and posts a body`() = runBlocking {
        val key = Sim.freshKey("call")
        Sim.client(key).use { client ->
            val status = client.call("status.aspx", changesState = false)
            assertTrue(status is JsonValue.Object, "$status")
            val code = status["status"]
            assertTrue(code is JsonValue.Integer, "$status")
            assertEquals((code as JsonValue.Integer).value, (status.toKotlin() as Map<*, *>)["status"])
            val configured = client.call("set_config.aspx", mapOf("webhook" to "https://erp.example/h"))
            val webhook = (configured["Webhook"] ?: configured["webhook"]) as? JsonValue.Text
            assertTrue(webhook?.value.orEmpty().startsWith("https://erp.example/h"), "$configured")
        }
    }

    @Test
    fun `JsonValue converts both ways`() {
        val plain = mapOf(
            "a" to listOf(1L, 2.5, "x", true, null),
            "b" to mapOf("c" to emptyList<Any>(), "d" to emptyMap<String, Any>()),
        )
        val json = jsonValueOf(plain)
        assertEquals(plain, json.toKotlin())
        assertEquals(listOf("a", "b"), (jsonValueOf(mapOf("b" to 1, "a" to 2)).toKotlin() as Map<*, *>).keys.toList())
        assertEquals(JsonValue.Text("x"), json["a"]?.get(2))
        assertEquals("""{"a":[1,2.5,"x",true,null],"b":{"c":[],"d":{}}}""", json.toString())
        assertEquals(JsonValue.Integer(7), jsonValueOf(7))
        assertEquals(null, json["missing"])
        assertThrows<IllegalArgumentException> { jsonValueOf(Any()) }
        assertThrows<IllegalArgumentException> { jsonValueOf(mapOf(1 to 2)) }
    }

    @Test
    fun `a body JSON cannot write is refused before sending`() = runBlocking {
        val key = Sim.freshKey("nan")
        Sim.client(key).use { client ->
            val e = runCatching { client.call("mark_read.aspx", mapOf("n" to Double.NaN)) }.exceptionOrNull()
            assertTrue(e is WitiException.InvalidArgument, "$e")
        }
        val (_, instance) = Sim.control("GET", "instances/$key")
        assertFalse(instance.path("calls").has("mark_read.aspx"), "$instance")
    }

    @Test
    fun `sendFile wants exactly one of url, data and path`() = runBlocking {
        Sim.client(Sim.freshKey("file")).use { client ->
            for (attempt in listOf<suspend () -> SentMessage>(
                { client.sendFile("5511987654321", mimeType = "image/jpeg") },
                { client.sendFile("5511987654321", url = "https://x.example/a.jpg", data = byteArrayOf(1), mimeType = "image/jpeg") },
            )) {
                val e = runCatching { attempt() }.exceptionOrNull()
                assertTrue(e is WitiException.InvalidArgument, "$e")
            }
        }
    }

    @Test
    fun `results of a paired phone print without the WebID their URLs and raw JSON carry`() = runBlocking {
        val key = Sim.freshKey("printed")
        Sim.control("POST", "instances/$key/config", mapOf("auto_scan_after_ms" to 100, "starting_delay_ms" to 50))
        Sim.client(key).use { client ->
            client.connect(timeout = Duration.ofSeconds(20)) {}
            val webId = client.status().webId!!
            val sent = client.sendFile("+55 11 98765-4321", url = "https://files.example/a.jpg", mimeType = "image/jpeg", caption = "a")
            assertTrue(sent.url.orEmpty().contains(webId) && sent.rawJson.contains(webId), "$sent")
            val chats = client.chats()
            val contacts = client.contacts()
            assertTrue(chats.isNotEmpty() && contacts.isNotEmpty())
            assertTrue(chats.any { it.picture.orEmpty().contains(webId) }, "the simulator's pictures carry the WebID")
            val group = client.groupCreate("team", listOf("+55 11 98765-4321"))
            assertEquals(1, group.information?.participants?.count { it.id == "5511987654321@s.whatsapp.net" }, "$group")
            val results = chats + contacts + listOf(sent, group, client.queryProfile("5511987654321"))
            for (result in results) assertFalse(result.toString().contains(webId), "$result")
            assertEquals(null, client.queryProfile("5511987654320"), "digits ending in 0 are not on WhatsApp in the simulator")
            assertFalse(client.isOnWhatsapp("5511987654320"))
        }
    }

    /** A record of [type] with every text field set to a sentinel naming the field. */
    private fun sample(type: Class<*>): Any {
        val fields = type.declaredFields.filter { !Modifier.isStatic(it.modifiers) && !it.isSynthetic }
        val constructor = type.constructors.single { it.parameterCount == fields.size }
        val values = fields.map { f ->
            when {
                f.type == String::class.java -> "SENTINEL-${f.name}-"
                f.type == java.lang.Long::class.java || f.type == java.lang.Long.TYPE -> 7L
                f.type == java.lang.Boolean::class.java || f.type == java.lang.Boolean.TYPE -> true
                f.type == List::class.java -> emptyList<Any>()
                f.type.isEnum -> f.type.enumConstants.first()
                f.type == StatusCode::class.java -> StatusCode.Authenticated
                else -> null // nested records, optional in every listed type
            }
        }
        return constructor.newInstance(*values.toTypedArray())
    }

    @Test
    fun `toString hides every field the core lists, and shows the others`() {
        val entries = hiddenFields()
        assertTrue(entries.map { it.typeName }.containsAll(listOf("Status", "Chat", "Contact", "Group", "SentMessage")))
        for (entry in entries) {
            val type = Class.forName("me.witi.${entry.typeName}")
            val text = sample(type).toString()
            val declared = type.declaredFields.filter { !Modifier.isStatic(it.modifiers) }.map { it.name }
            val hidden = entry.fields.map(TableCalls::camel)
            for (field in hidden) {
                assertTrue(field in declared, "the core hides ${entry.typeName}.$field, which Kotlin lacks")
                assertFalse(text.contains("SENTINEL-$field-"), "${entry.typeName}.$field shows: $text")
                assertTrue(Regex("\\b$field=<(redacted|\\d+ chars)>").containsMatchIn(text), "${entry.typeName}.$field: $text")
            }
            for (field in type.declaredFields.filter { it.type == String::class.java && it.name !in hidden }) {
                assertTrue(text.contains("SENTINEL-${field.name}-"), "${entry.typeName}.${field.name} is missing: $text")
            }
        }
    }
}
