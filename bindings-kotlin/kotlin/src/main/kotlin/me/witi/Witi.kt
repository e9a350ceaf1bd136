// The hand-written part of the Kotlin package: idiom on top of what uniffi generates
// (me/witi/witi_uniffi.kt in target/generated-sources). It decides nothing: it reads fields
// the generated classes already carry and adapts lambdas to uniffi's callback interfaces.
// Types that live here because they cross the FFI as text: `JsonValue`, `call`'s JSON
// (uniffi.toml names the functions below that read and write it, both without recursion),
// and the PostBack `Event` with `decodePostback`, `WebhookHandler` and the `WebhookServer`
// factory (uniffi.toml excludes the generated ones; each body's events cross once, as a few
// strings, and each typed status is built on first access: bindings-kotlin/src/postback.rs).
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
        override fun onEvent(event: Event) = handler(event)
    }, token)

/**
 * Receives each PostBack event. Called on a background thread, one event at a time; the
 * next event waits until this returns.
 */
interface WebhookHandler {
    /**
     * Handles one event. Anything thrown (an `Error` too) is logged by the core at WARN with
     * its stack trace, the event is acknowledged and the receiver keeps serving.
     */
    fun onEvent(event: Event)

    companion object
}

/**
 * Listens on [address] (`"127.0.0.1:0"` picks a free port) and calls [handler] once per
 * PostBack event, in order, on a background thread (one per server). With [token], every
 * request must carry `token=<it>` (else 401). [WitiException.InvalidArgument] for an address
 * that is not `IP:PORT`; [WitiException.Connection] when the port cannot be bound. (A
 * function, not a constructor: the server's thread takes each request's events from the
 * library in one call, see bindings-kotlin/src/webhook.rs.)
 */
@Throws(WitiException::class)
fun WebhookServer(address: String, handler: WebhookHandler, token: String? = null): WebhookServer {
    val server = WebhookServer.withQueue(address, token)
    val queue = server.queue()
    try {
        Thread({ Direct.serve(queue, handler) }, "witi-webhook-${server.port()}").apply {
            isDaemon = true
            start()
        }
    } catch (e: Throwable) {
        server.close() // No thread takes its events: it must not accept any.
        throw e
    }
    return server
}

/**
 * Decodes a PostBack body (plain JSON, `BULK,` or `BULKGZ,`) into its events, in order.
 * [wid] is the request's `wid` query parameter (the instance): every event carries it and it
 * enters each event's `id`. [WitiException.Postback] when it does not decode or breaks a limit.
 * Each event's [Event.status] is built on first access (the same value either way).
 */
@Throws(WitiException::class)
fun decodePostback(body: ByteArray, wid: String? = null): List<Event> = Direct.decodePostback(body, wid)

/**
 * The crate's plain C functions (bindings-kotlin/src/direct.rs and webhook.rs) through JNA's
 * direct mapping: one call each with a byte array and ints, where a uniffi call allocates
 * several JNA structures and makes extra calls for its buffers (more than the whole
 * hand-written decode of one event). The same values, errors and panics (`InternalException`)
 * as the uniffi exports `decodePostbackTexts` and `eventStatus`.
 */
private object Direct {
    init {
        // The very library uniffi loaded: the same name and override property as the generated
        // code, registered the same way (JNA keys its loaded libraries by name and options, the
        // class loader among them). Another lookup, such as `NativeLibrary.getInstance(name)`,
        // extracts the library from the jar again and loads a second copy, whose queues
        // (webhook.rs) are not the ones the server feeds: the receiver then never answered.
        val name = System.getProperty("uniffi.component.witi_uniffi.libraryOverride") ?: "witi_uniffi"
        com.sun.jna.Native.register(Direct::class.java, name)
    }

