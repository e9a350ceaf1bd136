// The calls of core's table (witi::for_each_call!) as Client methods: every table entry has
// its method and its declaration, each call sends what it should and answers plain camelCase
// objects, `{ signal }` works on the new calls, and util.inspect hides every field of core's
// HIDDEN_FIELDS. The gateway here is a small node:http server with canned answers (the
// simulator's own scenarios are in the conformance corpus).
import { test, describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import util from 'node:util'
import { createRequire } from 'node:module'
import { Client, InvalidArgumentError, ApiError, decodePostback } from 'witi'

const require = createRequire(import.meta.url)
const pkg = path.dirname(require.resolve('witi'))
const native = require(path.join(pkg, 'native.js'))
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
const table = JSON.parse(native.callTable())

const SECRET = 'W3b1d-SECRET'
const PICTURE = `https://api.witi.me/get_picture.aspx?WID=${SECRET}&jid=1`

/** A gateway: `answers[command]` is a body text, or a function of the request giving one. */
let gateway
before(async () => {
  const requests = []
  const answers = {}
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const url = new URL(req.url, 'http://x')
      const command = url.pathname.slice(1)
      requests.push({ method: req.method, command, body: body ? JSON.parse(body) : undefined })
      const answer = answers[command]
      const reply = typeof answer === 'function' ? answer(req, body)
        : typeof answer === 'object' ? answer : { status: 200, text: answer ?? '{"error":"unknown"}' }
      if (reply === null) return // stalled
      res.writeHead(reply.status, { 'content-type': 'application/json' })
      res.end(reply.text)
    })
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  gateway = {
    url: `http://127.0.0.1:${server.address().port}/`,
    requests,
    answers,
    sent: (command) => requests.filter((r) => r.command === command),
    close: () => { server.closeAllConnections(); return new Promise((r) => server.close(r)) },
  }
})
after(() => gateway.close())

const client = () => new Client({ apiKey: 'calls-SECRET', baseUrl: gateway.url, maxRetries: 1, initialBackoffMs: 1 })
const ok = (text) => ({ status: 200, text })

