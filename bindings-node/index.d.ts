/* The hand-written part of index.d.ts: what index.js adds around the native module (errors,
 * call options, callbacks). napi prepends it to the declarations it generates from the Rust
 * crate (`napi build --dts-header-file ts-header.d.ts`). The API calls are declared in
 * calls.d.ts, generated from core's table by calls-dts.js. */
import type { ClientCalls } from './calls'
export type * from './calls'

/** Every API call of core's table is a method of `Client` (declared in calls.d.ts). */
export interface Client extends ClientCalls {}

/** Options every call accepts. */
export interface CallOptions {
  /** Aborting it cancels the request; the promise rejects with `signal.reason`. */
  signal?: AbortSignal
}

/** Any JSON value: what `call` sends and answers. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/** The file `sendFile` sends: by URL, by bytes, or by the path of a local file (read at once). */
export type FileSource =
  | { url: string; data?: undefined; path?: undefined }
  | { data: Uint8Array; url?: undefined; path?: undefined }
  | { path: string; url?: undefined; data?: undefined }

/** Options of `waitForStatus`. */
export interface WaitOptions extends CallOptions {
  /** How long to wait in all (default 60000). */
  timeoutMs?: number
  /** How often to poll (default 1000). */
  pollIntervalMs?: number
}

/** Options of `connect`. */
export interface ConnectOptions extends CallOptions {
  /** Called with each QR code to show; a throw (or a rejected promise) ends `connect` with that error. */
  onQr: (qr: QrCode) => void | Promise<void>
  /** How long the whole pairing may take (default 300000). */
  timeoutMs?: number
  /** How often the status is polled (default 1000). */
  pollIntervalMs?: number
  /** The browser the session presents. */
  userAgent?: string
  /** In status 11, or 0 with a saved session, try `restoreSession()` before any QR code (default true). */
  restoreSession?: boolean
}

/** Called once per PostBack event, in order; the next event waits for its promise. */
export type WebhookHandler = (event: Event) => void | Promise<void>

/** Options of `listen`. */
export interface ListenOptions {
  /** When set, every PostBack must carry `token=<this>` (else 401). */
  token?: string
  /** Called when the handler throws or rejects (default: `console.error`); the receiver keeps serving. */
  onError?: (error: unknown, event: Event) => void
  /** Closes the receiver when aborted (`listen` rejects with its reason if already aborted). */
  signal?: AbortSignal
}

/** The stable error codes, the same in every language. */
export type ErrorCode =
  | 'api'
  | 'auth'
  | 'rate_limited'
  | 'http_status'
  | 'timeout'
  | 'connection'
  | 'decode'
  | 'invalid_argument'
  | 'postback'

/** Every error witi raises. Branch on `code` or on the subclass (`instanceof`). */
export declare class WitiError extends Error {
  /** witi makes these from the core's errors; the fields are those below. */
  constructor(fields: { code: ErrorCode; message: string; status?: number; retryAfter?: number; serverMessage?: string; command?: string; lastStatus?: Status })
  readonly code: ErrorCode
  /** The HTTP status, for `auth`, `rate_limited` and `http_status`. */
  readonly status?: number
  /** The server's Retry-After in seconds, for `rate_limited`. */
  readonly retryAfter?: number
  /** The server's own words, for `api`. */
  readonly serverMessage?: string
  /** The API command or flow that failed (`'status.aspx'`, `'connect'`). */
  readonly command?: string
  /** For a `timeout` of `connect` or `waitForStatus`: the last status the flow received. */
  readonly lastStatus?: Status
}
/** The server answered and said no (`serverMessage` has its text). */
export declare class ApiError extends WitiError {}
/** The server rejected the key (HTTP 401/403). */
export declare class AuthError extends WitiError {}
/** HTTP 429 (`retryAfter` when the server sent one). */
export declare class RateLimitedError extends WitiError {}
/** Any other non-2xx answer (`status`). */
export declare class HttpStatusError extends WitiError {}
/** No full answer within the timeout. */
export declare class TimeoutError extends WitiError {}
/** The request could not be sent or the connection broke. */
export declare class ConnectionError extends WitiError {}
/** The body is not the JSON the command answers with. */
export declare class DecodeError extends WitiError {}
/** The caller's input is wrong, found before any request. */
export declare class InvalidArgumentError extends WitiError {}
/** A PostBack body could not be decoded or broke a limit. */
export declare class PostbackError extends WitiError {}


/**
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

/**
 * A client of one witi.me instance. Cheap to share; reuses its connections. An idle client
 * holds nothing that keeps Node running.
 */
