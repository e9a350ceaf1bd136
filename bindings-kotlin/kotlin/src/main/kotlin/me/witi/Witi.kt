// The hand-written part of the Kotlin package: idiom on top of what uniffi generates
// (me/witi/witi_uniffi.kt in target/generated-sources). It decides nothing: it reads fields
// the generated classes already carry and adapts lambdas to uniffi's callback interfaces.
package me.witi

import java.time.Duration

/** The stable code of `sdk-surface.md` (`"rate_limited"`, ...), whatever the subclass. */
val WitiException.code: String
    get() = when (this) {
        is WitiException.Api -> code
        is WitiException.Auth -> code
        is WitiException.RateLimited -> code
        is WitiException.HttpStatus -> code
        is WitiException.Timeout -> code
        is WitiException.Connection -> code
        is WitiException.Decode -> code
        is WitiException.InvalidArgument -> code
        is WitiException.Postback -> code
        is WitiException.Callback -> code
    }

/** The HTTP status for `Auth`, `RateLimited` and `HttpStatus`; null for the others. */
val WitiException.httpStatus: Int?
    get() = when (this) {
        is WitiException.Auth -> status
        is WitiException.RateLimited -> status
        is WitiException.HttpStatus -> status
        else -> null
    }

/**
 * The server's `Retry-After`: for `RateLimited` when it sent one, and for `HttpStatus` when a
 * 5xx asked for a longer wait than the client takes by itself (capped at one day).
 */
val WitiException.retryAfterOrNull: Duration?
    get() = when (this) {
        is WitiException.RateLimited -> retryAfter
        is WitiException.HttpStatus -> retryAfter
        else -> null
    }

/** The core's text of the error (the same as `toString()`); never contains the key. */
val WitiException.detail: String
    get() = when (this) {
        is WitiException.Api -> detail
        is WitiException.Auth -> detail
        is WitiException.RateLimited -> detail
        is WitiException.HttpStatus -> detail
        is WitiException.Timeout -> detail
        is WitiException.Connection -> detail
        is WitiException.Decode -> detail
        is WitiException.InvalidArgument -> detail
        is WitiException.Postback -> detail
        is WitiException.Callback -> detail
    }

/**
 * What a callback of ours hands back to uniffi when the caller's code threw anything at all.
 * The generated callback code catches only `Exception`: an `Error` (`AssertionError`, the
 * `NotImplementedError` of `TODO()`) would escape it, be logged by JNA and leave the core
 * believing the call succeeded. So our wrappers catch `Throwable` and always throw this.
 * ("callback" is the stable code of `sdk-surface.md`.)
 */
private fun callbackFailure(what: String, thrown: Throwable) =
    WitiException.Callback(code = "callback", detail = "$what threw ${thrown.stackTraceToString()}")

/**
 * Pairs a phone, calling [onQr] with each fresh QR code, and returns the status once
 * authenticated. In status 11, or 0 with a saved session, it first tries `restoreSession()`
 * unless [restoreSession] is false. A timeout throws [WitiException.Timeout] with
 * `lastStatus`. Anything thrown by [onQr] (an `Exception` or an `Error` such as
 * `AssertionError` or `TODO()`'s `NotImplementedError`) ends the pairing at once and is
 * rethrown here as itself (not wrapped); cancelling the coroutine cancels the pairing.
 */
suspend fun Client.connect(
    timeout: Duration,
    pollInterval: Duration? = null,
    userAgent: String? = null,
    restoreSession: Boolean = true,
    onQr: (QrCode) -> Unit,
): Status {
    // Set on the core's thread, read here once the call has ended.
    val thrown = java.util.concurrent.atomic.AtomicReference<Throwable?>(null)
    val handler = object : QrHandler {
        override fun onQr(qr: QrCode) {
            try {
                onQr(qr)
            } catch (e: Throwable) {
                thrown.set(e)
                throw callbackFailure("onQr", e)
            }
        }
    }
    try {
        return connect(handler, timeout, pollInterval, userAgent, restoreSession)
    } catch (e: WitiException.Callback) {
        throw thrown.get() ?: e
    }
}

/**
 * Starts a PostBack receiver on [address] (`"127.0.0.1:0"` picks a free port) that calls
 * [handler] once per event, in order, on a background thread. Close it (or call `stop()`)
 * to stop it. Anything [handler] throws (an `Error` too) is logged by the core at WARN with
 * its stack trace (see [setLogger]), the event is acknowledged and the receiver keeps serving.
 */
