// witi for Node against the obvious alternatives, in one run against one simulator:
//   - client.status() vs Node's fetch (undici) + JSON.parse, at 1, 10 and 1000 calls in flight;
//   - decodePostback vs Buffer base64 + zlib.inflateSync + JSON.parse, per framing;
//   - the time `require('witi')` takes.
// Ratios are witi's throughput over the alternative's: above 1.0, witi is faster.
// Rounds alternate between the two sides and the median round counts, so drift in the
// machine's load hits both. Options: --quick (fewer rounds), --only decode|status|load.
import { spawn, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import zlib from 'node:zlib'

const pkg = process.env.WITI_PKG
const quick = process.argv.includes('--quick')
// --only decode|status|load: one part (e.g. while working on the decoder); default all.
const onlyAt = process.argv.indexOf('--only')
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : null
const part = (name) => only === null || only === name
const ROUNDS = quick ? 3 : 7
const require = createRequire(import.meta.url)
const { Client, decodePostback } = require(pkg)

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(2))

async function startSimulator() {
  const child = spawn(process.env.WITI_SIM_BIN, ['--port', '0', '--exit-on-stdin-eof'], { stdio: ['pipe', 'pipe', 'ignore'] })
  process.on('exit', () => child.kill())
  const url = await new Promise((resolve, reject) => {
    let buf = ''
    child.on('error', reject)
    child.stdout.on('data', (d) => {
      buf += d
      const m = buf.match(/listening on (http:\/\/\S+\/)/)
      if (m) resolve(m[1])
    })
  })
  return { url, stop: () => child.stdin.end() }
}

