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

