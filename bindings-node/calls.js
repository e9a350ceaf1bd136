'use strict'
/*
 * The public form of every API call, from core's table (`witi::for_each_call!`, handed over
 * by the native module as `callTable()`): index.js installs one `Client` method per entry
 * from it at load, and calls-dts.js writes each method's TypeScript declaration (calls.d.ts)
 * from the same `layout`, so a new call in core needs no line here.
 *
 * The rule (Node's idiom): the table's required parameters, and a JSON body, are positional;
 * the optional ones (an `Option`, or a parameter with a default) go in the last argument, an
 * options object with `signal`. `LAYOUTS` lists the calls whose public form groups some
 * parameters into an object of their own instead.
 */

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
const pascal = (s) => camel(s).replace(/^./, (c) => c.toUpperCase())

/*
 * The exceptions to the rule, by table name: `object` groups parameters into one positional
 * object (of a type named in ts-header.d.ts); `options` lists parameters that go in the
 * options object although the table requires them; `optionsType` names the options object's
 * interface when `<Call>Options` is taken.
 */
const LAYOUTS = {
  // setConfig(config, { signal }): the settings are one `Config` object, as before the table.
  set_config: { object: { name: 'config', type: 'Config', params: ['webhook', 'user_agent', 'api_version', 'api_version_can_bulk'] } },
  // sendFile(to, { url } | { data } | { path }, { mimeType, caption, filename, signal }).
  send_file: { object: { name: 'file', type: 'FileSource', params: ['url', 'data', 'path'] }, options: ['mime_type'] },
  // call(command, body?, { changesState, signal }): `CallOptions` is every call's options.
  call: { optionsType: 'CommandOptions' },
}

/** The table's type text without spaces (`stringify!` writes `Option < String >`). */
const tidy = (type) => type.replace(/\s+/g, '')

/** Whether JS may leave the parameter out. */
const optional = (param) => param.type.startsWith('Option<') || param.default !== null

/** The table (JSON from the native module) with the JS names of calls and parameters. */
function readTable(json) {
  return JSON.parse(json).map((entry) => ({
    name: entry.name,
    method: camel(entry.name),
    doc: entry.doc.map((line) => line.replace(/^ /, '')),
    result: tidy(entry.result),
    params: entry.params.map((p) => ({ name: p.name, js: camel(p.name), type: tidy(p.type), default: p.default })),
  }))
}

/**
 * The public arguments of a call, in order: `{ kind: 'value', param }` (positional),
 * `{ kind: 'object', name, type, params }` (several parameters as one object) and last
 * `{ kind: 'options', type, params }` (the options object, with `signal`).
 */
function layout(entry) {
  const special = LAYOUTS[entry.name] ?? {}
  const grouped = new Set(special.object?.params ?? [])
  const toOptions = new Set(special.options ?? [])
  const args = []
  const options = []
  let objectPlaced = false
  for (const param of entry.params) {
    if (grouped.has(param.name)) {
      if (!objectPlaced) {
        const { name, type, params } = special.object
        const found = params.map((n) => {
          const p = entry.params.find((q) => q.name === n)
          if (p === undefined) throw new Error(`calls.js LAYOUTS.${entry.name}: core's table has no parameter ${n}`)
          return p
        })
        args.push({ kind: 'object', name, type, params: found })
        objectPlaced = true
      }
    } else if (!toOptions.has(param.name) && (!optional(param) || param.type === 'Option<Json>')) {
      args.push({ kind: 'value', param })
    } else {
      options.push(param)
    }
  }
  const type = options.length === 0 ? 'CallOptions' : special.optionsType ?? `${pascal(entry.name)}Options`
  args.push({ kind: 'options', type, params: options })
  return args
}

/** A public argument value as the native method takes it; throws `invalid(message)`. */
function toNative(param, value, invalid) {
  if (value === null) return undefined
  // JSON.stringify's rules (toJSON, undefined fields left out), not napi's walk of the object.
  if (param.type === 'Option<Json>' && value !== undefined) {
    let text
    try {
      text = JSON.stringify(value)
    } catch (e) {
      // A BigInt, a cycle: the caller's input.
      throw invalid(`invalid argument: ${param.js} is not JSON: ${e.message}`)
    }
    // A function, a symbol, or a toJSON answering undefined: JSON.stringify gives undefined,
    // which would silently turn the POST into a GET without a body (Python refuses such a
    // body too).
    if (text === undefined) {
      throw invalid(`invalid argument: ${param.js} is not JSON: a ${typeof value} has no JSON form`)
    }
    return text
  }
  if (param.type === 'Option<Bytes>' && value instanceof ArrayBuffer) return new Uint8Array(value)
  return value
}

/**
 * Installs a method per table entry on `Client.prototype`, from index.js's parts:
 * `run(signal, start, finish)` calls `start(cancelToken)` (the native call) so that `signal`
 * cancels it and settles with `finish(result)`; `nativeOf(client)` is the native client;
 * `fromNative(type, value)` makes the public result; `invalid(message)` an
 * `InvalidArgumentError`.
 */
function install(Client, table, { nativeOf, run, fromNative, invalid }) {
  for (const entry of table) {
    const args = layout(entry)
    const index = new Map(entry.params.map((p, i) => [p.name, i]))
    const finish = (text) => fromNative(entry.result, JSON.parse(text))
    const method = {
      [entry.method](...given) {
        const values = new Array(entry.params.length).fill(undefined)
        let signal
        try {
          args.forEach((arg, i) => {
            const value = given[i]
            if (arg.kind === 'value') {
              values[index.get(arg.param.name)] = toNative(arg.param, value, invalid)
            } else {
              // An object argument (or options) left out counts as an empty one.
              const source = value ?? {}
              for (const param of arg.params) values[index.get(param.name)] = toNative(param, source[param.js], invalid)
              if (arg.kind === 'options') signal = source.signal
            }
          })
        } catch (e) {
          // A promise API rejects; it never throws.
          return Promise.reject(e)
        }
        const native = nativeOf(this)
        return run(signal, (token) => native[entry.method](...values, token), finish)
      },
    }[entry.method]
    Object.defineProperty(Client.prototype, entry.method, { value: method, writable: true, configurable: true })
  }
}

module.exports = { readTable, layout, install, camel, LAYOUTS }
