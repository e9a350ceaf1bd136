// The Kotlin example of bindings-kotlin/README.md, verbatim below this header:
// ReadmeExampleTest checks that the README's block is this text and runs it against the
// simulator, so the README cannot show code that does not compile or work.
package me.witi.example

import kotlinx.coroutines.runBlocking
import me.witi.Client
import me.witi.ClientOptions
import me.witi.SentMessage
import me.witi.StatusCode
import me.witi.WitiException
import me.witi.code
import me.witi.connect
import java.time.Duration

fun pairAndSend(apiKey: String, baseUrl: String, to: String): SentMessage? = runBlocking {
    Client(ClientOptions(apiKey = apiKey, baseUrl = baseUrl)).use { client ->
        // A fresh QR each time the old one expires; returns once the phone is paired.
        val paired = client.connect(timeout = Duration.ofMinutes(2)) { qr ->
            println("scan within ${qr.ttlSeconds}s: ${qr.svg.length} characters of SVG")
        }
        println("paired with ${paired.connectionInfo?.wid}")

        try {
            client.setConfig(webhook = "not a url")
        } catch (e: WitiException.InvalidArgument) {
            println("refused before sending: ${e.detail}")
        } catch (e: WitiException) {
            println("[${e.code}] ${e.message}") // api, auth, rate_limited, timeout, ...
        }
        check(client.status().code == StatusCode.Authenticated)

        // `to`: a JID, or an international number such as "+55 11 98765-4321".
        if (!client.isOnWhatsapp(to)) {
            println("$to is not on WhatsApp")
            return@use null
        }
        val sent = client.sendMessage(to, "*Hello* from witi")
        println("sent message ${sent.id}")
        sent
    }
}
