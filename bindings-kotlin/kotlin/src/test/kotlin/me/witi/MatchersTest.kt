// The corpus runner's matchers can fail (as core/tests/conformance.rs checks for Rust's).
package me.witi

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class MatchersTest {
    private fun j(text: String) = Sim.mapper.readTree(text)

    @Test
    fun `the matchers can fail`() {
        assertFalse(Matchers.matches(j("1"), j("2")))
        assertTrue(Matchers.matches(j("7"), j("7.0")))
        assertFalse(Matchers.matches(null, j("""{"${'$'}present": true}""")))
        assertTrue(Matchers.matches(j("null"), j("null")))
        assertFalse(Matchers.matches(j("\"abc\""), j("""{"${'$'}prefix": "b"}""")))
        assertTrue(Matchers.matches(j("[1, 2]"), j("""{"${'$'}len": {"${'$'}gte": 2}}""")))
        assertFalse(Matchers.matches(j("[1]"), j("""{"${'$'}len": 2}""")))
        assertEquals(j("3"), Matchers.lookup(j("""{"a": [{"b": 3}]}"""), "a.0.b"))
    }

    @Test
    fun `results become trees with the spec's snake_case names`() {
        val tree = Tree.of(QrCode(svg = "<svg/>", dataUrl = "data:x", ttlSeconds = 20))
        assertTrue(Matchers.same(j("""{"svg": "<svg/>", "data_url": "data:x", "ttl_seconds": 20}"""), tree), "$tree")
        assertTrue(Matchers.matches(Tree.of(StatusCode.Unknown(99)), j("99")))
        assertTrue(Matchers.matches(Tree.of(listOf(0L, 17L)), j("[0, 17.0]")))
        assertFalse(Matchers.matches(Tree.of(listOf(0L, 17L)), j("[0, 18]")))
    }
}
