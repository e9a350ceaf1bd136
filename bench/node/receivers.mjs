// The Node receivers of the receiver benchmark (driven by bench/receivers.py with wrk).
// Prints `NAME URL` for each, then `ready`, and serves until killed:
//   - witi: `listen()` with a handler that counts events;
//   - node-http: what a Node developer writes by hand: `node:http`, the body collected,
//     `Buffer` base64 + `zlib.inflateSync` + `JSON.parse`, the same counting handler per
//     event, 400 on a body that does not decode.
import http from 'node:http'
import { createRequire } from 'node:module'
import zlib from 'node:zlib'

const require = createRequire(import.meta.url)
const { listen } = require(process.env.WITI_PKG)

let count = 0
const handle = (event) => {
  count += event ? 1 : 0
}

function byHand(body) {
  const items = (text) => JSON.parse(text).map((item) => JSON.parse(Buffer.from(item, 'base64').toString('utf8')))
  const head = body.subarray(0, 7).toString('latin1')
  if (head === 'BULKGZ,') {
    let text = zlib.inflateSync(Buffer.from(body.subarray(7).toString('latin1'), 'base64')).toString('utf8')
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    return items(text)
  }
  if (head.startsWith('BULK,')) return items(body.subarray(5).toString('utf8'))
  return [JSON.parse(body.toString('utf8'))]
}

const server = http.createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    let events
    try {
      events = byHand(Buffer.concat(chunks))
    } catch {
      res.writeHead(400).end('bad body\n')
      return
    }
    for (const event of events) handle(event)
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK\n')
  })
})
server.keepAliveTimeout = 60_000

// Kept reachable on purpose: an unreachable WebhookServer is collected and its finalizer
// stops the receiver (seen here after a large body, at the first full GC).
globalThis.witiServer = await listen('127.0.0.1:0', handle)
console.log(`witi ${globalThis.witiServer.url}`)
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
console.log(`node-http http://127.0.0.1:${server.address().port}/`)
console.log('ready')
