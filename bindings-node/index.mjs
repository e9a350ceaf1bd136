// ESM entry: the same objects as `require('witi')` (one module instance, one native addon).
import { createRequire } from 'node:module'

const witi = createRequire(import.meta.url)('./index.js')

export const {
  Client,
  StatusCode,
  WebhookServer,
  listen,
  decodePostback,
  WitiError,
  ApiError,
  AuthError,
  RateLimitedError,
  HttpStatusError,
  TimeoutError,
  ConnectionError,
  DecodeError,
  InvalidArgumentError,
  PostbackError,
  __napiBindingTarget,
} = witi
export default witi