/** Calls/s of `call` with `inFlight` calls always pending, `total` calls in all. */
async function throughput(call, inFlight, total) {
  let started = 0
  const t0 = process.hrtime.bigint()
  const worker = async () => {
    while (started < total) {
      started += 1
      await call()
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  return total / (Number(process.hrtime.bigint() - t0) / 1e9)
}

async function benchStatus(url) {
  const key = 'bench-node-SECRET'
  const client = new Client({ apiKey: key, baseUrl: url })
  const target = `${url}status.aspx?wid=${key}`
  const witi = () => client.status()
  const fetchJson = async () => {
    const res = await fetch(target)
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    return JSON.parse(await res.text())
  }
  console.log('\nstatus(): calls/s (median of rounds), witi vs fetch + JSON.parse')
  const rows = []
  for (const [inFlight, total] of [[1, quick ? 500 : 2000], [10, quick ? 2000 : 6000], [1000, quick ? 5000 : 20000]]) {
    // Warm both (connections, JIT) before measuring.
    await throughput(witi, inFlight, Math.min(total, 2 * inFlight + 200))
    await throughput(fetchJson, inFlight, Math.min(total, 2 * inFlight + 200))
    const w = []
    const f = []
    for (let r = 0; r < ROUNDS; r++) {
      w.push(await throughput(witi, inFlight, total))
      f.push(await throughput(fetchJson, inFlight, total))
    }
    const ratio = median(w) / median(f)
    rows.push([inFlight, ratio])
    console.log(`  ${String(inFlight).padStart(4)} in flight: witi ${fmt(median(w)).padStart(6)}/s  fetch ${fmt(median(f)).padStart(6)}/s  ratio ${ratio.toFixed(2)}x`)
    // A row of bench/all.sh's table.
    if (inFlight !== 10) console.log(`TABLE\tstatus${inFlight}\t${ratio.toFixed(2)}\tfetch\t${median(w).toFixed(0)}\t${median(f).toFixed(0)}`)
  }
  return rows
}

/** Ops/s of a sync function, for about `ms` milliseconds. */
function opsPerSec(fn, ms = 300) {
  let n = 0
  const t0 = process.hrtime.bigint()
  const limit = BigInt(ms) * 1_000_000n
  let elapsed = 0n
  while (elapsed < limit) {
    for (let i = 0; i < 20; i++) fn()
    n += 20
    elapsed = process.hrtime.bigint() - t0
  }
  return n / (Number(elapsed) / 1e9)
}

/** What a Node user writes without witi: the three framings by hand. */
function byHand(body) {
  let text = body.toString('latin1', 0, Math.min(body.length, 7))
  let items
  if (text.startsWith('BULKGZ,')) {
    const raw = zlib.inflateSync(Buffer.from(body.toString('latin1', 7), 'base64'))
    let json = raw.toString('utf8')
    if (json.charCodeAt(0) === 0xfeff) json = json.slice(1)
    items = JSON.parse(json)
  } else if (text.startsWith('BULK,')) {
    items = JSON.parse(body.toString('utf8', 5))
  } else {
    return [JSON.parse(body.toString('utf8'))]
  }
  return items.map((b64) => JSON.parse(Buffer.from(b64, 'base64').toString('utf8')))
}

function benchDecode() {
  const statusEvent = JSON.stringify({
    status: 10, statusString: 'WhatsAppAuthenticated', connected: true,
    ConnectionInfo: { lg: 'en', lc: 'US', phone: { device_model: 'iPhone 4S', wa_version: '2.20.20', mcc: '000', mnc: '000', os_version: '9.3.6', os_build_number: 'undefined', device_manufacturer: 'Apple' }, battery: 83, plugged: false, platform: 'iphone', wid: '5511912345678@s.whatsapp.net', pushname: 'Atendimento Maria', tos: 0, protoVersion: [0, 17], connected: true, isResponse: 'false', binVersion: 10, locales: 'en-US,pt-BR' },
    WebID: '6D6307C3-2973-4468-85FA-D047CB8E1F2E', Webhook: 'http://127.0.0.1:9/hook&wid=6D6307C3', UserAgent: 'Mozilla/5.0', CanRestoreConnection: true,
    stats: { Contacts: 72, Chats: 32, SentBytes: 0, ReceveidBytes: 0 },
    storage: { Name: '6D6307C3', Bytes: 15544238, Files: 107, Subs: [{ Name: 'media', Bytes: 15000000, Files: 100, Subs: null }] },
  })
  const message = JSON.stringify({ type: 'message', from: '5511987654321@s.whatsapp.net', text: 'hello there', id: 'ABCDEF0123456789' })
  const events = (n) => Array.from({ length: n }, (_, i) => (i % 2 ? message : statusEvent))
  const bulk = (n) => JSON.stringify(events(n).map((e) => Buffer.from(e).toString('base64')))
  const bodies = [
    ['plain JSON, 1 status event', Buffer.from(statusEvent)],
    ['BULK, 10 events', Buffer.from(`BULK,${bulk(10)}`)],
    ['BULKGZ, 10 events', Buffer.from(`BULKGZ,${zlib.deflateSync(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(bulk(10))])).toString('base64')}`)],
    ['BULKGZ, 1000 events', Buffer.from(`BULKGZ,${zlib.deflateSync(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(bulk(1000))])).toString('base64')}`)],
  ]
  console.log('\ndecodePostback: decodes/s (median of rounds), witi vs base64 + zlib.inflateSync + JSON.parse')
  const rows = []
  for (const [name, body] of bodies) {
    if (decodePostback(body).length !== byHand(body).length) throw new Error(`${name}: the two disagree`)
    const w = []
    const h = []
    for (let r = 0; r < ROUNDS; r++) {
      w.push(opsPerSec(() => decodePostback(body)))
      h.push(opsPerSec(() => byHand(body)))
    }
    const ratio = median(w) / median(h)
    rows.push([name, ratio])
    console.log(`  ${name.padEnd(28)} witi ${fmt(median(w)).padStart(8)}/s  by hand ${fmt(median(h)).padStart(8)}/s  ratio ${ratio.toFixed(2)}x`)
    const key = { 'plain JSON, 1 status event': 'decode_plain1', 'BULKGZ, 1000 events': 'decode_bulkgz1000' }[name]
    if (key) console.log(`TABLE\t${key}\t${ratio.toFixed(2)}\tby hand\t${fmt(median(w))}/s\t${fmt(median(h))}/s`)
    if (key) {
      // Events build their `status` on first access: the same decode when the handler reads
      // every event's status (no TABLE row; the decode rows do not read them).
      const readAll = () => {
        for (const event of decodePostback(body)) void event.status
      }
      const r = []
      const h2 = []
      for (let i = 0; i < ROUNDS; i++) {
        r.push(opsPerSec(readAll))
        h2.push(opsPerSec(() => byHand(body)))
      }
      console.log(`  ${(name + ', every status read').padEnd(28)} witi ${fmt(median(r)).padStart(8)}/s  by hand ${fmt(median(h2)).padStart(8)}/s  ratio ${(median(r) / median(h2)).toFixed(2)}x`)
    }
  }
  return rows
}

function benchRequire() {
  // A fresh process each time: the first load is what a program pays.
  const time = (code) => {
    const runs = []
    for (let i = 0; i < ROUNDS; i++) {
      const out = spawnSync(process.execPath, ['--input-type=module', '-e',
        `const t = process.hrtime.bigint(); ${code}; console.log(Number(process.hrtime.bigint() - t) / 1e6)`], { encoding: 'utf8' })
      runs.push(Number(out.stdout.trim()))
    }
    return median(runs)
  }
  const witiMs = time(`(await import('node:module')).createRequire(import.meta.url)(${JSON.stringify(pkg)})`)
  // Node's fetch is built in but lazy: its first use loads undici.
  const fetchMs = time(`await (await fetch('data:,x')).text()`)
  console.log(`\nload: require('witi') ${witiMs.toFixed(1)} ms; first use of Node's fetch (loads undici) ${fetchMs.toFixed(1)} ms; ratio ${(fetchMs / witiMs).toFixed(2)}x`)
}

if (part('status')) {
  const sim = await startSimulator()
  await benchStatus(sim.url)
  sim.stop()
}
if (part('decode')) benchDecode()
if (part('load')) benchRequire()