describe('the table', () => {
  it('every call of the table is a Client method, and nothing else was added', () => {
    const names = table.map((e) => camel(e.name))
    for (const name of names) assert.equal(typeof Client.prototype[name], 'function', name)
    const own = Object.getOwnPropertyNames(Client.prototype).filter((n) => n !== 'constructor')
    // The hand-written rest: the base URL and the two flows.
    assert.deepEqual(own.filter((n) => !names.includes(n)).sort(), ['baseUrl', 'connect', 'waitForStatus'])
    for (const name of ['chats', 'sendMessage', 'sendFile', 'contacts', 'getProfile', 'queryProfile',
      'isOnWhatsapp', 'groupCreate', 'groupAdd', 'call', 'status', 'setConfig']) {
      assert.ok(names.includes(name), name)
    }
  })

  it('the exceptions of calls.js (LAYOUTS) name calls and parameters of the table', () => {
    const { LAYOUTS } = require(path.join(pkg, 'calls.js'))
    for (const [name, special] of Object.entries(LAYOUTS)) {
      const entry = table.find((e) => e.name === name)
      assert.ok(entry, `LAYOUTS.${name} is not a call of the table`)
      for (const p of [...(special.object?.params ?? []), ...(special.options ?? [])]) {
        assert.ok(entry.params.some((q) => q.name === p), `LAYOUTS.${name}: ${p} is not one of its parameters`)
      }
    }
  })

  it('calls.d.ts declares every call, and index.d.ts merges it into Client', () => {
    const dts = fs.readFileSync(path.join(pkg, 'calls.d.ts'), 'utf8')
    const index = fs.readFileSync(path.join(pkg, 'index.d.ts'), 'utf8')
    for (const entry of table) {
      const name = camel(entry.name)
      assert.match(dts, new RegExp(`^  ${name}\\(.*\\): Promise<.+>$`, 'm'), name)
      // Each parameter of the table appears, camelCased, in the signature or an options type.
      // (setConfig's are the fields of `Config`, in index.d.ts).
      for (const p of entry.params) assert.ok((dts + index).includes(`${camel(p.name)}?: `) || dts.includes(`${camel(p.name)}: `), `${name}: ${p.name}`)
    }
    assert.match(index, /export interface Client extends ClientCalls \{\}/)
    assert.match(index, /export declare class Client \{/)
  })
})

describe('calls', { concurrency: 4 }, () => {
  it('chats: plain objects, camelCase, absent fields undefined', async () => {
    gateway.answers['chats.aspx'] = JSON.stringify([
      { jid: '5511987654321@s.whatsapp.net', name: 'Ana', count: 3, mute: '', t: 1700000000, picture: PICTURE },
      { jid: '120363@g.us', name: 'Team', mute: '1700003600', archive: 'true' },
    ])
    const chats = await client().chats()
    assert.equal(chats.length, 2)
    assert.equal(Object.getPrototypeOf(chats[0]), Object.prototype)
    assert.equal(chats[0].unreadCount, 3)
    assert.equal(chats[0].muted, false)
    assert.equal(chats[0].lastMessageTime, 1700000000)
    assert.equal(chats[0].picture, PICTURE)
    assert.equal('spam' in chats[0], false)
    assert.equal(chats[0].spam, undefined)
    assert.equal(chats[1].archived, true)
    assert.equal(chats[1].muteUntil, '1700003600')
    assert.ok(chats[0].rawJson.includes('"count":3'))
    assert.deepEqual(JSON.parse(JSON.stringify(chats[1])).archived, true)
  })

  it('contacts, getProfile, queryProfile and isOnWhatsapp', async () => {
    gateway.answers['contacts.aspx'] = JSON.stringify([{ jid: '5511@s.whatsapp.net', notify: 'Ana B', biz: true, Mute: true }])
    gateway.answers['get_profile.aspx'] = '{"sucesso":false,"mensagem":null}'
    gateway.answers['query_profile.aspx'] = (req, body) =>
      ok(JSON.parse(body).number.startsWith('5511')
        ? '{"sucesso":true,"mensagem":{"jid":"5511987654321@s.whatsapp.net","notify":"Ana","status":200}}'
        : '{"sucesso":true,"mensagem":null}')
    const c = client()
    const [contact] = await c.contacts()
    assert.equal(contact.pushName, 'Ana B')
    assert.equal(contact.isBusiness, true)
    assert.equal(contact.muted, true)
    assert.equal(await c.getProfile('5511987654321'), undefined)
    const profile = await c.queryProfile('+55 11 98765-4321')
    assert.equal(profile.jid, '5511987654321@s.whatsapp.net')
    assert.equal(profile.status, 200)
    // The number went out as a JID (core's rule).
    assert.equal(gateway.sent('query_profile.aspx').at(-1).body.number, '5511987654321@s.whatsapp.net')
    assert.equal(await c.isOnWhatsapp('5511987654321'), true)
    assert.equal(await c.isOnWhatsapp('4930123456'), false)
  })

  it('sendMessage sends to a JID; a refusal is an ApiError; bad input rejects before sending', async () => {
    gateway.answers['send_message.aspx'] = (req, body) =>
      ok(JSON.parse(body).message === 'no' ? '{"success":false,"message":null}' : '{"success":true,"message":{"Id":"3EB0C767D26A1D0F8D5B5D7F1E2A4B6C"}}')
    const c = client()
    const sent = await c.sendMessage('+55 11 98765-4321', 'hello *bold*')
    assert.deepEqual({ ...sent, rawJson: undefined }, { id: '3EB0C767D26A1D0F8D5B5D7F1E2A4B6C', rawJson: undefined })
    assert.deepEqual(gateway.sent('send_message.aspx').at(-1).body, { number: '5511987654321@s.whatsapp.net', message: 'hello *bold*' })
    await assert.rejects(c.sendMessage('5511987654321', 'no'), ApiError)
    const before = gateway.sent('send_message.aspx').length
    await assert.rejects(c.sendMessage('not a number', 'x'), InvalidArgumentError)
    await assert.rejects(c.sendMessage(5511, 'x'), InvalidArgumentError)
    await assert.rejects(c.sendMessage('5511987654321'), InvalidArgumentError)
    assert.equal(gateway.sent('send_message.aspx').length, before)
  })

  it('sendFile by URL, by Buffer, by Uint8Array and by path; exactly one source', async () => {
    gateway.answers['send_message_file.aspx'] = ok(JSON.stringify({ success: true, message: {
      MessageID: 'ABCDEF0123456789ABCDEF0123456789', Url: `https://api.witi.me/static/${SECRET}/media/A`, jpegThumbnail: '' } }))
    const c = client()
    const to = '5511987654321'
    const jid = '5511987654321@s.whatsapp.net'
    const sent = await c.sendFile(to, { url: 'https://example.com/a.pdf' }, { mimeType: 'file', caption: 'c', filename: 'a.pdf' })
    assert.equal(sent.id, 'ABCDEF0123456789ABCDEF0123456789')
    assert.ok(sent.url.includes(SECRET))
    assert.equal(sent.jpegThumbnail, undefined)
    const last = () => gateway.sent('send_message_file.aspx').at(-1).body
    assert.deepEqual(last(), { number: jid, caption: 'c', url: 'https://example.com/a.pdf', type: 'file', filename: 'a.pdf' })
    await c.sendFile(to, { data: Buffer.from('abc') }, { mimeType: 'image/png' })
    assert.deepEqual(last(), { number: jid, caption: '', mimetype: 'image/png', base64: 'YWJj' })
    await c.sendFile(to, { data: new Uint8Array([1, 2, 3]) }, { mimeType: 'image/png', caption: 'u8' })
    assert.equal(last().base64, 'AQID')
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'witi-file-'))
    const file = path.join(dir, 'x.txt')
    fs.writeFileSync(file, 'from disk')
    await c.sendFile(to, { path: file }, { mimeType: 'text/plain' })
    assert.equal(Buffer.from(last().base64, 'base64').toString(), 'from disk')
    fs.rmSync(dir, { recursive: true })
    const count = gateway.sent('send_message_file.aspx').length
    await assert.rejects(c.sendFile(to, { url: 'https://example.com/a', data: Buffer.from('a') }, { mimeType: 'file' }), InvalidArgumentError)
    await assert.rejects(c.sendFile(to, {}, { mimeType: 'file' }), InvalidArgumentError)
    await assert.rejects(c.sendFile(to, { url: 'https://example.com/a' }), InvalidArgumentError)
    await assert.rejects(c.sendFile(to, { data: 'text is not bytes' }, { mimeType: 'file' }), InvalidArgumentError)
    await assert.rejects(c.sendFile(to, { path: '/nonexistent/witi' }, { mimeType: 'file' }), InvalidArgumentError)
    assert.equal(gateway.sent('send_message_file.aspx').length, count)
  })

  it('groupCreate and groupAdd answer a Group with its information', async () => {
    const info = { id: '120363042@g.us', subject: 'Sales', owner: '5511@s.whatsapp.net', creation: 1700000000,
      participants: [{ id: '5511@s.whatsapp.net', isAdmin: true, isSuperAdmin: true }, { isAdmin: false }] }
    const answer = ok(JSON.stringify({ success: true, message: { name: 'Sales', OriginalPicture: PICTURE, GroupInformation: JSON.stringify(info) } }))
    gateway.answers['group_create.aspx'] = answer
    gateway.answers['group_add.aspx'] = answer
    const c = client()
    const group = await c.groupCreate('Sales', ['5511987654321', '+55 21 99999-0000'])
    assert.equal(group.jid, '120363042@g.us')
    assert.equal(group.information.subject, 'Sales')
    assert.deepEqual(group.information.participants[1], { isAdmin: false })
    assert.equal(group.informationJson, JSON.stringify(info))
    const added = await c.groupAdd('120363042@g.us', ['5511987654321'])
    assert.equal(added.originalPicture, PICTURE)
    await assert.rejects(c.groupCreate('Sales', 'not a list'), InvalidArgumentError)
  })

  it('call: GET without a body, POST with one, the answer as plain JSON', async () => {
    gateway.answers['mark_read.aspx'] = ok('{"success":true,"list":[1,2.5,"x",null,{"a":true}]}')
    const c = client()
    assert.deepEqual(await c.call('mark_read.aspx'), { success: true, list: [1, 2.5, 'x', null, { a: true }] })
    assert.equal(gateway.sent('mark_read.aspx').at(-1).method, 'GET')
    const when = new Date(0)
    await c.call('mark_read.aspx', { number: '5511@s.whatsapp.net', n: 1, when, skip: undefined })
    const last = gateway.sent('mark_read.aspx').at(-1)
    assert.equal(last.method, 'POST')
    // JSON.stringify's rules: an integer stays an integer, toJSON is used, undefined is left out.
    assert.deepEqual(last.body, { number: '5511@s.whatsapp.net', n: 1, when: '1970-01-01T00:00:00.000Z' })
    await c.call('mark_read.aspx', null)
    assert.equal(gateway.sent('mark_read.aspx').at(-1).method, 'GET')
    gateway.answers['list.aspx'] = ok('[1,2]')
    assert.deepEqual(await c.call('list.aspx'), [1, 2])
    await assert.rejects(c.call(''), InvalidArgumentError)
    // A body JSON cannot hold rejects (never throws) before any request.
    const count = gateway.sent('mark_read.aspx').length
    const cycle = {}
    cycle.self = cycle
    // A function or a symbol: JSON.stringify gives undefined, once sent as a GET without body.
    let deep = []
    for (let i = 0; i < 200; i++) deep = [deep]
    for (const body of [{ n: 1n }, cycle, () => 1, Symbol('x'), { toJSON: () => undefined }, deep]) {
      let pending
      assert.doesNotThrow(() => { pending = c.call('mark_read.aspx', body) })
      await assert.rejects(pending, (e) => e instanceof InvalidArgumentError && /body is not JSON/.test(e.message) &&
        !/invalid argument: invalid argument/.test(e.message))
    }
    // Deeper than core's MAX_BODY_DEPTH (100) but within JSON.parse's reach: core's refusal.
    let deeper = []
    for (let i = 0; i < 110; i++) deeper = [deeper]
    await assert.rejects(c.call('mark_read.aspx', deeper), (e) => e instanceof InvalidArgumentError && /nested deeper than 100/.test(e.message))
    assert.equal(gateway.sent('mark_read.aspx').length, count)
  })

  it('call: changesState decides whether a failed attempt is retried', async () => {
    let n = 0
    gateway.answers['flaky.aspx'] = () => (n++ % 2 === 0 ? { status: 503, text: 'busy' } : ok('{"ok":1}'))
    const c = client()
    await assert.rejects(c.call('flaky.aspx', { x: 1 }), (e) => e.code === 'http_status')
    assert.equal(gateway.sent('flaky.aspx').length, 1)
    n = 0
    assert.deepEqual(await c.call('flaky.aspx', undefined, { changesState: false }), { ok: 1 })
    assert.equal(gateway.sent('flaky.aspx').length, 3)
  })

  it('an abort cancels a table call at once with the signal reason', async () => {
    gateway.answers['stall.aspx'] = () => null
    const ac = new AbortController()
    const started = Date.now()
    setTimeout(() => ac.abort(), 50)
    const e = await client().call('stall.aspx', undefined, { signal: ac.signal }).then(() => null, (err) => err)
    assert.ok(e instanceof DOMException && e.name === 'AbortError', util.inspect(e))
    assert.ok(Date.now() - started < 2000)
    const reason = new Error('mine')
    await assert.rejects(client().sendMessage('5511987654321', 'x', { signal: AbortSignal.abort(reason) }), (err) => err === reason)
    await assert.rejects(client().sendFile('5511987654321', { data: Buffer.from('x') }, { mimeType: 'file', signal: AbortSignal.abort(reason) }), (err) => err === reason)
  })
})