export declare class Client {
  constructor(options?: ClientOptions)
  /** The base URL every command is joined onto (always ends in `/`). */
  get baseUrl(): string
  /** Polls `status()` until its code is one of `targets` (default timeout 60 s, poll 1 s). */
  waitForStatus(targets: StatusCode | StatusCode[], options?: WaitOptions): Promise<Status>
  /**
   * Pairs a phone: QR codes go to `onQr` until the status is authenticated (default
   * timeout 5 minutes, poll 1 s). `onQr` is called without waiting for it; `index.js`
   * cancels the flow and rejects with the callback's own error when it throws.
   */
  connect(options: ConnectOptions): Promise<Status>
}

/** A running PostBack receiver (from `listen`). */
export declare class WebhookServer {
  /**
   * `http://IP:PORT/`: the address bound (for the PostBack URL, use one the gateway can
   * reach).
   */
  get url(): string
  /** The port bound (the real one when 0 was asked). */
  get port(): number
  /**
   * Stops accepting, lets in-flight requests finish and waits until the handler is done
   * with every event already received. Calling it again does nothing.
   */
  close(): Promise<void>
}

/** One chat of the phone (`chats`). */
export interface Chat {
  /** `…@s.whatsapp.net` for a person, `…@g.us` for a group. */
  jid?: string
  name?: string
  /** Unread messages. */
  unreadCount?: number
  muted?: boolean
  /** The wire's `mute` text when it is not empty (its format is not documented). */
  muteUntil?: string
  spam?: boolean
  archived?: boolean
  /** The last message's time, Unix seconds. */
  lastMessageTime?: number
  modifyTag?: string
  /** The picture's URL (it carries the WebID: hidden from `util.inspect`). */
  picture?: string
  /** ISO-8601 as sent; absent for "never". */
  lastUpdate?: string
  /** The chat's JSON text as received. */
  rawJson: string
}

/** What `clear` answers. */
export interface ClearResult {
  success: boolean
  message: string
}

/** How a client is built; every field is optional (`WITI_API_KEY` / `WITI_BASE_URL` fill in). */
export interface ClientOptions {
  /** The instance's API key; default `process.env.WITI_API_KEY`. */
  apiKey?: string
  /** Default `process.env.WITI_BASE_URL`, else `https://api.witi.me/`. */
  baseUrl?: string
  /** The time one attempt may take (default 30000). */
  timeoutMs?: number
  /** Retries after the first attempt (default 2). */
  maxRetries?: number
  /** The wait before the first retry, doubling after (default 500). Mostly for tests. */
  initialBackoffMs?: number
  /**
   * At most this many connections (requests in flight) at once from this client (default
   * 100); further calls wait within their timeout. Below 1 is an `InvalidArgumentError`.
   */
  maxConnections?: number
  /**
   * A proxy for every request (`http://`, `https://`, `socks5://`, `socks5h://`); without
   * it `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`/`NO_PROXY` decide, loopback always direct.
   */
  proxy?: string
}

/** The settings of `setConfig`; a field left out is not sent. */
export interface Config {
  /** The PostBack URL (`''` removes it). */
  webhook?: string
  /** The browser name the instance presents. */
  userAgent?: string
  /** `'1.0'` or `'1.1'` (1.1 compresses bulk PostBacks). */
  apiVersion?: string
  /** Batch PostBacks. */
  apiVersionCanBulk?: boolean
}

/** The paired phone's session. */
export interface ConnectionInfo {
  lg?: string
  lc?: string
  phone?: Phone
  battery?: number
  plugged?: boolean
  platform?: string
  wid?: string
  pushname?: string
  tos?: number
  protoVersion: Array<number>
  connected?: boolean
  isResponse?: boolean
  binVersion?: number
  locales: Array<string>
}

/** A contact (`contacts`) or a profile (`getProfile`, `queryProfile`). */
export interface Contact {
  jid?: string
  /** The name the person chose. */
  pushName?: string
  /** The name saved in the phone's contacts. */
  name?: string
  shortName?: string
  /** A business's verified name. */
  verifiedName?: string
  verify?: string
  /** The picture's URL (it carries the WebID: hidden from `util.inspect`). */
  picture?: string
  /** ISO-8601 as sent; absent for "never". */
  lastUpdate?: string
  /** Unix seconds. */
  lastMessageTime?: number
  isBusiness?: boolean
  status?: number
  tag?: string
  unreadCount?: number
  muted?: boolean
  spam?: boolean
  archived?: boolean
  isGroup?: boolean
  /** The contact's JSON text as received. */
  rawJson: string
}

/**
 * Decodes a PostBack body into its events, in order; throws a `PostbackError` when the body
 * cannot be decoded or breaks a limit.
 *
 * `wid` is the request's `wid` query parameter (the instance): every event carries it and it
 * enters each event's `id`.
 */
