// The corpus's matchers (tests/README.md), the same rules as core/tests/conformance.rs.
package me.witi

import com.fasterxml.jackson.databind.JsonNode

object Matchers {
    fun lookup(value: JsonNode, path: String): JsonNode? =
        path.split('.').fold(value as JsonNode?) { node, part ->
            when {
                node == null -> null
                node.isObject -> node.get(part)
                node.isArray -> part.toIntOrNull()?.let { node.get(it) }
                else -> null
            }
        }

    fun matches(got0: JsonNode?, matcher: JsonNode): Boolean {
        val got = got0?.takeUnless { it.isNull }
        if (matcher.isObject && matcher.size() > 0 && matcher.fieldNames().asSequence().all { it.startsWith("$") }) {
            return matcher.fields().asSequence().all { (op, arg) ->
                when (op) {
                    "\$present" -> (got != null) == (if (arg.isBoolean) arg.asBoolean() else true)
                    "\$contains" -> got != null && got.isTextual && got.asText().contains(arg.asText())
                    "\$prefix" -> got != null && got.isTextual && got.asText().startsWith(arg.asText())
                    "\$suffix" -> got != null && got.isTextual && got.asText().endsWith(arg.asText())
                    "\$gte" -> got != null && got.isNumber && got.asDouble() >= arg.asDouble()
                    "\$len" -> {
                        val len = when {
                            got == null -> null
                            got.isArray -> got.size()
                            got.isTextual -> got.asText().codePointCount(0, got.asText().length)
                            else -> null
                        }
                        len != null && matches(Sim.mapper.valueToTree(len), arg)
                    }
                    else -> false
                }
            }
        }
        return if (got == null) matcher.isNull else same(got, matcher)
    }

    /** JSON equality where numbers compare as numbers at any depth (`7` equals `7.0`). */
    fun same(a: JsonNode, b: JsonNode): Boolean = a.equals(
        Comparator<JsonNode> { x, y ->
            if (x.isNumber && y.isNumber) x.asDouble().compareTo(y.asDouble()) else if (x == y) 0 else 1
        },
        b,
    )
}