fun listen(address: String, token: String? = null, handler: (Event) -> Unit): WebhookServer =
    WebhookServer(address, object : WebhookHandler {
        override fun onEvent(event: Event) {
            try {
                handler(event)
            } catch (e: Throwable) {
                throw callbackFailure("the webhook handler", e)
            }
        }
    }, token)

/** The status's code as its number (10 for `AUTHENTICATED`). */
val Status.codeNumber: Long
    get() = code.code()

/**
 * Sends the core's log lines at [level] and more severe to [log] (level, target, message):
 * requests at DEBUG, webhook handler failures at WARN. Called on core threads; what [log]
 * throws is dropped. The API key never appears in a line. `setLogger(null, level)` stops.
 */
fun setLogger(level: LogLevel = LogLevel.INFO, log: (LogLevel, String, String) -> Unit) =
    setLogger(object : WitiLogger {
        override fun log(level: LogLevel, target: String, message: String) {
            // Dropped here rather than crossing back into Rust as a callback failure.
            runCatching { log(level, target, message) }
        }
    }, level)

/** [setLogger] onto `java.util.logging`'s logger `witi` (which SLF4J/Logback can bridge). */
fun logToJavaUtilLogging(level: LogLevel = LogLevel.INFO) {
    val logger = java.util.logging.Logger.getLogger("witi")
    setLogger(level) { lineLevel, target, message ->
        val julLevel = when (lineLevel) {
            LogLevel.ERROR -> java.util.logging.Level.SEVERE
            LogLevel.WARN -> java.util.logging.Level.WARNING
            LogLevel.INFO -> java.util.logging.Level.INFO
            LogLevel.DEBUG -> java.util.logging.Level.FINE
            LogLevel.TRACE -> java.util.logging.Level.FINEST
        }
        logger.log(julLevel, "$message [$target]")
    }
}

/**
 * The value as plain Kotlin: null, `Boolean`, `Long`, `Double`, `String`, `List<Any?>` or
 * `Map<String, Any?>` (keys sorted; nested the same way), as a JSON library's "untyped" read
 * gives.
 */
fun JsonValue.toKotlin(): Any? = when (this) {
    JsonValue.Null -> null
    is JsonValue.Bool -> value
    is JsonValue.Integer -> value
    is JsonValue.Decimal -> value
    is JsonValue.Text -> value
    is JsonValue.Array -> items.map { it.toKotlin() }
    // Keys sorted, as the core reads them (uniffi's maps keep no order).
    is JsonValue.Object -> fields.entries.sortedBy { it.key }.associate { it.key to it.value.toKotlin() }
}

/**
 * A [JsonValue] from plain Kotlin: null, `Boolean`, a number (`Int`, `Long`, `Double`, ...),
 * a `CharSequence`, a `Map` with `String` keys, an `Iterable` or an `Array` (nested the same
 * way), or a [JsonValue]. Anything else is an `IllegalArgumentException`.
 */
fun jsonValueOf(value: Any?): JsonValue = when (value) {
    null -> JsonValue.Null
    is JsonValue -> value
    is Boolean -> JsonValue.Bool(value)
    is Byte, is Short, is Int, is Long -> JsonValue.Integer((value as Number).toLong())
    is java.math.BigInteger ->
        if (value.bitLength() < 64) JsonValue.Integer(value.toLong()) else JsonValue.Decimal(value.toDouble())
    is Number -> JsonValue.Decimal(value.toDouble())
    is CharSequence -> JsonValue.Text(value.toString())
    is Map<*, *> -> JsonValue.Object(
        value.entries.associate { (k, v) ->
            require(k is String) { "a JSON object's keys are strings, not ${k?.let { it::class.qualifiedName }}" }
            k to jsonValueOf(v)
        }
    )
    is Iterable<*> -> JsonValue.Array(value.map(::jsonValueOf))
    is Array<*> -> JsonValue.Array(value.map(::jsonValueOf))
    else -> throw IllegalArgumentException("${value::class.qualifiedName} is not JSON")
}

/** An object's field (null when absent or when this is not an object). */
operator fun JsonValue.get(key: String): JsonValue? = (this as? JsonValue.Object)?.fields?.get(key)

/** An array's item (null when out of range or when this is not an array). */
operator fun JsonValue.get(index: Int): JsonValue? = (this as? JsonValue.Array)?.items?.getOrNull(index)

/**
 * [Client.call] with the body as plain Kotlin (see [jsonValueOf]):
 * `client.call("mark_read.aspx", mapOf("number" to jid, "id" to messageId))`.
 */
suspend fun Client.call(command: String, body: Map<String, Any?>, changesState: Boolean = true): JsonValue =
    call(command, jsonValueOf(body), changesState)
