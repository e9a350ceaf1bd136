// Shared by the test files: the simulator (started per test process on a free port, killed
// with it) and the repo's paths. The tests import `witi` as a user would: they run from a
// scratch folder where the package, as `npm pack` made it, is installed.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import path from 'node:path'

export const repo = process.env.WITI_REPO ?? path.resolve(import.meta.dirname ?? '.', '../..')
export const simBin = process.env.WITI_SIM_BIN ?? path.join(repo, 'target/debug/witi-sim')

/** Starts `witi-sim --port 0`; resolves to { url, control, stop }. */
export async function startSimulator(args = []) {
  const child = spawn(simBin, ['--port', '0', '--exit-on-stdin-eof', ...args], {
    stdio: ['pipe', 'pipe', 'ignore'],
  })
  // It must die with us: stdin EOF when this process ends, and a kill on exit.
  process.on('exit', () => child.kill())
  let buffered = ''
  const url = await new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code) => reject(new Error(`witi-sim exited (${code}) before listening`)))
    child.stdout.on('data', (chunk) => {
      buffered += chunk
      const m = buffered.match(/listening on (http:\/\/\S+\/)/)
      if (m) resolve(m[1])
    })
  })
  child.stdout.resume()
  child.unref()
  child.stdin.unref?.()
  child.stdout.unref?.()
  const control = async (method, p, body) => {
    const res = await fetch(`${url}_sim/${p}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    let json
    try {
      json = JSON.parse(text)
    } catch {
      json = text
    }
    return { status: res.status, body: json }
  }
  const stop = async () => {
    child.stdin.end()
    if (child.exitCode === null) await once(child, 'exit')
  }
  return { url, control, stop, child }
}

/** A fresh key for one test; contains SECRET so leaks are easy to search for. */
export function freshKey(name) {
  return `node-${name}-${Math.random().toString(16).slice(2, 10)}-SECRET`
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
