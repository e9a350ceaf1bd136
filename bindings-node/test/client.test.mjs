// Node-specific behaviour of Client: AbortSignal, callbacks, error classes, key redaction,
// plain results, environment variables, concurrency.
import { test, describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import util from 'node:util'
import * as witi from 'witi'
import { Client, StatusCode, WitiError, ApiError, AuthError, RateLimitedError, HttpStatusError,
  TimeoutError, ConnectionError, DecodeError, InvalidArgumentError, PostbackError, decodePostback } from 'witi'
import { startSimulator, freshKey, sleep } from './helpers.mjs'

let sim
before(async () => {
  sim = await startSimulator()
})
after(async () => {
  await sim.stop()
})

const calls = async (key, command) => (await sim.control('GET', `instances/${key}`)).body.calls?.[command] ?? 0
const fault = (key, f) => sim.control('POST', 'faults', { key, ...f })

function assertNoKey(value, key) {
  const texts = [String(value), util.inspect(value, { showHidden: true, depth: 10 })]
  if (value instanceof Error) texts.push(value.message, value.stack ?? '', JSON.stringify(value))
  for (const t of texts) assert.ok(!t.includes(key), `the key leaked: ${t}`)
}

describe('client', { concurrency: 8 }, () => {
  it('an abort cancels a stalled call at once, with the signal reason', async () => {
    const key = freshKey('abort')
    const client = new Client({ apiKey: key, baseUrl: sim.url, maxRetries: 0 })
    await fault(key, { command: 'status.aspx', kind: 'stall', stall_ms: 10000, count: 1 })
    const ac = new AbortController()
    const started = Date.now()
    setTimeout(() => ac.abort(), 100)
    const e = await client.status({ signal: ac.signal }).then(() => null, (err) => err)
    assert.ok(e instanceof DOMException && e.name === 'AbortError', util.inspect(e))
    assert.ok(Date.now() - started < 2000)
    // The client still works afterwards.
    assert.equal((await client.status()).code, StatusCode.NO_CONNECTION)
  })

  it('an already aborted signal sends nothing; a custom reason is kept', async () => {
    const key = freshKey('aborted')
    const client = new Client({ apiKey: key, baseUrl: sim.url })
    const reason = new Error('mine')
    await assert.rejects(client.disconnect({ signal: AbortSignal.abort(reason) }), (e) => e === reason)
    assert.equal(await calls(key, 'disconnect.aspx'), 0)
  })

  it('AbortSignal.timeout works', async () => {
    const key = freshKey('abort-timeout')
    const client = new Client({ apiKey: key, baseUrl: sim.url })
    await fault(key, { command: 'status.aspx', kind: 'stall', stall_ms: 10000, count: 1 })
    await assert.rejects(client.status({ signal: AbortSignal.timeout(100) }), (e) => e.name === 'TimeoutError')
  })

  it('aborting connect stops the flow (no more polling)', async () => {
    const key = freshKey('abort-connect')
    const client = new Client({ apiKey: key, baseUrl: sim.url })
    const ac = new AbortController()
    let qrs = 0
    const done = client.connect({ onQr: () => { qrs += 1 }, pollIntervalMs: 20, timeoutMs: 20000, signal: ac.signal })
    // Let it poll a few times (however loaded the machine is), then abort.
    const deadline = Date.now() + 10000
    while ((await calls(key, 'status.aspx')) < 4 && Date.now() < deadline) await sleep(20)
    ac.abort()
    await assert.rejects(done, (e) => e.name === 'AbortError')
    assert.equal(qrs, 1)
    await sleep(50) // a request already on the wire may still land
    const before = await calls(key, 'status.aspx')
    assert.ok(before >= 4, `polled ${before} times`)
    await sleep(300)
    assert.equal(await calls(key, 'status.aspx'), before, 'the flow kept polling after the abort')
  })

  it('a throwing onQr rejects connect with that same error, and stops the flow', async () => {
    const key = freshKey('onqr-throws')
    const client = new Client({ apiKey: key, baseUrl: sim.url })
    const mine = new RangeError('no screen to show it on')
    await assert.rejects(client.connect({ onQr: () => { throw mine }, pollIntervalMs: 20 }), (e) => e === mine)
    await sleep(50) // a request already on the wire may still land (it did once in CI)
    const polled = await calls(key, 'status.aspx')
    await sleep(200)
    assert.equal(await calls(key, 'status.aspx'), polled)
    // An async onQr that rejects does the same.
    const other = new Error('async no')
    const key2 = freshKey('onqr-rejects')
    const client2 = new Client({ apiKey: key2, baseUrl: sim.url })
    await assert.rejects(client2.connect({ onQr: async () => { throw other }, pollIntervalMs: 20 }), (e) => e === other)
  })

  it('connect hands a QrCode to onQr and resolves once authenticated', async () => {
    const key = freshKey('connect')
    await sim.control('POST', `instances/${key}/config`, { auto_scan_after_ms: 100, starting_delay_ms: 50 })
    const client = new Client({ apiKey: key, baseUrl: sim.url })
    const codes = []
    const status = await client.connect({ onQr: (qr) => { codes.push(qr) }, pollIntervalMs: 20, timeoutMs: 10000 })
    assert.equal(status.code, StatusCode.AUTHENTICATED)
    assert.equal(codes.length, 1)
    assert.match(codes[0].svg, /^<\?xml[\s\S]*<svg/)
    assert.match(codes[0].dataUrl, /^data:image\/svg\+xml;base64,/)
    assert.equal(codes[0].ttlSeconds, 20)
  })

  it('errors are WitiError subclasses with their fields', async () => {
    const key = freshKey('errors')
    const client = new Client({ apiKey: key, baseUrl: sim.url, maxRetries: 0 })
    const cases = [
      [{ kind: 'http_status', status: 429, retry_after: '3' }, RateLimitedError, { code: 'rate_limited', status: 429, retryAfter: 3 }],
      [{ kind: 'http_status', status: 401 }, AuthError, { code: 'auth', status: 401 }],
      [{ kind: 'http_status', status: 502 }, HttpStatusError, { code: 'http_status', status: 502 }],
      [{ kind: 'html' }, DecodeError, { code: 'decode' }],
      [{ kind: 'reset' }, ConnectionError, { code: 'connection' }],
    ]
    for (const [f, cls, fields] of cases) {
      await fault(key, { command: 'status.aspx', count: 1, ...f })
      const e = await client.status().then(() => null, (err) => err)
      assert.ok(e instanceof cls && e instanceof WitiError && e instanceof Error, `${f.kind}: ${util.inspect(e)}`)
      assert.equal(e.name, cls.name)
      for (const [k, v] of Object.entries(fields)) assert.equal(e[k], v, `${f.kind}: ${k}`)
      assert.equal(e.command, 'status.aspx')
      assertNoKey(e, key)
    }
    const api = await client.saveSession().then(() => null, (err) => err)
    assert.ok(api instanceof ApiError)
    assert.equal(api.serverMessage, 'No active session to save')
    assertNoKey(api, key)
    const slow = new Client({ apiKey: key, baseUrl: sim.url, maxRetries: 0, timeoutMs: 100 })
    await fault(key, { command: 'status.aspx', count: 1, kind: 'stall', stall_ms: 3000 })
    const timeout = await slow.status().then(() => null, (err) => err)
    assert.ok(timeout instanceof TimeoutError && timeout.code === 'timeout')
    assert.throws(() => decodePostback(Buffer.from('BULK,[1')), PostbackError)
    assert.throws(() => new Client({ apiKey: '', baseUrl: sim.url }), InvalidArgumentError)
    await assert.rejects(client.waitForStatus([]), InvalidArgumentError)
    await assert.rejects(client.waitForStatus(10, { timeoutMs: -1 }), InvalidArgumentError)
    await assert.rejects(client.connect({}), InvalidArgumentError)
    // Wrong JS types, caught by napi's conversion, are invalid_argument too.
    await assert.rejects(client.setConfig({ webhook: 5 }), InvalidArgumentError)
    await assert.rejects(client.waitForStatus(['ten']), InvalidArgumentError)
    assert.throws(() => decodePostback('not a buffer'), InvalidArgumentError)
    assert.throws(() => new Client({ apiKey: key, baseUrl: sim.url, maxRetries: 'two' }), InvalidArgumentError)
  })

  it('the key never shows: client, errors with the key echoed by the server, bad base URL', async () => {
    const key = freshKey('redact')
    const client = new Client({ apiKey: key, baseUrl: sim.url, maxRetries: 0 })
    assertNoKey(client, key)
    // A server that echoes the whole URL (key included) in an error body.
    await fault(key, { command: 'status.aspx', count: 1, kind: 'http_status', status: 500, body: `bad wid=${key}` })
    const e1 = await client.status().then(() => null, (err) => err)
    assertNoKey(e1, key)
    await fault(key, { command: 'status.aspx', count: 1, kind: 'html', body: `<html>${key}</html>` })
    const e2 = await client.status().then(() => null, (err) => err)
    assertNoKey(e2, key)
    await fault(key, { command: 'status.aspx', count: 1, kind: 'http_status', status: 200, body: `{"status":0,"error":"no ${key}"}` })
    const e3 = await client.status().then(() => null, (err) => err)
    assertNoKey(e3, key)
    const refused = new Client({ apiKey: key, baseUrl: 'http://127.0.0.1:9/', maxRetries: 0 })
    const e4 = await refused.status().then(() => null, (err) => err)
    assert.ok(e4 instanceof ConnectionError)
    assertNoKey(e4, key)
    const e5 = (() => { try { new Client({ apiKey: key, baseUrl: `http://h/?wid=${key}` }) } catch (e) { return e } })()
    assert.ok(e5 instanceof InvalidArgumentError)
    assertNoKey(e5, key)
  })

  it('a wrongly typed argument is refused without quoting it (napi quoted the whole value)', async () => {
    const key = freshKey('typed')
    const client = new Client({ apiKey: key, baseUrl: sim.url, maxRetries: 0 })
    const thrown = (f) => { try { f() } catch (e) { return e } return null }
    for (const e of [
      thrown(() => new Client({ apiKey: [key] })),
      thrown(() => new Client({ apiKey: key, baseUrl: { apiKey: key } })),
      thrown(() => new Client({ apiKey: key, baseUrl: sim.url, proxy: { apiKey: key } })),
      await client.sendMessage({ to: '+5511987654321', apiKey: key }, 'hi').then(() => null, (err) => err),
      await client.groupCreate('Team', [{ apiKey: key }]).then(() => null, (err) => err),
      await client.setConfig({ webhook: { apiKey: key } }).then(() => null, (err) => err),
    ]) {
      assert.ok(e instanceof InvalidArgumentError, String(e))
      assertNoKey(e, key)
      assert.match(e.message, /expected a string, got an? (object|array)/)
    }
    // A number (a phone, or a key kept as a number) is not quoted either.
    const e = await client.sendMessage(5511987654321, 'hi').then(() => null, (err) => err)
    assert.ok(e instanceof InvalidArgumentError)
    assert.ok(!e.message.includes('5511987654321'), e.message)
    assert.equal(await calls(key, 'send_message.aspx'), 0)
  })

  it('results are plain objects with camelCase fields; StatusCode is a runtime enum', async () => {
    const key = freshKey('plain')
    const client = new Client({ apiKey: key, baseUrl: sim.url })
    const status = await client.status()
    assert.equal(Object.getPrototypeOf(status), Object.prototype)
    assert.deepEqual(Object.keys(status).sort(), ['canRestoreConnection', 'code', 'connected', 'rawJson', 'stats', 'statusString', 'storage', 'userAgent', 'webId', 'webhook'])
    // The WebID may be the key (the gateway sends it as `&wid=`): inspect never shows it.
    assert.ok(status.webId)
    assertNoKey(status, status.webId)
    assert.match(util.inspect(status), /webId: '<redacted>'/)
    const events = decodePostback(Buffer.from(JSON.stringify([{ status: 10, statusString: 'x', WebID: 'K3y+SECRET', Webhook: 'http://h/?wid=K3y+SECRET' }, { a: 1 }])), 'K3y+SECRET')
    assert.equal(events[0].wid, 'K3y+SECRET')
    assert.equal(events[0].status.webId, 'K3y+SECRET')
    for (const e of events) assertNoKey(e, 'K3y')
    assert.equal(StatusCode.AUTHENTICATED, 10)
    assert.equal(StatusCode[10], 'AUTHENTICATED')
    assert.equal(StatusCode.NOT_AUTHENTICATED, 13)
    await sim.control('POST', `instances/${key}/status`, { code: 77 })
    const unknown = await client.status()
    assert.equal(unknown.code, 77)
    assert.equal(StatusCode[unknown.code], undefined)
    const waited = await client.waitForStatus(77, { pollIntervalMs: 10, timeoutMs: 2000 })
    assert.equal(waited.code, 77)
    const cleared = await client.clear()
    assert.deepEqual(cleared, { success: true, message: 'clear ok' })
    assert.deepEqual(Object.keys(witi).includes('Client'), true)
  })

  it('a decoded status event keeps its own text in json and in status.rawJson', () => {
    const text = '{"status":10,"statusString":"WhatsAppAuthenticated","connected":true}'
    const bulk = 'BULK,' + JSON.stringify([text, '{"other":1}'].map((t) => Buffer.from(t).toString('base64')))
    for (const body of [Buffer.from(`\ufeff ${text}\n`), Buffer.from(bulk)]) {
      const [status, ...rest] = decodePostback(body)
      assert.equal(status.kind, 'status')
      assert.equal(status.json, text)
      assert.equal(status.status.rawJson, text)
      assert.equal(status.status.code, StatusCode.AUTHENTICATED)
      for (const { id, ...other } of rest) {
        assert.deepEqual(other, { kind: 'unknown', json: '{"other":1}' })
        assert.match(id, /^[0-9a-f]{32}$/)
      }
    }
  })

  it('reads WITI_API_KEY and WITI_BASE_URL', async () => {
    const key = freshKey('env')
    process.env.WITI_API_KEY = key
    process.env.WITI_BASE_URL = sim.url + 'prefix'
    try {
      const client = new Client()
      assert.equal(client.baseUrl, sim.url + 'prefix/')
      await client.status()
      assert.equal(await calls(key, 'status.aspx'), 1)
    } finally {
      delete process.env.WITI_API_KEY
      delete process.env.WITI_BASE_URL
    }
    assert.throws(() => new Client({ baseUrl: sim.url }), (e) => e instanceof InvalidArgumentError && /WITI_API_KEY/.test(e.message))
  })

  it('one client serves 500 concurrent calls', async () => {
    const key = freshKey('many')
    const client = new Client({ apiKey: key, baseUrl: sim.url })
    const results = await Promise.all(Array.from({ length: 500 }, () => client.status()))
    assert.equal(results.length, 500)
    assert.ok(results.every((s) => s.code === 0))
    assert.equal(await calls(key, 'status.aspx'), 500)
  })

  it('the eight commands, through a whole session', async () => {
    const key = freshKey('session')
    await sim.control('POST', `instances/${key}/config`, { starting_delay_ms: 0 })
    const client = new Client({ apiKey: key, baseUrl: sim.url })
    const qr = await client.generateQrcode({ userAgent: 'Mozilla/5.0 test' })
    assert.ok(qr.svg.includes('<svg'))
    assert.equal((await sim.control('POST', `instances/${key}/scan`, {})).status, 200)
    const status = await client.waitForStatus([StatusCode.AUTHENTICATED], { pollIntervalMs: 10, timeoutMs: 5000 })
    assert.equal(status.connectionInfo.phone.osBuildNumber, undefined)
    assert.deepEqual(status.connectionInfo.locales, ['en-US', 'pt-BR'])
    assert.equal(status.connectionInfo.isResponse, false)
    assert.equal((await client.saveSession()).success, true)
    const closed = await client.closeSession()
    assert.equal(closed.status.code, StatusCode.NO_CONNECTION)
    const restored = await client.restoreSession()
    assert.equal(restored.status.code, StatusCode.AUTHENTICATED)
    const configured = await client.setConfig({ userAgent: 'ua-2' })
    assert.equal(configured.userAgent, 'ua-2')
    const gone = await client.disconnect()
    assert.equal(gone.connected, false)
  })
})

describe('maxConnections and proxy', () => {
  it('queues calls beyond the cap within their timeout', async () => {
    const key = freshKey('cap')
    await fault(key, { command: 'status.aspx', kind: 'latency', latency_ms: 300 })
    const client = new Client({ apiKey: key, baseUrl: sim.url, maxConnections: 2 })
    const started = performance.now()
    await Promise.all(Array.from({ length: 6 }, () => client.status()))
    // 6 calls of 300 ms through 2 connections: at least 3 rounds.
    assert.ok(performance.now() - started >= 900)
  })

  it('refuses a cap below one', () => {
    for (const maxConnections of [0, -1]) {
      assert.throws(() => new Client({ apiKey: 'k', baseUrl: sim.url, maxConnections }), InvalidArgumentError)
    }
  })

  it('names an explicit proxy in a connection error, without its credentials', async () => {
    const client = new Client({
      apiKey: freshKey('proxy'), baseUrl: 'http://127.0.0.1:9/', proxy: 'http://alice:hunter2@127.0.0.1:1', maxRetries: 0,
    })
    const e = await client.status().then(() => null, (e) => e)
    assert.ok(e instanceof ConnectionError, String(e))
    assert.match(e.message, /through proxy http:\/\/127\.0\.0\.1:1/)
    assert.doesNotMatch(e.message, /hunter2|alice/)
  })
})
