// The language-neutral scenario corpus (tests/conformance/*.json, format in tests/README.md)
// through the public `witi` package: the same steps and matchers as the Rust runner
// (core/tests/conformance.rs). Field paths are the spec's snake_case; the JS objects have
// them in camelCase, so each path segment is converted before the lookup.
import { test, describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import util from 'node:util'
import { createRequire } from 'node:module'
import { Client, decodePostback, WitiError } from 'witi'
import { repo, startSimulator } from './helpers.mjs'

// Core's table of calls and the binding's public form of each (the installed package's own
// calls.js): a table call is dispatched generically, by its parameters' names.
const require = createRequire(import.meta.url)
const pkg = path.dirname(require.resolve('witi'))
const calls = require(path.join(pkg, 'calls.js'))
const table = new Map(calls.readTable(require(path.join(pkg, 'native.js')).callTable()).map((e) => [e.name, e]))

const dir = path.join(repo, 'tests/conformance')
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()

let sim
before(async () => {
  sim = await startSimulator()
})
after(async () => {
  await sim.stop()
})

const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

export function lookup(value, p) {
  let v = value
  for (const part of p.split('.')) {
    if (v === null || v === undefined) return undefined
    if (Array.isArray(v)) v = v[Number(part)]
    else if (typeof v === 'object') v = part in v ? v[part] : v[camel(part)]
    else return undefined
  }
  return v
}

const snake = (s) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/** A result as JSON-like data for `value`: absent is null, typed results' keys snake_case. */
export function jsonLike(value, type) {
  if (value === undefined) return null
  const data = JSON.parse(JSON.stringify(value))
  if (type === 'Json') return data
  const keys = (v) => Array.isArray(v) ? v.map(keys)
    : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [snake(k), keys(x)]))
    : v
  return keys(data)
}

export function matches(got, matcher) {
  if (got === null) got = undefined
  if (matcher !== null && typeof matcher === 'object' && !Array.isArray(matcher)) {
    const keys = Object.keys(matcher)
    if (keys.length > 0 && keys.every((k) => k.startsWith('$'))) {
      return keys.every((op) => {
        const arg = matcher[op]
        switch (op) {
          case '$present':
            return (got !== undefined) === (arg ?? true)
          case '$contains':
            return typeof got === 'string' && got.includes(arg)
          case '$prefix':
            return typeof got === 'string' && got.startsWith(arg)
          case '$suffix':
            return typeof got === 'string' && got.endsWith(arg)
          case '$gte':
            return typeof got === 'number' && got >= arg
          case '$len': {
            const len = Array.isArray(got) ? got.length : typeof got === 'string' ? [...got].length : undefined
            return len !== undefined && matches(len, arg)
          }
          default:
            return false
        }
      })
    }
  }
  if (got === undefined) return matcher === null
  if (typeof got === 'number' && typeof matcher === 'number') return got === matcher
  return util.isDeepStrictEqual(got, matcher)
}

class Run {
  constructor(name, scenario) {
    this.key = `conf-${name.replace(/\.json$/, '')}-${Math.random().toString(16).slice(2, 10)}-SECRET`
    this.options = scenario.client ?? {}
    this.client = this.build({})
  }

  build(args) {
    const base = args.base_url ?? (args.base_url_path !== undefined ? sim.url + args.base_url_path : sim.url)
    return new Client({
      apiKey: args.api_key ?? this.key,
      baseUrl: base,
      timeoutMs: this.options.timeout_ms,
      maxRetries: this.options.max_retries,
      initialBackoffMs: this.options.initial_backoff_ms,
    })
  }
}