    @JvmStatic private external fun witi_kotlin_decode_postback(body: ByteArray, bodyLen: Int, wid: ByteArray?, widLen: Int): Long
    @JvmStatic private external fun witi_kotlin_event_status(json: ByteArray, jsonLen: Int): Long
    @JvmStatic private external fun witi_kotlin_free(answer: Long)
    @JvmStatic private external fun witi_kotlin_webhook_next(queue: Long): Long
    @JvmStatic private external fun witi_kotlin_webhook_done(queue: Long, failures: ByteArray, failuresLen: Int)
    @JvmStatic private external fun witi_kotlin_webhook_abandon(queue: Long)

    fun decodePostback(body: ByteArray, wid: String?): List<Event> {
        // As uniffi lowers a String: a lone surrogate is an error, not a '?'.
        val widBytes = wid?.let { FfiConverterString.toUtf8(it) }
        val value = take(witi_kotlin_decode_postback(body, body.size, widBytes?.array(), widBytes?.limit() ?: 0))
        return events(value, wid)
    }

    fun eventStatus(json: String): Status? {
        val bytes = json.toByteArray(Charsets.UTF_8)
        val status = FfiConverterOptionalTypeStatus.read(take(witi_kotlin_event_status(bytes, bytes.size)))
        // The raw JSON is the text itself (direct.rs leaves it out rather than copy it back).
        return status?.also { it.rawJson = json }
    }

    /**
     * The receiver's thread: takes each request's events (or those of the requests that
     * queued up meanwhile) from the queue [queue], hands each to [handler] in order and says
     * when it is done, until the server ends. A handler's throw is reported to the library
     * (which logs it at WARN). Whatever else ends this thread (an error while reporting, a
     * failing library call), the batch in hand is still said done and the queue abandoned,
     * so the receiver answers its requests rather than wait for a thread that is gone.
     */
    fun serve(queue: Long, handler: WebhookHandler) {
        try {
            while (true) {
                val value = take(witi_kotlin_webhook_next(queue))
                if (value.get() != 0.toByte()) return // The server ended.
                val failures = java.io.ByteArrayOutputStream(0)
                try {
                    fun failed(text: String) {
                        val bytes = text.toByteArray(Charsets.UTF_8)
                        failures.write(java.nio.ByteBuffer.allocate(4).putInt(bytes.size).array())
                        failures.write(bytes)
                    }
                    val events = try {
                        events(value, null, eachWid = true)
                    } catch (e: Throwable) {
                        failed("the webhook receiver could not read its events: ${describe(e)}")
                        emptyList()
                    }
                    for (event in events) {
                        try {
                            handler.onEvent(event)
                        } catch (e: Throwable) {
                            failed("the webhook handler threw ${describe(e)}")
                        }
                    }
                } finally {
                    witi_kotlin_webhook_done(queue, failures.toByteArray(), failures.size())
                }
            }
        } finally {
            witi_kotlin_webhook_abandon(queue)
        }
    }

    /** A throwable's stack trace, or its class when printing it throws (a hostile `message`). */
    private fun describe(e: Throwable): String =
        runCatching { e.stackTraceToString() }.getOrElse { "${e.javaClass.name} (its description threw)" }

    /**
     * direct.rs' `Events` (count, kinds, ids, then each length-prefixed JSON text) as events
     * of [wid], or with [eachWid] followed by each event's `wid` (webhook.rs' `Next`).
     */
    private fun events(value: java.nio.ByteBuffer, wid: String?, eachWid: Boolean = false): List<Event> {
        val bytes = value.array()
        var at = value.position()
        val count = value.getInt(at)
        at += 4
        val kinds = at
        val ids = kinds + count
        at = ids + count * ID_LENGTH
        val jsons = arrayOfNulls<String>(count)
        for (i in 0 until count) {
            val length = value.getInt(at)
            jsons[i] = String(bytes, at + 4, length, Charsets.UTF_8)
            at += 4 + length
        }
        val wids = if (!eachWid) null else arrayOfNulls<String>(count).also { wids ->
            for (i in 0 until count) {
                val length = value.getInt(at)
                at += 4
                wids[i] = when (length) {
                    -1 -> null
                    -2 -> wids[i - 1]
                    else -> String(bytes, at, length, Charsets.UTF_8).also { at += length }
                }
            }
        }
        check(at == value.limit()) { "the witi library's events do not add up (a bug)" }
        val events = ArrayList<Event>(count)
        for (i in 0 until count) {
            val status = bytes[kinds + i] == 's'.code.toByte()
            val id = String(bytes, ids + i * ID_LENGTH, ID_LENGTH, Charsets.ISO_8859_1)
            val kind = if (status) EventKind.STATUS else EventKind.UNKNOWN
            events.add(Event(kind, jsons[i]!!, if (status) STATUS_NOT_BUILT else null, wids?.get(i) ?: wid, id))
        }
        return events
    }

