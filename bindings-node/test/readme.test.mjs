// The README's example, run as written (its first ```js block) in a child process, against
// the simulator with automatic scanning, with the key and URL in the environment.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
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

test('the README example runs as written', async () => {
  const readme = fs.readFileSync(path.join(process.cwd(), 'README.md'), 'utf8')
  const block = readme.match(/```js\n([\s\S]*?)```/)
  assert.ok(block, 'the README has a ```js example')
  const file = path.join(process.cwd(), 'readme-example.mjs')
  fs.writeFileSync(file, block[1])
  const key = freshKey('readme')
  // A phone that scans each QR code 200 ms after it is shown.
  const res = await sim.control('POST', `instances/${key}/config`, { auto_scan_after_ms: 200, starting_delay_ms: 100 })
  assert.equal(res.status, 200)
  const run = spawnSync(process.execPath, [file], {
    env: { ...process.env, WITI_API_KEY: key, WITI_BASE_URL: sim.url },
    encoding: 'utf8',
    timeout: 30000,
  })
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stdout, /scan within 20 s: data:image\/svg\+xml;base64,/)
  assert.match(run.stdout, /connected: true Atendimento Maria/)
  // The number is on WhatsApp (the simulator's rule), so the text went out, once, to its JID.
  assert.match(run.stdout, /sent: [0-9A-F]{32}\n/)
  const sent = await sim.control('GET', `instances/${key}/sent`)
  assert.equal(sent.status, 200)
  const records = Array.isArray(sent.body) ? sent.body : sent.body.sent
  assert.equal(records.length, 1, JSON.stringify(sent.body))
  assert.equal(records[0].number, '5511987654321@s.whatsapp.net')
  assert.equal(records[0].message, 'Olá from *witi*')
  assert.ok(run.stdout.includes(`sent: ${records[0].id}`))
  assert.match(run.stdout, /refused \(api\): Connection already established/)
  assert.ok(!run.stdout.includes(key) && !run.stderr.includes(key))
})
