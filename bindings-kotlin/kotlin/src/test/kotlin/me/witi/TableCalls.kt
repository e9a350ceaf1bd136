// Runs any call of the core's table (`callTable()`, exported by the library) on a Client by
// name, with a corpus step's snake_case arguments: the conformance runner's one dispatch for
// every table call, so a new call needs no line here. The method is the real generated
// `suspend fun` (found by its camelCase name and called through Java reflection with our
// continuation); each argument is converted by the Kotlin parameter's type.
package me.witi

import com.fasterxml.jackson.databind.JsonNode
import java.lang.reflect.InvocationTargetException
import java.lang.reflect.Method
import java.util.Base64
import kotlin.coroutines.Continuation
import kotlin.coroutines.intrinsics.suspendCoroutineUninterceptedOrReturn

object TableCalls {
    fun camel(name: String): String = name.replace(Regex("_([a-z0-9])")) { it.groupValues[1].uppercase() }

    /** The generated `suspend fun` of [call] on [Client] (its JVM form ends in a Continuation). */
    fun method(call: CallSignature): Method {
        val found = Client::class.java.methods.filter {
            it.name == camel(call.name) && it.parameterTypes.lastOrNull() == Continuation::class.java
        }
        check(found.size == 1) { "Client has ${found.size} suspend methods named ${camel(call.name)}" }
        return found.single()
    }

    suspend fun invoke(client: Client, call: CallSignature, args: JsonNode): Any? {
        val method = method(call)
        val types = method.parameterTypes
        check(types.size == call.params.size + 1) {
            "${method.name} takes ${types.size - 1} parameters, the table ${call.params.size}"
        }
        val values = call.params.mapIndexed { i, p -> argument(p, types[i], args) }.toTypedArray()
        return suspendCoroutineUninterceptedOrReturn { continuation ->
            try {
                method.invoke(client, *values, continuation)
            } catch (e: InvocationTargetException) {
                throw e.cause ?: e
            }
        }
    }

    /** One argument from the step's `args`; bytes come as `<name>_base64`. */
    private fun argument(param: CallParam, type: Class<*>, args: JsonNode): Any? {
        val bytes = type == ByteArray::class.java
        val node = args.get(if (bytes) "${param.name}_base64" else param.name)?.takeUnless { it.isNull }
            ?: return param.defaultValue?.let { convert(Sim.mapper.readTree(it), type, param.name) }
        return if (bytes) Base64.getDecoder().decode(node.asText()) else convert(node, type, param.name)
    }

    private fun convert(node: JsonNode, type: Class<*>, name: String): Any? = when (type) {
        String::class.java -> node.asText()
        java.lang.Boolean.TYPE, java.lang.Boolean::class.java -> {
            check(node.isBoolean) { "$name: expected a boolean, got $node" }
            node.asBoolean()
        }
        List::class.java -> node.map { it.asText() }
        JsonValue::class.java -> jsonValueOf(Sim.mapper.treeToValue(node, Any::class.java))
        else -> error("the runner has no conversion for $name: ${type.name}")
    }
}