    /**
     * An answer's value (a big-endian buffer over a copy, positioned after the tag), or its
     * error thrown; the answer is freed either way.
     */
    private fun take(answer: Long): java.nio.ByteBuffer {
        check(answer != 0L) { "the witi library answered nothing (a bug)" }
        val bytes = try {
            val pointer = com.sun.jna.Pointer(answer)
            val length = pointer.getLong(0) - 8
            check(length in 1..Int.MAX_VALUE) { "the witi library answered $length bytes (a bug)" }
            ByteArray(length.toInt()).also { pointer.read(8, it, 0, it.size) }
        } finally {
            witi_kotlin_free(answer)
        }
        val buf = java.nio.ByteBuffer.wrap(bytes, 1, bytes.size - 1) // big-endian, as uniffi writes
        when (bytes[0].toInt()) {
            0 -> return buf
            1 -> throw FfiConverterTypeWitiException.read(buf)
            else -> throw InternalException(FfiConverterString.read(buf))
        }
    }
}

/** The length of [Event.id]. */
private const val ID_LENGTH = 32

/**
 * What [Event.status] holds until first read, for a status event that [decodePostback] or the
 * receiver made (compared by identity; never returned).
 */
private val STATUS_NOT_BUILT = Status(
    code = StatusCode.Unknown(-1), statusString = "", connected = false, connectionInfo = null,
    webId = null, webhook = null, userAgent = null, canRestoreConnection = false, stats = null,
    storage = null, rawJson = "",
)

/**
 * One PostBack event. Behaves as a data class of its five properties (`equals`, `hashCode`,
 * `copy`, `componentN`); `toString()` hides [wid] and [json] (they may hold the instance's
 * key) and shows the rest.
 */
class Event(
    kind: EventKind,
    json: String,
    status: Status?,
    wid: String? = null,
    id: String,
) {
    /** [EventKind.STATUS] for connection information ([status] holds it), else [EventKind.UNKNOWN]. */
    var kind: EventKind = kind

    /** The event's own JSON text. */
    var json: String = json
        set(value) {
            // A status still to build is built from the text it came with.
            status
            field = value
        }

    /**
     * The connection information of a status event, null for any other. An event that
     * [decodePostback] or the receiver made builds it from [json] on first read (one call
     * into the core, once; the same value a full decode gives).
     */
    @Volatile
    var status: Status? = status
        get() {
            val held = field
            if (held !== STATUS_NOT_BUILT) return held
            val built = Direct.eventStatus(json)
            field = built
            return built
        }

    /**
     * The instance (its WebID) the request named with `wid=`, percent-decoded; null when it
     * named none. It is the instance's key: keep it out of logs.
     */
    var wid: String? = wid

    /**
     * A stable id (32 hex digits) from the instance and the event's text: a redelivered body
     * gives the same ids, two identical events in one body distinct ones.
     */
    var id: String = id

    operator fun component1(): EventKind = kind
    operator fun component2(): String = json
    operator fun component3(): Status? = status
    operator fun component4(): String? = wid
    operator fun component5(): String = id

    fun copy(
        kind: EventKind = this.kind,
        json: String = this.json,
        status: Status? = this.status,
        wid: String? = this.wid,
        id: String = this.id,
    ): Event = Event(kind, json, status, wid, id)

    override fun equals(other: Any?): Boolean {
        if (this === other) return true
        if (other !is Event) return false
        return kind == other.kind && json == other.json && wid == other.wid && id == other.id &&
            status == other.status
    }

    override fun hashCode(): Int {
        var result = kind.hashCode()
        result = 31 * result + json.hashCode()
        result = 31 * result + (status?.hashCode() ?: 0)
        result = 31 * result + (wid?.hashCode() ?: 0)
        result = 31 * result + id.hashCode()
        return result
    }

    /** `Event(kind=STATUS, json=<N chars>, status=Status(...), wid=<redacted>, id=...)`. */
    override fun toString(): String =
        "Event(kind=${kind.name}, json=<${json.codePointCount(0, json.length)} chars>, status=$status, " +
            "wid=${if (wid == null) "null" else "<redacted>"}, id=$id)"

    companion object
}

