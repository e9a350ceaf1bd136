// Runs the README's Kotlin example (ReadmeExample.kt) and checks the README shows exactly it.
package me.witi

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.File

class ReadmeExampleTest {
    @Test
    fun `the README shows the example file verbatim`() {
        val readme = File(Sim.repo, "bindings-kotlin/README.md").readText()
        val block = Regex("```kotlin\n(.*?)```", RegexOption.DOT_MATCHES_ALL).find(readme)
            ?.groupValues?.get(1) ?: throw AssertionError("no ```kotlin block in the README")
        val source = File(Sim.repo, "bindings-kotlin/kotlin/src/test/kotlin/me/witi/ReadmeExample.kt").readText()
        val example = source.substring(source.indexOf("package me.witi.example"))
        assertEquals(example, block)
    }

    @Test
    fun `the README example pairs a phone, checks a number and sends a text against the simulator`() {
        val key = Sim.freshKey("readme")
        runBlocking { Sim.control("POST", "instances/$key/config", mapOf("auto_scan_after_ms" to 100, "starting_delay_ms" to 50)) }
        val sent = me.witi.example.pairAndSend(key, Sim.url, "+55 11 98765-4321")
        assertNotNull(sent, "the number is on WhatsApp in the simulator")
        assertTrue(sent!!.id.isNotEmpty(), "$sent")
        val (status, answer) = runBlocking { Sim.control("GET", "instances/$key/sent") }
        assertEquals(200, status, "$answer")
        val records = if (answer.isObject) answer.path("sent") else answer
        assertEquals(1, records.size(), "$answer")
        val last = records.last().toString()
        assertTrue(last.contains("5511987654321@s.whatsapp.net") && last.contains("*Hello* from witi"), last)
    }
}