export declare function decodePostback(body: Buffer | Uint8Array, wid?: string | undefined | null): Array<Event>

/** One PostBack event. */
export interface Event {
  /** `'status'` for connection information, else `'unknown'`. */
  kind: 'status' | 'unknown'
  /** The event's own JSON text. */
  json: string
  /** The parsed connection information, for kind `'status'`. */
  status?: Status
  /**
   * The instance (its WebID) the request named with `wid=`, percent-decoded; absent when it
   * named none. It is the instance's key: keep it out of logs.
   */
  wid?: string
  /**
   * A stable id (32 hex digits) from the instance and the event's text: a redelivered body
   * gives the same ids, two identical events in one body distinct ones.
   */
  id: string
}

/** A WhatsApp group (`groupCreate`, `groupAdd`). */
export interface Group {
  /** The group's JID (`…@g.us`). */
  jid?: string
  name?: string
  /** The picture's URL (it carries the WebID: hidden from `util.inspect`). */
  picture?: string
  /** Hidden from `util.inspect`, as `picture`. */
  originalPicture?: string
  lastUpdate?: string
  /** Unix seconds. */
  lastPresenceTime?: number
  /** The group's subject, owner and participants. */
  information?: GroupInformation
  /** `GroupInformation` as received (the inner JSON text). */
  informationJson?: string
  /** The group's JSON text as received. */
  rawJson: string
}

/** A group's subject, owner and participants. */
export interface GroupInformation {
  /** The group's JID (`…@g.us`). */
  id?: string
  subject?: string
  /** The creator's JID. */
  owner?: string
  subjectOwner?: string
  /** Unix seconds. */
  creation?: number
  /** Unix seconds. */
  subjectTime?: number
  participants: Array<GroupParticipant>
}

/** One member of a group. */
export interface GroupParticipant {
  id?: string
  isAdmin?: boolean
  isSuperAdmin?: boolean
}

/**
 * Listens on `address` (`'127.0.0.1:0'` picks a free port) and calls `handler` once per
 * PostBack event, in order, waiting for it (sync or async) before the next.
 */
export declare function listen(address: string, handler: WebhookHandler, options?: ListenOptions): Promise<WebhookServer>

/** The paired phone's hardware and software. */
export interface Phone {
  deviceModel?: string
  waVersion?: string
  mcc?: string
  mnc?: string
  osVersion?: string
  /** Absent when the server says `"undefined"`. */
  osBuildNumber?: string
  deviceManufacturer?: string
}

/** A QR code to scan with the phone. */
export interface QrCode {
  /** The SVG document (text). */
  svg: string
  /** The `qr` value as received (`data:image/svg+xml;base64,...`). */
  dataUrl: string
  ttlSeconds: number
}

/** What `sendMessage` and `sendFile` answer. */
export interface SentMessage {
  /** The message's id. */
  id: string
  /**
   * Where the server keeps the file (files only; it carries the WebID: hidden from
   * `util.inspect`).
   */
  url?: string
  /** A base64 JPEG thumbnail (files only). */
  jpegThumbnail?: string
  /** The answer's JSON text as received. */
  rawJson: string
}

/** What `closeSession`, `saveSession` and `restoreSession` answer. */
export interface SessionResult {
  success: boolean
  status?: Status
  rawJson: string
}

/** Usage counters. */
export interface Stats {
  contacts?: number
  chats?: number
  sentBytes?: number
  receivedBytes?: number
}

/** Connection information (`status`, `disconnect`, `setConfig`, status PostBacks). */
export interface Status {
  /** A `StatusCode`, or the number of a code this SDK does not know. */
  code: StatusCode
  statusString: string
  connected: boolean
  connectionInfo?: ConnectionInfo
  webId?: string
  webhook?: string
  userAgent?: string
  canRestoreConnection: boolean
  stats?: Stats
  storage?: StorageNode
  /** The response text as received. */
  rawJson: string
}

/**
 * The API's connection status codes. A code this SDK does not know comes back as its number
 * (numeric enums accept any number in TypeScript).
 * The names are the spec's constants (`StatusCode.AUTHENTICATED`), as every language has them.
 */
export declare enum StatusCode {
  NO_CONNECTION = 0,
  WEB_SOCKET_OPENING = 1,
  WEB_SOCKET_OPEN = 2,
  WAIT_FOR_QR_AUTHENTICATION = 3,
  STARTING = 4,
  AUTHENTICATED = 10,
  AUTHENTICATED_CONNECTION_CLOSED = 11,
  NOT_AUTHENTICATED = 13,
}

/** One folder of the instance's storage. */
export interface StorageNode {
  name: string
  bytes: number
  files: number
  subs: Array<StorageNode>
}