/**
 * @suppress
 * uniffi still writes the list converter of the `Event` record that uniffi.toml excludes from
 * Kotlin (Swift's `decodePostback` returns that list); it needs this name. Nothing in Kotlin
 * lifts or lowers an `Event`: events cross as texts.
 */
public object FfiConverterTypeEvent : FfiConverterRustBuffer<Event> {
    private fun unused(): Nothing = throw UnsupportedOperationException("Kotlin's events cross the FFI as texts")
    override fun read(buf: java.nio.ByteBuffer): Event = unused()
    override fun allocationSize(value: Event): ULong = unused()
    override fun write(value: Event, buf: java.nio.ByteBuffer): Unit = unused()
}

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

/** How deep [jsonValueOf] follows maps and lists: far past any body, and it stops a cycle. */
private const val MAX_CONVERT_DEPTH = 1000

/** [jsonValueOf]'s input nests deeper than [MAX_CONVERT_DEPTH] (or holds itself). */
private class TooDeep : IllegalArgumentException("nested deeper than $MAX_CONVERT_DEPTH levels (or holds itself)")

/**
 * A [JsonValue] from plain Kotlin: null, `Boolean`, a number (`Int`, `Long`, `Double`, ...),
 * a `CharSequence`, a `Map` with `String` keys, an `Iterable` or an `Array` (nested the same
 * way, at most 1000 levels), or a [JsonValue]. Anything else is an `IllegalArgumentException`.
 */
fun jsonValueOf(value: Any?): JsonValue = jsonValueOf(value, 0)

