// Turns results of the public Kotlin API (uniffi data classes, sealed classes, lists) into a
// JSON tree with the snake_case field names of sdk-surface.md, so the conformance corpus's
// paths (`connection_info.phone.device_model`) can be looked up. Reflection over the real
// generated classes: a field missing from the Kotlin surface fails the scenario.
package me.witi

import com.fasterxml.jackson.databind.JsonNode
import java.lang.reflect.Modifier

object Tree {
    fun of(value: Any?): JsonNode = Sim.mapper.valueToTree(plain(value))

    private fun snake(name: String): String =
        name.replace(Regex("([a-z0-9])([A-Z])"), "$1_$2").lowercase()

    fun plain(value: Any?): Any? = when (value) {
        null, is String, is Boolean, is Number -> value
        is StatusCode -> value.code() // "code of a Status compares as its number"
        is JsonValue -> plain(value.toKotlin()) // `call`'s answer: the JSON itself
        is Enum<*> -> value.name.lowercase()
        is java.time.Duration -> value.toNanos() / 1e9
        is List<*> -> value.map { plain(it) }
        is Map<*, *> -> value.entries.associate { (k, v) -> k.toString() to plain(v) }
        else -> fields(value)
    }

    /**
     * Every instance field of a generated class, in declaration order, snake_case names, read
     * through its property's getter when it has one (`Event.status` is built on first read).
     */
    fun fields(value: Any): Map<String, Any?> {
        val out = LinkedHashMap<String, Any?>()
        var cls: Class<*>? = value.javaClass
        while (cls != null && cls != Any::class.java && cls.name.startsWith("me.witi")) {
            for (f in cls.declaredFields) {
                if (Modifier.isStatic(f.modifiers) || f.isSynthetic) continue
                val getter = runCatching { cls.getMethod("get" + f.name.replaceFirstChar(Char::uppercaseChar)) }.getOrNull()
                val field = if (getter != null) getter.invoke(value) else f.also { it.isAccessible = true }.get(value)
                out.putIfAbsent(snake(f.name), plain(field))
            }
            cls = cls.superclass
        }
        return out
    }
}