async function simStep(run, verb, step) {
  let res
  switch (verb) {
    case 'fault':
      res = await sim.control('POST', 'faults', { ...step.fault, key: run.key })
      break
    case 'scan':
      res = await sim.control('POST', `instances/${run.key}/scan`, {})
      break
    case 'force_status': {
      const body = { code: step.code }
      if (step.status_string !== undefined) body.status_string = step.status_string
      res = await sim.control('POST', `instances/${run.key}/status`, body)
      break
    }
    case 'status_script':
      res = await sim.control('POST', `instances/${run.key}/status_script`, { answers: step.answers })
      break
    case 'expect_sent': {
      const snap = await sim.control('GET', `instances/${run.key}/sent`)
      assert.equal(snap.status, 200, `the simulator answered ${snap.status}: ${JSON.stringify(snap.body)}`)
      const sent = Array.isArray(snap.body) ? snap.body : snap.body.sent
      assert.equal(sent.length, step.count, `${sent.length} records sent, expected ${step.count}: ${JSON.stringify(sent)}`)
      for (const [p, matcher] of Object.entries(step.last ?? {})) {
        const got = lookup(sent.at(-1), p)
        assert.ok(matches(got, matcher), `last sent ${p}: expected ${JSON.stringify(matcher)}, got ${util.inspect(got)}`)
      }
      return
    }
    case 'expect_calls': {
      const snap = await sim.control('GET', `instances/${run.key}`)
      const got = snap.status === 404 ? 0 : (snap.body.calls?.[step.command] ?? 0)
      assert.equal(got, step.count, `${step.command} was called ${got} times, expected ${step.count}`)
      return
    }
    default:
      throw new Error(`unknown sim step ${verb}`)
  }
  const want = step.expect_http_status ?? 200
  assert.equal(res.status, want, `the simulator answered ${res.status}: ${JSON.stringify(res.body)}`)
}

async function invoke(run, call, args, qr) {
  const c = run.client
  const ms = (name) => args[name]
  switch (call) {
    case 'new_client':
      run.client = run.build(args)
      return { baseUrl: run.client.baseUrl }
    case 'wait_for_status':
      return c.waitForStatus(args.targets, {
        timeoutMs: ms('timeout_ms') ?? 30000,
        pollIntervalMs: ms('poll_interval_ms') ?? 1000,
      })
    case 'connect':
      return c.connect({
        timeoutMs: ms('timeout_ms') ?? 30000,
        pollIntervalMs: ms('poll_interval_ms') ?? 1000,
        restoreSession: args.restore_session,
        onQr: () => {
          qr.count += 1
          if (qr.count === args.scan_qr_number) {
            // Not awaited: the callback must not block the flow.
            sim.control('POST', `instances/${run.key}/scan`, {}).catch(() => {})
          }
        },
      })
    case 'decode_postback': {
      const body = args.body_base64 !== undefined
        ? Buffer.from(args.body_base64, 'base64')
        : fs.readFileSync(path.join(repo, 'tests/fixtures', args.body_file))
      return { events: decodePostback(body, args.wid) }
    }
    default:
      if (table.has(call)) return tableCall(c, table.get(call), args)
      throw new Error(`unknown call ${call}`)
  }
}

/** A call of core's table, its public arguments built from the scenario's by name. */
function tableCall(client, entry, args) {
  // A bytes parameter `x` is given as `x_base64`, as for the Rust runner.
  const arg = (p) => (p.type === 'Option<Bytes>' && args[`${p.name}_base64`] !== undefined
    ? Buffer.from(args[`${p.name}_base64`], 'base64')
    : args[p.name])
  const given = calls.layout(entry).map((a) => {
    if (a.kind === 'value') return arg(a.param)
    const object = {}
    for (const p of a.params) if (arg(p) !== undefined) object[p.js] = arg(p)
    return object
  })
  return client[entry.method](...given)
}

/** Every text an error shows must be free of the key: message, stack, inspect, each field. */
export function assertNoKey(e, key) {
  const texts = [String(e), e.message, e.stack ?? '', util.inspect(e, { depth: 5, showHidden: true }), JSON.stringify(e)]
  for (const v of Object.values(e)) texts.push(String(v))
  for (const t of texts) assert.ok(!t.includes(key), `the key leaked into an error: ${t}`)
}

function checkError(run, e, want) {
  assertNoKey(e, run.key)
  assert.ok(e instanceof WitiError, `expected a WitiError, got ${util.inspect(e)}`)
  assert.equal(e.code, want.code, `expected error code ${want.code}, got [${e.code}] ${e.message}`)
  if ('status' in want) assert.ok(matches(e.status, want.status), `expected HTTP status ${want.status}, got ${e.status}`)
  if ('retry_after' in want) {
    assert.ok(matches(e.retryAfter, want.retry_after), `expected retryAfter ${want.retry_after}, got ${e.retryAfter}`)
  }
  if (want.message_contains !== undefined) {
    assert.ok(e.message.includes(want.message_contains), `expected the message to contain ${want.message_contains}: ${e.message}`)
  }
  if ('last_status' in want) {
    if (want.last_status === null) {
      assert.equal(e.lastStatus, undefined, `expected no lastStatus, got ${util.inspect(e.lastStatus)}`)
    } else {
      assert.ok(e.lastStatus !== undefined, `expected lastStatus ${JSON.stringify(want.last_status)}, got none`)
      for (const [p, matcher] of Object.entries(want.last_status)) {
        const got = lookup(e.lastStatus, p)
        assert.ok(matches(got, matcher), `lastStatus.${p}: expected ${JSON.stringify(matcher)}, got ${util.inspect(got)}`)
      }
    }
  }
}