private fun jsonValueOf(value: Any?, depth: Int): JsonValue = when (value) {
    null -> JsonValue.Null
    is JsonValue -> value
    is Boolean -> JsonValue.Bool(value)
    is Byte, is Short, is Int, is Long -> JsonValue.Integer((value as Number).toLong())
    is java.math.BigInteger ->
        if (value.bitLength() < 64) JsonValue.Integer(value.toLong()) else JsonValue.Decimal(value.toDouble())
    is Number -> JsonValue.Decimal(value.toDouble())
    is CharSequence -> JsonValue.Text(value.toString())
    is Map<*, *>, is Iterable<*>, is Array<*> -> if (depth >= MAX_CONVERT_DEPTH) throw TooDeep() else when (value) {
        is Map<*, *> -> JsonValue.Object(
            value.entries.associate { (k, v) ->
                require(k is String) { "a JSON object's keys are strings, not ${k?.let { it::class.qualifiedName }}" }
                k to jsonValueOf(v, depth + 1)
            }
        )
        is Iterable<*> -> JsonValue.Array(value.map { jsonValueOf(it, depth + 1) })
        else -> JsonValue.Array((value as Array<*>).map { jsonValueOf(it, depth + 1) })
    }
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
suspend fun Client.call(command: String, body: Map<String, Any?>, changesState: Boolean = true): JsonValue {
    val json = try {
        jsonValueOf(body)
    } catch (e: TooDeep) {
        throw tooDeepBody()
    }
    return call(command, json, changesState)
}

/**
 * Any JSON value: `call`'s body and answer. Integers that fit a `Long` are [Integer], every
 * other number [Decimal]. `toString()` is the JSON text (compact, object keys sorted).
 *
 * Written here, not generated: the value crosses the FFI as its JSON text (see json.rs in the
 * crate), read and written below without recursion, so no nesting depth can overflow a stack.
 */
sealed class JsonValue {
    object Null : JsonValue()
    data class Bool(val value: Boolean) : JsonValue()
    data class Integer(val value: Long) : JsonValue()
    data class Decimal(val value: Double) : JsonValue()
    data class Text(val value: String) : JsonValue()
    data class Array(val items: List<JsonValue>) : JsonValue()
    data class Object(val fields: Map<String, JsonValue>) : JsonValue()

    /** The JSON text; a [Decimal] JSON cannot write (NaN, an infinity) shows as Kotlin prints it. */
    final override fun toString(): String = writeJson(this, strict = false)
}

/** What the core allows in a body (`witi::MAX_BODY_DEPTH`), for the error [Client.call] gives. */
private const val MAX_BODY_DEPTH = 100

private fun tooDeepBody() = WitiException.InvalidArgument(
    code = "invalid_argument", detail = "the body is nested deeper than $MAX_BODY_DEPTH levels",
)

/** An array or object being written: its closing bracket and the items (key, value) left. */
private class Writing(val close: Char, val rest: Iterator<Pair<String?, JsonValue>>) {
    var first = true
}

/** The JSON text of [value], with an explicit stack (any depth). */
private fun writeJson(value: JsonValue, strict: Boolean): String {
    val out = StringBuilder()
    val stack = ArrayList<Writing>()
    fun start(item: JsonValue) {
        when (item) {
            JsonValue.Null -> out.append("null")
            is JsonValue.Bool -> out.append(item.value)
            is JsonValue.Integer -> out.append(item.value)
            is JsonValue.Decimal -> {
                if (strict && !item.value.isFinite()) {
                    throw WitiException.InvalidArgument(code = "invalid_argument", detail = "JSON has no number ${item.value}")
                }
                out.append(item.value)
            }
            is JsonValue.Text -> quote(item.value, out)
            is JsonValue.Array -> {
                out.append('[')
                stack.add(Writing(']', item.items.asSequence().map { null to it }.iterator()))
            }
            // Keys sorted, as the core writes them (the map may keep no order).
            is JsonValue.Object -> {
                out.append('{')
                stack.add(Writing('}', item.fields.entries.sortedBy { it.key }.asSequence().map { it.key to it.value }.iterator()))
            }
        }
    }
    start(value)
    while (stack.isNotEmpty()) {
        val open = stack.last()
        if (!open.rest.hasNext()) {
            out.append(open.close)
            stack.removeAt(stack.size - 1)
            continue
        }
        val (key, item) = open.rest.next()
        if (!open.first) out.append(',')
        open.first = false
        if (key != null) {
            quote(key, out)
            out.append(':')
        }
        start(item)
    }
    return out.toString()
}

private fun quote(text: String, out: StringBuilder) {
    out.append('"')
    for (c in text) {
        when (c) {
            '"' -> out.append("\\\"")
            '\\' -> out.append("\\\\")
            '\n' -> out.append("\\n")
            '\r' -> out.append("\\r")
            '\t' -> out.append("\\t")
            '\b' -> out.append("\\b")
            '\u000C' -> out.append("\\f")
            else -> if (c < ' ') out.append("\\u%04x".format(c.code)) else out.append(c)
        }
    }
    out.append('"')
}

/** `call`'s body as text for the FFI (uniffi.toml's `lower`): NaN is `InvalidArgument`. */
internal fun jsonBodyText(value: JsonValue): String = writeJson(value, strict = true)

/** An array or object being read: its items so far, or its fields and the key being read. */
private class Reading(val items: MutableList<JsonValue>?, val fields: MutableMap<String, JsonValue>?) {
    var key = ""
}

/**
 * `call`'s answer from its text (uniffi.toml's `lift`), with an explicit stack (any depth).
 * The core wrote the text, so a failure here is a bug; it is still a `Decode` error.
 */
internal fun parseJsonAnswer(text: String): JsonValue {
    var i = 0
    fun fail(what: String): Nothing =
        throw WitiException.Decode(code = "decode", detail = "the answer is not JSON: $what at character $i")
    fun skipSpace() {
        while (i < text.length && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t')) i++
    }
    fun expect(c: Char) {
        skipSpace()
        if (i >= text.length || text[i] != c) fail("expected '$c'")
        i++
    }
    fun readString(): String {
        expect('"')
        val out = StringBuilder()
        while (true) {
            if (i >= text.length) fail("unterminated string")
            val c = text[i++]
            when {
                c == '"' -> return out.toString()
                c != '\\' -> out.append(c)
                i >= text.length -> fail("unterminated string")
                else -> when (val e = text[i++]) {
                    '"', '\\', '/' -> out.append(e)
                    'b' -> out.append('\b')
                    'f' -> out.append('\u000C')
                    'n' -> out.append('\n')
                    'r' -> out.append('\r')
                    't' -> out.append('\t')
                    'u' -> {
                        if (i + 4 > text.length) fail("short \\u escape")
                        out.append(text.substring(i, i + 4).toIntOrNull(16)?.toChar() ?: fail("bad \\u escape"))
                        i += 4
                    }
                    else -> fail("bad escape")
                }
            }
        }
    }
    fun readKey(): String {
        val key = readString()
        expect(':')
        return key
    }
    fun readScalar(): JsonValue {
        for ((word, value) in listOf("null" to JsonValue.Null, "true" to JsonValue.Bool(true), "false" to JsonValue.Bool(false))) {
            if (text.startsWith(word, i)) {
                i += word.length
                return value
            }
        }
        val start = i
        while (i < text.length && text[i] in "+-.eE0123456789") i++
        val number = text.substring(start, i)
        if (number.isEmpty()) fail("expected a value")
        val integer = if (number.any { it == '.' || it == 'e' || it == 'E' }) null else number.toLongOrNull()
        return integer?.let { JsonValue.Integer(it) }
            ?: number.toDoubleOrNull()?.let { JsonValue.Decimal(it) }
            ?: fail("bad number")
    }

    val stack = ArrayList<Reading>()
    while (true) {
        // A value: a scalar, or the start of an array or object (then read its first item).
        skipSpace()
        if (i >= text.length) fail("expected a value")
        var value: JsonValue = when (text[i]) {
            '[' -> {
                i++
                skipSpace()
                if (i < text.length && text[i] == ']') {
                    i++
                    JsonValue.Array(emptyList())
                } else {
                    stack.add(Reading(mutableListOf(), null))
                    continue
                }
            }
            '{' -> {
                i++
                skipSpace()
                if (i < text.length && text[i] == '}') {
                    i++
                    JsonValue.Object(emptyMap())
                } else {
                    stack.add(Reading(null, LinkedHashMap<String, JsonValue>()).also { it.key = readKey() })
                    continue
                }
            }
            '"' -> JsonValue.Text(readString())
            else -> readScalar()
        }
        // The value ends the containers it closes; a comma then asks for the next item.
        while (true) {
            val open = stack.lastOrNull() ?: run {
                skipSpace()
                if (i != text.length) fail("text after the value")
                return value
            }
            open.items?.add(value)
            open.fields?.put(open.key, value)
            skipSpace()
            if (i >= text.length) fail("unterminated array or object")
            val c = text[i++]
            if (c == ',') {
                if (open.fields != null) open.key = readKey()
                break
            }
            if (c != (if (open.items != null) ']' else '}')) fail("expected ',' or a closing bracket")
            stack.removeAt(stack.size - 1)
            value = if (open.items != null) JsonValue.Array(open.items) else JsonValue.Object(open.fields!!)
        }
    }
}
