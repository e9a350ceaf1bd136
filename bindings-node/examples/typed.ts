// Every call of `witi` with its types, checked by `tsc --noEmit --strict` in
// scripts/test-node.sh against the installed package's index.d.ts (never run).
import {
  Client, StatusCode, listen, decodePostback, WebhookServer,
  WitiError, ApiError, AuthError, RateLimitedError, HttpStatusError, TimeoutError,
  ConnectionError, DecodeError, InvalidArgumentError, PostbackError,
  type Status, type QrCode, type SessionResult, type ClearResult, type Event, type ErrorCode,
  type ClientOptions, type Config, type ConnectionInfo, type Phone, type Stats, type StorageNode,
  type Chat, type Contact, type Group, type GroupInformation, type GroupParticipant, type SentMessage,
  type FileSource, type SendFileOptions, type CommandOptions, type GenerateQrcodeOptions, type JsonValue,
  type ClientCalls,
} from 'witi'

export async function everything(): Promise<void> {
  const options: ClientOptions = { apiKey: 'k', baseUrl: 'http://127.0.0.1:8080/', timeoutMs: 5000, maxRetries: 1 }
  const client = new Client(options)
  const base: string = client.baseUrl
  const signal: AbortSignal = AbortSignal.timeout(10_000)

  const qr: QrCode = await client.generateQrcode({ userAgent: 'Mozilla/5.0', signal })
  const svg: string = qr.svg
  const ttl: number = qr.ttlSeconds
  const status: Status = await client.status({ signal })
  const code: StatusCode = status.code
  const authenticated: boolean = code === StatusCode.AUTHENTICATED
  const info: ConnectionInfo | undefined = status.connectionInfo
  const phone: Phone | undefined = info?.phone
  const model: string | undefined = phone?.deviceModel
  const stats: Stats | undefined = status.stats
  const storage: StorageNode | undefined = status.storage
  const subs: StorageNode[] = storage?.subs ?? []
  const raw: string = status.rawJson
  const gone: Status = await client.disconnect()
  const closed: SessionResult = await client.closeSession()
  const closedStatus: Status | undefined = closed.status
  const saved: SessionResult = await client.saveSession({})
  const restored: SessionResult = await client.restoreSession({ signal })
  const cleared: ClearResult = await client.clear()
  const config: Config = { webhook: 'https://example.com/hook', userAgent: 'ua', apiVersion: '1.1', apiVersionCanBulk: true }
  const configured: Status = await client.setConfig(config, { signal })
  const waited: Status = await client.waitForStatus([StatusCode.AUTHENTICATED, StatusCode.STARTING], { timeoutMs: 1000, pollIntervalMs: 100, signal })
  const waitedOne: Status = await client.waitForStatus(StatusCode.NO_CONNECTION)
  const connected: Status = await client.connect({
    onQr: (q: QrCode) => { console.log(q.dataUrl) },
    timeoutMs: 60_000,
    pollIntervalMs: 500,
    userAgent: 'ua',
    signal,
  })
  await client.connect({ onQr: async () => {} })

  // Messages, Contacts, Groups and any command.
  const chats: Chat[] = await client.chats({ signal })
  const unread: number | undefined = chats[0]?.unreadCount
  const contacts: Contact[] = await client.contacts()
  const sent: SentMessage = await client.sendMessage('+55 11 98765-4321', 'hello', { signal })
  const messageId: string = sent.id
  const byUrl: SentMessage = await client.sendFile('5511987654321', { url: 'https://example.com/a.pdf' }, { mimeType: 'file', filename: 'a.pdf' })
  const source: FileSource = { data: Buffer.from('abc') }
  const fileOptions: SendFileOptions = { mimeType: 'image/png', caption: 'c', signal }
  const byBytes: SentMessage = await client.sendFile('5511987654321', source, fileOptions)
  const byU8: SentMessage = await client.sendFile('5511987654321', { data: new Uint8Array([1]) }, { mimeType: 'image/png' })
  const byPath: SentMessage = await client.sendFile('5511987654321', { path: '/tmp/a.png' }, { mimeType: 'image/png' })
  // @ts-expect-error: exactly one source
  await client.sendFile('5511987654321', { url: 'https://example.com/a', path: '/tmp/a' }, { mimeType: 'file' })
  // @ts-expect-error: the MIME type is required
  await client.sendFile('5511987654321', { path: '/tmp/a' })
  const profile: Contact | undefined = await client.getProfile('5511987654321')
  const queried: Contact | undefined = await client.queryProfile('5511987654321', { signal })
  const pushName: string | undefined = queried?.pushName
  const onWhatsapp: boolean = await client.isOnWhatsapp('5511987654321')
  const group: Group = await client.groupCreate('Sales', ['5511987654321'])
  const groupInfo: GroupInformation | undefined = group.information
  const members: GroupParticipant[] = groupInfo?.participants ?? []
  const added: Group = await client.groupAdd('120363042@g.us', ['5511987654321'], { signal })
  const answer: JsonValue = await client.call('mark_read.aspx', { number: '5511@s.whatsapp.net' })
  const commandOptions: CommandOptions = { changesState: false, signal }
  const read: JsonValue = await client.call('chats.aspx', undefined, commandOptions)
  const qrOptions: GenerateQrcodeOptions = { userAgent: 'ua' }
  const calls: ClientCalls = client
  // @ts-expect-error: participants are a list
  await client.groupAdd('120363042@g.us', '5511987654321')
  console.log(unread, contacts, messageId, byUrl, byBytes, byU8, byPath, profile, pushName, onWhatsapp,
    members, added, answer, read, qrOptions, calls)

  const events: Event[] = decodePostback(Buffer.from('{}'))
  const fromBytes: Event[] = decodePostback(new Uint8Array([123, 125]))
  const kind: 'status' | 'unknown' = events[0].kind
  const server: WebhookServer = await listen('127.0.0.1:0', async (event: Event) => {
    if (event.kind === 'status' && event.status) console.log(event.status.code)
  }, { token: 't', onError: (error: unknown, event: Event) => console.error(error, event.json), signal: AbortSignal.timeout(60_000) })
  const url: string = server.url
  const port: number = server.port
  await server.close()

  try {
    await client.status()
  } catch (e) {
    if (e instanceof WitiError) {
      const c: ErrorCode = e.code
      const s: number | undefined = e.status
      const after: number | undefined = e.retryAfter
      const words: string | undefined = e.serverMessage
      const command: string | undefined = e.command
      console.log(c, s, after, words, command)
    }
    const classes = [ApiError, AuthError, RateLimitedError, HttpStatusError, TimeoutError,
      ConnectionError, DecodeError, InvalidArgumentError, PostbackError]
    if (classes.some((cls) => e instanceof cls)) console.log('a witi error')
  }
  console.log(base, svg, ttl, authenticated, model, subs, raw, gone, closedStatus, saved, restored,
    cleared, configured, waited, waitedOne, connected, fromBytes, kind, url, port, stats)
}