async function runStep(run, step) {
  if (step.sim) return simStep(run, step.sim, step)
  const expect = step.expect ?? {}
  const qr = { count: 0 }
  let value
  let error
  try {
    value = await invoke(run, step.call, step.args ?? {}, qr)
  } catch (e) {
    error = e
  }
  if (expect.error) {
    assert.ok(error !== undefined, `expected error ${JSON.stringify(expect.error)}, got success ${util.inspect(value)}`)
    checkError(run, error, expect.error)
    if ('qr_count' in expect) {
      assert.ok(matches(qr.count, expect.qr_count), `qr_count: expected ${JSON.stringify(expect.qr_count)}, got ${qr.count}`)
    }
    return
  }
  if (error !== undefined) {
    throw new Error(`unexpected error [${error.code}] ${error.message}`)
  }
  if ('value' in expect) {
    const got = jsonLike(value, table.get(step.call)?.result)
    assert.ok(matches(got, expect.value), `value: expected ${JSON.stringify(expect.value)}, got ${JSON.stringify(got)}`)
  }
  for (const [p, matcher] of Object.entries(expect.fields ?? {})) {
    const got = lookup(value, p)
    assert.ok(matches(got, matcher), `field ${p}: expected ${JSON.stringify(matcher)}, got ${util.inspect(got)}`)
  }
  if ('qr_count' in expect) {
    assert.ok(matches(qr.count, expect.qr_count), `qr_count: expected ${JSON.stringify(expect.qr_count)}, got ${qr.count}`)
  }
}

test('the corpus is there', () => {
  assert.ok(files.length >= 30, `the corpus has ${files.length} scenarios`)
})

test('the matchers can fail', () => {
  assert.ok(!matches(1, 2))
  assert.ok(matches(7, 7.0))
  assert.ok(!matches(undefined, { $present: true }))
  assert.ok(matches(null, null))
  assert.ok(!matches('abc', { $prefix: 'b' }))
  assert.ok(matches([1, 2], { $len: { $gte: 2 } }))
  assert.ok(!matches([1], { $len: 2 }))
  assert.equal(lookup({ aB: [{ cD: 3 }] }, 'a_b.0.c_d'), 3)
  assert.equal(lookup({ mime_type: 'x' }, 'mime_type'), 'x')
  assert.deepEqual(jsonLike([{ rawJson: '{}', unreadCount: 1 }], 'Vec<Chat>'), [{ raw_json: '{}', unread_count: 1 }])
  assert.deepEqual(jsonLike({ aB: 1 }, 'Json'), { aB: 1 })
  assert.equal(jsonLike(undefined, 'Option<Contact>'), null)
  assert.ok(matches(jsonLike(undefined, 'Option<Contact>'), null))
  assert.ok(!matches(jsonLike({ jid: 'x' }, 'Option<Contact>'), null))
})

async function runScenario(file, scenario) {
  const run = new Run(file, scenario)
  if (scenario.instance) {
    const res = await sim.control('POST', `instances/${run.key}/config`, scenario.instance)
    assert.equal(res.status, 200, `instance config answered ${res.status}: ${JSON.stringify(res.body)}`)
  }
  for (const [i, step] of scenario.steps.entries()) {
    try {
      await runStep(run, step)
    } catch (e) {
      e.message = `step ${i} (${JSON.stringify(step)}): ${e.message}`
      throw e
    }
  }
}

const scenarios = files.map((file) => [file, JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))])
// decodePostback is synchronous: a big body (the zlib bomb) holds the JS thread for a while
// in a dev build, which would delay the callbacks of a timed scenario running beside it (a QR
// code's 500 ms ttl). So the pure decoding scenarios run first, one at a time.
const pure = ([, s]) => s.steps.every((step) => step.call === 'decode_postback')

describe('conformance (decode_postback)', () => {
  for (const [file, scenario] of scenarios.filter(pure)) {
    it(file, () => runScenario(file, scenario))
  }
})

// The others are independent (one key each): side by side, a few at a time (some check
// timings of a few hundred ms, which a 2-core machine under load can miss).
describe('conformance', { concurrency: 6 }, () => {
  for (const [file, scenario] of scenarios.filter((s) => !pure(s))) {
    it(file, { timeout: 60000 }, () => runScenario(file, scenario))
  }
})
