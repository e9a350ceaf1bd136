// What only a whole process shows: it exits when idle (a client, a closed receiver), a
// pending call keeps it alive until it settles, and `require` and `import` give the same
// package. Each case runs a child `node` in the scratch project, where `witi` is installed.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { startSimulator, freshKey } from './helpers.mjs'

let sim
before(async () => {
  sim = await startSimulator()
})
after(async () => {
  await sim.stop()
})

/** Runs `source` as a child script; resolves to { code, stdout, stderr, ms }. */
function runChild(name, source, timeoutMs = 15000) {
  const file = path.join(process.cwd(), name)
  fs.writeFileSync(file, source)
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { env: { ...process.env, SIM: sim.url } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started })
    })
  })
}

describe('package', { concurrency: 4 }, () => {
  it('CommonJS: require works and exits when idle after calls', async () => {
    const key = freshKey('cjs')
    const r = await runChild('child-cjs.cjs', `
      const witi = require('witi')
      const { Client, StatusCode, WitiError } = witi
      const client = new Client({ apiKey: '${key}', baseUrl: process.env.SIM })
      client.status().then((s) => console.log('code', s.code, StatusCode[s.code], typeof WitiError))
    `)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.trim(), 'code 0 NO_CONNECTION function')
    assert.ok(r.ms < 5000, `took ${r.ms} ms to exit`)
  })

  it('a receiver nobody holds keeps serving until closed (it is not garbage-collected)', async () => {
    const r = await runChild('child-gc.cjs', `
      require('v8').setFlagsFromString('--expose-gc')
      const gc = require('vm').runInNewContext('gc')
      const witi = require('witi')
      // The server object is dropped when this function returns: only its URL is kept.
      async function start() {
        const server = await witi.listen('127.0.0.1:0', () => {})
        return server.url
      }
      start().then(async (url) => {
        for (let i = 0; i < 5; i++) {
          gc()
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
        const res = await fetch(url, { method: 'POST', body: '{"a":1}' })
        console.log('status', res.status)
        process.exit(0)
      }).catch((e) => { console.log('failed', e.cause?.code ?? e.message); process.exit(0) })
    `)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.trim(), 'status 200')
  })

  it('ESM: named and default imports are the same objects as require', async () => {
    const r = await runChild('child-esm.mjs', `
      import witi, { Client, WitiError, decodePostback } from 'witi'
      import { createRequire } from 'node:module'
      const cjs = createRequire(import.meta.url)('witi')
      console.log(Client === cjs.Client, WitiError === cjs.WitiError, witi === cjs, decodePostback(Buffer.from('{"a":1}'))[0].kind)
    `)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.trim(), 'true true true unknown')
  })

  it('an idle client never keeps the process alive', async () => {
    const r = await runChild('child-idle.mjs', `
      import { Client } from 'witi'
      globalThis.keep = new Client({ apiKey: 'idle-SECRET', baseUrl: process.env.SIM })
      console.log('made')
    `)
    assert.equal(r.code, 0, r.stderr)
    assert.ok(r.ms < 5000, `took ${r.ms} ms`)
  })

  it('a pending call keeps the process alive until it settles', async () => {
    const key = freshKey('pending')
    await sim.control('POST', 'faults', { key, command: 'status.aspx', kind: 'latency', latency_ms: 700, count: 1 })
    const r = await runChild('child-pending.mjs', `
      import { Client } from 'witi'
      new Client({ apiKey: '${key}', baseUrl: process.env.SIM }).status().then((s) => console.log('answered', s.code))
    `)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.trim(), 'answered 0')
    assert.ok(r.ms >= 700)
  })

  it('a receiver keeps the process alive while it runs and not after close()', async () => {
    const r = await runChild('child-receiver.mjs', `
      import { listen } from 'witi'
      const server = await listen('127.0.0.1:0', () => {})
      // Still serving 300 ms later (the receiver holds the process like an http.Server):
      setTimeout(async () => {
        const res = await fetch(server.url, { method: 'POST', body: '{"status":0}' })
        console.log('served', res.status)
        await server.close()
        console.log('closed')
      }, 300)
    `)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.trim(), 'served 200\nclosed')
    assert.ok(r.ms < 5000, `took ${r.ms} ms to exit after close()`)
  })

  it("a throwing handler without onError goes to console.error and the process lives on", async () => {
    const r = await runChild('child-handler-error.mjs', `
      import { listen } from 'witi'
      let n = 0
      const server = await listen('127.0.0.1:0', () => { n += 1; throw new Error('handler broke ' + n) })
      // Two distinct events (the same one again would be a redelivery, handled once).
      const a = await fetch(server.url, { method: 'POST', body: '{"status":0,"n":1}' })
      const b = await fetch(server.url, { method: 'POST', body: '{"status":0,"n":2}' })
      console.log(a.status, b.status, n)
      await server.close()
    `)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.trim(), '200 200 2')
    assert.match(r.stderr, /webhook handler failed[\s\S]*handler broke 1[\s\S]*handler broke 2/)
  })

  it('a connect in progress is not kept alive by its onQr callback after it ends', async () => {
    const key = freshKey('connect-exit')
    await sim.control('POST', `instances/${key}/config`, { auto_scan_after_ms: 50, starting_delay_ms: 0 })
    const r = await runChild('child-connect.mjs', `
      import { Client } from 'witi'
      const c = new Client({ apiKey: '${key}', baseUrl: process.env.SIM })
      const s = await c.connect({ onQr: () => {}, pollIntervalMs: 20 })
      console.log('connected', s.code)
    `)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.trim(), 'connected 10')
    assert.ok(r.ms < 5000, `took ${r.ms} ms`)
  })
})
