// The PostBack receiver end to end: the simulator delivers to `listen`'s server in each of the
// three framings; the handler sees every event once, in order; a throwing handler is
// reported and the receiver keeps serving.
import { test, describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import util from 'node:util'
import { Client, listen, StatusCode, WebhookServer, InvalidArgumentError, ConnectionError } from 'witi'
import { startSimulator, freshKey, sleep } from './helpers.mjs'

let sim
before(async () => {
  sim = await startSimulator()
})
after(async () => {
  await sim.stop()
})

async function until(predicate, what, ms = 10000) {
  const deadline = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

/** Registers `server` as the key's webhook with a framing; returns the client. */
async function register(key, server, token, framing) {
  const client = new Client({ apiKey: key, baseUrl: sim.url })
  const config = { webhook: `${server.url}hook?token=${token}` }
  if (framing === 'BULK') Object.assign(config, { apiVersionCanBulk: true, apiVersion: '1.0' })
  if (framing === 'BULKGZ') Object.assign(config, { apiVersionCanBulk: true, apiVersion: '1.1' })
  if (framing === 'plain') Object.assign(config, { apiVersionCanBulk: false })
  await client.setConfig(config)
  const snap = (await sim.control('GET', `instances/${key}`)).body
  assert.equal(snap.bulk, framing !== 'plain')
  if (framing !== 'plain') assert.equal(snap.api_version, framing === 'BULKGZ' ? '1.1' : '1.0')
  return client
}

describe('receiver', { concurrency: 3 }, () => {
  for (const framing of ['plain', 'BULK', 'BULKGZ']) {
    it(`delivers every event once, in order (${framing})`, async () => {
      const key = freshKey(`hook-${framing}`)
      const seen = []
      const server = await listen('127.0.0.1:0', async (event) => {
        // A slow async handler: order must hold anyway.
        await sleep(Math.random() * 5)
        seen.push(event)
      }, { token: 'tok-1' })
      assert.ok(server instanceof WebhookServer)
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
      try {
        await register(key, server, 'tok-1', framing)
        // set_config itself posts the status; then 6 events of our own, then a status change.
        for (let n = 0; n < 6; n++) {
          const res = await sim.control('POST', `instances/${key}/postback`, { event: { type: 'message', n } })
          assert.equal(res.status, 200, JSON.stringify(res.body))
        }
        await sim.control('POST', `instances/${key}/status`, { code: 99, status_string: 'SomethingNew' })
        await until(() => seen.length >= 8, `8 events (${framing}), got ${seen.length}`)
        await sleep(300) // nothing more may arrive (no duplicates)
        assert.equal(seen.length, 8)
        assert.equal(seen[0].kind, 'status')
        assert.equal(seen[0].status.webhook.startsWith(`${server.url}hook?token=tok-1&wid=`), true)
        const ns = seen.slice(1, 7).map((e) => {
          assert.equal(e.kind, 'unknown')
          assert.equal(e.status, undefined)
          return JSON.parse(e.json).n
        })
        assert.deepEqual(ns, [0, 1, 2, 3, 4, 5])
        assert.equal(seen[7].kind, 'status')
        assert.equal(seen[7].status.code, 99, 'an unknown code comes back as its number')
        assert.equal(seen[7].status.statusString, 'SomethingNew')
        // The simulator appends `&wid=<WebID>`: every event carries its instance, and an id.
        const wid = seen[0].status.webhook.split('&wid=')[1]
        assert.ok(wid)
        assert.deepEqual(seen.map((e) => e.wid), Array(8).fill(wid))
        assert.equal(new Set(seen.map((e) => e.id)).size, 8)
        assert.ok(seen.every((e) => /^[0-9a-f]{32}$/.test(e.id)))
        // The WebID may be the key: console.log / util.inspect of an event never shows it.
        for (const e of seen) {
          const shown = util.inspect(e, { depth: 10 }) + util.inspect(e, { depth: 10, showHidden: true })
          assert.ok(!shown.includes(wid), shown)
        }
        const snap = (await sim.control('GET', `instances/${key}`)).body
        assert.equal(snap.postbacks.failed, 0)
      } finally {
        await server.close()
      }
    })
  }

  it('a throwing handler is reported and the receiver keeps serving', async () => {
    const key = freshKey('hook-throws')
    const handled = []
    const reported = []
    const server = await listen('127.0.0.1:0', (event) => {
      const n = event.kind === 'unknown' ? JSON.parse(event.json).n : -1
      if (n === 1) throw new Error('sync failure 1')
      if (n === 2) return Promise.reject(new Error('async failure 2'))
      handled.push(n)
    }, { token: 't', onError: (error, event) => reported.push([error.message, JSON.parse(event.json).n]) })
    try {
      await register(key, server, 't', 'plain')
      for (let n = 0; n < 4; n++) await sim.control('POST', `instances/${key}/postback`, { event: { n } })
      await until(() => handled.length >= 3, 'the events after the failures')
      assert.deepEqual(handled, [-1, 0, 3])
      assert.deepEqual(reported, [['sync failure 1', 1], ['async failure 2', 2]])
      const snap = (await sim.control('GET', `instances/${key}`)).body
      assert.equal(snap.postbacks.failed, 0, 'a failing handler still acknowledges (no redelivery)')
    } finally {
      await server.close()
    }
  })

  it('requests queued behind a busy handler keep each its own wid', async () => {
    // The first event holds the handler, so the next requests queue up and reach JS in one
    // call with mixed WebIDs (src/webhook.rs's crossing); each event must keep its own.
    let release
    const held = new Promise((resolve) => { release = resolve })
    const seen = []
    const server = await listen('127.0.0.1:0', async (event) => {
      const body = JSON.parse(event.json)
      if (body.r === 'first') await held
      seen.push([body.r, event.wid])
    })
    try {
      const send = (r, wid) => fetch(`${server.url}hook${wid ? `?wid=${encodeURIComponent(wid)}` : ''}`,
        { method: 'POST', body: JSON.stringify({ r }) })
      const first = send('first', 'w-first')
      await sleep(100)
      const names = ['a', 'b', 'c', 'none', 'quote']
      const wids = { a: 'w-a', b: 'w-b', c: 'w-a', none: undefined, quote: 'w"[,]=' }
      const rest = names.map((r) => send(r, wids[r]))
      await sleep(300)
      release()
      for (const answer of await Promise.all([first, ...rest])) assert.equal(answer.status, 200)
      assert.equal(seen.length, 6)
      assert.deepEqual(seen[0], ['first', 'w-first'])
      for (const [r, wid] of seen.slice(1)) assert.equal(wid, wids[r], r)
      assert.deepEqual(seen.map(([r]) => r).sort(), ['a', 'b', 'c', 'first', 'none', 'quote'])
    } finally {
      await server.close()
    }
  })

  it('sync and async handler calls in one request keep their order, and the answer waits', async () => {
    const seen = []
    const server = await listen('127.0.0.1:0', (event) => {
      const { n } = JSON.parse(event.json)
      if (n === 1) return sleep(50).then(() => { seen.push('1 done') })
      if (n === 2) throw new Error('sync failure after an async call')
      if (n === 3) return { then: (resolve) => setTimeout(() => { seen.push('3 done'); resolve() }, 20) }
      seen.push(n)
    }, { onError: (error, event) => seen.push(`reported ${JSON.parse(event.json).n}`) })
    try {
      const items = [0, 1, 2, 3, 4].map((n) => Buffer.from(JSON.stringify({ n })).toString('base64'))
      const answer = await fetch(server.url, { method: 'POST', body: `BULK,${JSON.stringify(items)}` })
      assert.equal(answer.status, 200)
      assert.deepEqual(seen, [0, '1 done', 'reported 2', '3 done', 4])
    } finally {
      await server.close()
    }
  })

  it('checks the token, and close() frees the port', async () => {
    const server = await listen('127.0.0.1:0', () => {}, { token: 'right' })
    const url = server.url
    const wrong = await fetch(`${url}hook?token=wrong`, { method: 'POST', body: '{"status":0}' })
    assert.equal(wrong.status, 401)
    const right = await fetch(`${url}hook?token=right`, { method: 'POST', body: '{"status":0}' })
    assert.equal(right.status, 200)
    const bad = await fetch(`${url}hook?token=right`, { method: 'POST', body: 'BULKGZ,not base64!' })
    assert.equal(bad.status, 400)
    await server.close()
    await server.close() // twice is fine
    await assert.rejects(fetch(url, { method: 'POST', body: '{}' }))
  })

  it('an AbortSignal closes the receiver; an aborted one starts nothing', async () => {
    const controller = new AbortController()
    const server = await listen('127.0.0.1:0', () => {}, { signal: controller.signal })
    const ok = await fetch(`${server.url}hook`, { method: 'POST', body: '{"status":0}' })
    assert.equal(ok.status, 200)
    controller.abort()
    let closed = false
    for (let i = 0; i < 200 && !closed; i++) {
      closed = await fetch(server.url, { method: 'POST', body: '{}' }).then(() => false, () => true)
      if (!closed) await sleep(10)
    }
    assert.ok(closed, 'the port is closed after the abort')
    const reason = new Error('not now')
    await assert.rejects(
      listen('127.0.0.1:0', () => {}, { signal: AbortSignal.abort(reason) }),
      (e) => e === reason,
    )
  })

  it('refuses a bad address and a port in use with WitiErrors', async () => {
    await assert.rejects(listen('not an address', () => {}), InvalidArgumentError)
    const server = await listen('127.0.0.1:0', () => {})
    try {
      // SO_REUSEADDR lets a port in TIME_WAIT be reused, not one that is listening.
      await assert.rejects(listen(`127.0.0.1:${server.port}`, () => {}), ConnectionError)
    } finally {
      await server.close()
    }
  })

  it('a status PostBack carries a typed Status', async () => {
    const key = freshKey('hook-status')
    const seen = []
    const server = await listen('127.0.0.1:0', (e) => { seen.push(e) })
    try {
      const client = new Client({ apiKey: key, baseUrl: sim.url })
      await client.setConfig({ webhook: `${server.url}hook` })
      await sim.control('POST', `instances/${key}/config`, { auto_scan_after_ms: 50, starting_delay_ms: 50 })
      await client.generateQrcode()
      await until(() => seen.some((e) => e.status?.code === StatusCode.AUTHENTICATED), 'the authenticated PostBack')
      const auth = seen.find((e) => e.status?.code === StatusCode.AUTHENTICATED)
      assert.equal(auth.status.connected, true)
      assert.equal(auth.status.connectionInfo.phone.deviceModel.length > 0, true)
      assert.deepEqual(seen.map((e) => e.status.code).slice(0, 4), [0, 3, 4, 10])
    } finally {
      await server.close()
    }
  })
})