describe('util.inspect follows core\'s HIDDEN_FIELDS', () => {
  // One value per type of core's list, with every hidden field set to a text holding SECRET.
  const samples = {
    Status: async () => {
      gateway.answers['status.aspx'] = ok(JSON.stringify({ status: 10, statusString: 'x', connected: true, WebID: SECRET,
        Webhook: `http://h/?wid=${SECRET}`, storage: { name: SECRET, bytes: 1, files: 1, subs: [] } }))
      return client().status()
    },
    SessionResult: async () => {
      gateway.answers['close_session.aspx'] = ok(JSON.stringify({ success: true, status: { status: 11, statusString: 'x', WebID: SECRET } }))
      return client().closeSession()
    },
    Event: async () => decodePostback(Buffer.from(JSON.stringify({ status: 10, statusString: 'x', WebID: SECRET })), SECRET)[0],
    Chat: async () => {
      gateway.answers['chats.aspx'] = JSON.stringify([{ jid: '1@s.whatsapp.net', picture: PICTURE }])
      return (await client().chats())[0]
    },
    Contact: async () => {
      gateway.answers['contacts.aspx'] = JSON.stringify([{ jid: '1@s.whatsapp.net', picture: PICTURE }])
      return (await client().contacts())[0]
    },
    Group: async () => {
      gateway.answers['group_add.aspx'] = ok(JSON.stringify({ success: true, message: { jid: '1@g.us', picture: PICTURE, OriginalPicture: PICTURE } }))
      return client().groupAdd('1@g.us', ['5511987654321'])
    },
    SentMessage: async () => {
      gateway.answers['send_message.aspx'] = ok(JSON.stringify({ success: true, message: { Id: 'A', Url: `https://api.witi.me/static/${SECRET}/m` } }))
      return client().sendMessage('5511987654321', 'x')
    },
  }
  const hidden = JSON.parse(native.hiddenFields())

  it('every type of the list has a sample here', () => {
    assert.deepEqual(Object.keys(hidden).sort(), Object.keys(samples).sort())
  })

  for (const [type, fields] of Object.entries(hidden)) {
    it(`${type}: ${fields.join(', ')}`, async () => {
      const value = await samples[type]()
      const shown = util.inspect(value, { depth: 10 })
      const hiddenToo = util.inspect(value, { depth: 10, showHidden: true })
      for (const field of fields) {
        const name = camel(field)
        assert.equal(typeof value[name], 'string', `${type}.${name} is set in the sample`)
        assert.ok(value[name].includes(SECRET) || /json$/i.test(name), `${type}.${name} holds the secret in the sample`)
        if (/json$/i.test(name)) {
          assert.match(shown, new RegExp(`${name}Len: ${value[name].length}\\b`))
          assert.ok(!new RegExp(`\\b${name}:`).test(shown), shown)
        } else {
          assert.match(shown, new RegExp(`${name}: '<redacted>'`))
        }
      }
      assert.ok(!shown.includes(SECRET) && !hiddenToo.includes(SECRET), shown)
      // Printing hides; the data itself is intact.
      assert.ok(JSON.stringify(value).includes(SECRET))
    })
  }

  it('a field not in the list shows', async () => {
    const chat = await samples.Chat()
    assert.match(util.inspect(chat), /jid: '1@s\.whatsapp\.net'/)
  })
})
