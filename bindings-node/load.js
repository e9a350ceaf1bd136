'use strict'
/*
 * Loads the native addon through native.js (napi's generated loader, which looks for a local
 * `witi.<platform>.node` and then for the optional package `witi-<platform>`), and turns its
 * failure into an error a user can act on. napi's own message ("Cannot find native binding")
 * names neither the platform nor the fix; this one names both. The packages that exist are
 * read from this package's optionalDependencies (written at release by `napi pre-publish`), so
 * the list is never out of date.
 */

/** This process's platform in napi's spelling: `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`... */
function platformName() {
  let abi = ''
  if (process.platform === 'linux') {
    let glibc = false
    try {
      glibc = Boolean(process.report.getReport().header.glibcVersionRuntime)
    } catch {
      // No report: musl is the one libc without the field, so glibc stays unproven.
    }
    abi = glibc ? '-gnu' : '-musl'
  } else if (process.platform === 'win32') {
    abi = '-msvc'
  }
  return `${process.platform}-${process.arch}${abi}`
}

/**
 * The first line of the load error that tells why (napi chains one error per candidate through
 * `cause`; most are "Cannot find module" of the candidates that are absent).
 */
function firstLine(error) {
  const lines = []
  for (let e = error; e; e = e.cause) lines.push(String(e.message || e).split('\n')[0])
  return lines.find((line) => !/^Cannot find (module|native binding)/.test(line)) || lines[0]
}

function load() {
  try {
    return require('./native.js')
  } catch (cause) {
    const pkg = require('./package.json')
    const platform = platformName()
    const available = Object.keys(pkg.optionalDependencies || {})
      .filter((name) => name.startsWith(`${pkg.name}-`))
      .map((name) => name.slice(pkg.name.length + 1))
    const wanted = `${pkg.name}-${platform}`
    let installed = false
    try {
      require.resolve(`${wanted}/package.json`)
      installed = true
    } catch {
      // Not installed: the usual case, told below.
    }
    const fix = installed
      ? `The package ${wanted} is installed but its addon did not load (${firstLine(cause)}); ` +
        `it needs glibc >= 2.17 on Linux. Reinstall it (delete node_modules and install again) ` +
        `or report the message above.`
      : available.includes(platform)
      ? `The package ${wanted}@${pkg.version} holds it but is not installed: it is an optional ` +
        `dependency, so it is skipped by \`npm install --omit=optional\` (or --no-optional), by a ` +
        `lockfile made on another platform, or by a failed download. Install it ` +
        `(\`npm install ${wanted}@${pkg.version}\`), or delete node_modules and the lockfile and ` +
        `install again.`
      : `No package of ${pkg.name} ${pkg.version} is built for ${platform}; the platforms built ` +
        `are ${available.join(', ')}. Use one of those (a Docker image of one, say), or build ` +
        `the addon from source (see the repository's README, ${pkg.repository}).`
    const error = new Error(
      `${pkg.name}: ${installed ? 'the native library did not load' : 'no native library'} for ` +
        `this platform (${platform}, Node ${process.version}). ${fix}`,
      { cause },
    )
    error.code = 'ERR_WITI_NATIVE_MISSING'
    throw error
  }
}

module.exports = load()
