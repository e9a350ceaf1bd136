// Lifecycle (issue 11): `listen({ signal })` leaves nothing on the signal once the receiver is
// closed, by any path, so one long-lived signal can serve receiver after receiver.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import { listen } from 'witi'

const listeners = (signal) => getEventListeners(signal, 'abort').length

test('close() by any path removes the abort listener of listen({ signal })', async () => {
  const warnings = []
  const onWarning = (w) => warnings.push(w)
  process.on('warning', onWarning)
  try {
    const controller = new AbortController()
    const { signal } = controller
    // 50 rounds on one signal: Node warns past 10 listeners (MaxListenersExceededWarning).
    for (let round = 0; round < 50; round++) {
      const server = await listen('127.0.0.1:0', () => {}, { signal })
      assert.equal(listeners(signal), 1, `round ${round}: listening`)
      await server.close()
      assert.equal(listeners(signal), 0, `round ${round}: after close()`)
      await server.close() // again: nothing to remove, nothing thrown
    }
    // The abort path: the receiver closes and the listener is gone.
    const server = await listen('127.0.0.1:0', () => {}, { signal })
    assert.equal(listeners(signal), 1)
    controller.abort()
    assert.equal(listeners(signal), 0, 'after abort')
    let closed = false
    for (let i = 0; i < 200 && !closed; i++) {
      closed = await fetch(server.url, { method: 'POST', body: '{}' }).then(() => false, () => true)
      if (!closed) await new Promise((r) => setTimeout(r, 10))
    }
    assert.ok(closed, 'the port is closed after the abort')
    await server.close() // after the abort's own close: fine
    // Warnings are emitted on a later tick.
    await new Promise((r) => setImmediate(r))
  } finally {
    process.off('warning', onWarning)
  }
  assert.deepEqual(warnings.map((w) => w.name).filter((n) => n === 'MaxListenersExceededWarning'), [])
})
