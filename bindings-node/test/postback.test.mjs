// decodePostback's events: plain objects whose `status` is built on first access (see
// src/postback.rs and index.js), which must look and behave exactly as plain data.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import util from 'node:util'
import { decodePostback, StatusCode } from 'witi'

const STATUS = JSON.stringify({
  status: 10, statusString: 'WhatsAppAuthenticated', connected: true, WebID: 'K3y-SECRET',
  Webhook: 'http://h/?wid=K3y-SECRET', storage: { Name: 'K3y-SECRET', Bytes: 1, Files: 2, Subs: null },
})
const OTHER = '{"type":"message","text":"hi"}'
const bulk = (texts) => Buffer.from('BULK,' + JSON.stringify(texts.map((t) => Buffer.from(t).toString('base64'))))

describe('decodePostback events', () => {
  it('have the fields of Event, in order, with and without a wid', () => {
    const [status, other] = decodePostback(bulk([STATUS, OTHER]), 'K3y-SECRET')
    assert.deepEqual(Object.keys(status), ['kind', 'json', 'status', 'wid', 'id'])
    assert.deepEqual(Object.keys(other), ['kind', 'json', 'wid', 'id'])
    const [bare] = decodePostback(bulk([STATUS]))
    assert.deepEqual(Object.keys(bare), ['kind', 'json', 'status', 'id'])
    assert.equal(bare.wid, undefined)
    assert.notEqual(status.id, bare.id, 'the wid enters the id')
    assert.match(status.id, /^[0-9a-f]{32}$/)
    assert.equal(Object.getPrototypeOf(status), Object.prototype)
  })

  it('build the same status on first access, once, and as data afterwards', () => {
    const [event] = decodePostback(Buffer.from(STATUS))
    const status = event.status
    assert.equal(status.code, StatusCode.AUTHENTICATED)
    assert.equal(status.statusString, 'WhatsAppAuthenticated')
    assert.equal(status.webId, 'K3y-SECRET')
    assert.equal(status.rawJson, STATUS)
    assert.equal(status.storage.files, 2)
    assert.equal(event.status, status, 'the same object on every access')
    assert.equal(typeof Object.getOwnPropertyDescriptor(event, 'status').value, 'object')
  })

  it('spread and JSON.stringify carry the status, as for plain data', () => {
    const [event] = decodePostback(Buffer.from(STATUS), 'K3y-SECRET')
    const copy = { ...event }
    assert.equal(copy.status.code, StatusCode.AUTHENTICATED)
    const [again] = decodePostback(Buffer.from(STATUS), 'K3y-SECRET')
    const json = JSON.parse(JSON.stringify(again))
    assert.equal(json.status.code, 10)
    assert.equal(json.status.rawJson, STATUS)
    assert.deepEqual(Object.keys(json), ['kind', 'json', 'status', 'wid', 'id'])
  })

  it('the status may be replaced, before or after it is read', () => {
    const [a, b] = decodePostback(bulk([STATUS, STATUS]))
    a.status = null
    assert.equal(a.status, null)
    void b.status
    b.status = 'replaced'
    assert.equal(b.status, 'replaced')
  })

  it('inspect shows neither the wid nor the WebID, read or not', () => {
    const [unread, read] = decodePostback(bulk([STATUS, STATUS]), 'K3y-SECRET')
    void read.status
    for (const event of [unread, read]) {
      const text = util.inspect(event, { showHidden: true, depth: 10 })
      assert.ok(!text.includes('K3y'), `the key leaked: ${text}`)
      assert.match(text, /code: 10/)
    }
  })
})
