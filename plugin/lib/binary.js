// Finding the heroku-checkup binary, esbuild/biome-style: an override,
// then the platform package npm installed beside the plugin, then PATH.
import {execFileSync} from 'node:child_process'
import {accessSync, constants, readFileSync, statSync} from 'node:fs'
import {createRequire} from 'node:module'
import {delimiter, dirname, join} from 'node:path'

export const BIN_ENV = 'HEROKU_CHECKUP_BIN'

// The npm names of the platforms a release ships: Go's GOOS/GOARCH with
// windows as win32 and amd64 as x64 (process.platform/process.arch).
export const PLATFORMS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64']

export class BinaryError extends Error {}

export function platformPackage(platform = process.platform, arch = process.arch) {
  return `@heroku-checkup/${platform}-${arch}`
}

export function exeName(platform = process.platform) {
  return platform === 'win32' ? 'heroku-checkup.exe' : 'heroku-checkup'
}

function isExecutable(path, platform) {
  try {
    if (!statSync(path).isFile()) return false
    if (platform !== 'win32') accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function onPath(env, platform) {
  const name = exeName(platform)
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const p = join(dir, name)
    if (isExecutable(p, platform)) return p
  }
}

// A development build: `go build` gives "dev" (or, since Go 1.24, a VCS
// pseudo-version such as v0.0.0-20261201093000-abcdef123456+dirty).
export function isDevVersion(v) {
  return v === 'dev' || v === '(devel)' || v.endsWith('-dev') || v.includes('+dirty') || /\d{14}-[0-9a-f]{12}/.test(v)
}

function normalise(v) {
  return v.trim().replace(/^v(?=\d)/, '')
}

// binaryVersion asks a binary for its version: "heroku-checkup 1.2.3 (commit ...)".
function binaryVersion(path, env) {
  let out
  try {
    out = execFileSync(path, ['version'], {encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000})
  } catch (error) {
    throw new BinaryError(`${path} did not run (${error.code ?? error.message}): reinstall the plugin (heroku plugins:install @heroku-checkup/heroku-plugin) or set ${BIN_ENV}`)
  }
  const m = /^heroku-checkup (\S+)/.exec(out)
  if (!m) throw new BinaryError(`${path} is not heroku-checkup (its version command printed ${JSON.stringify(out.slice(0, 60))}): set ${BIN_ENV} to the heroku-checkup binary`)
  return normalise(m[1])
}

// findBinary returns {path, version, source, warning}. It throws a
// BinaryError with one line that names every place it looked, or that says
// the binary belongs to another release than the plugin.
export function findBinary({
  pluginVersion,
  env = process.env,
  platform = process.platform,
  arch = process.arch,
  resolveFrom = import.meta.url,
} = {}) {
  let found
  const override = env[BIN_ENV]
  if (override) {
    if (!isExecutable(override, platform)) throw new BinaryError(`${BIN_ENV}=${override} is not an executable file`)
    found = {path: override, source: BIN_ENV}
  }

  const pkg = platformPackage(platform, arch)
  if (!found) {
    try {
      const require = createRequire(resolveFrom)
      const pj = require.resolve(`${pkg}/package.json`)
      const path = join(dirname(pj), 'bin', exeName(platform))
      if (isExecutable(path, platform)) {
        found = {path, source: pkg, version: normalise(JSON.parse(readFileSync(pj, 'utf8')).version)}
      }
    } catch {}
  }

  if (!found) {
    const path = onPath(env, platform)
    if (path) found = {path, source: 'PATH'}
  }

  if (!found) {
    throw new BinaryError(`the heroku-checkup binary for ${platform}-${arch} is not installed: the optional package ${pkg} is missing ` +
      `(reinstall with heroku plugins:install @heroku-checkup/heroku-plugin, and do not set optional=false for npm), ` +
      `there is no heroku-checkup on PATH, and ${BIN_ENV} is not set`)
  }

  if (pluginVersion && !isDevVersion(pluginVersion)) {
    found.version ??= binaryVersion(found.path, env)
    if (isDevVersion(found.version)) {
      found.warning = `using a development build of heroku-checkup (${found.version}, ${found.path}) with plugin ${pluginVersion}`
    } else if (found.version !== normalise(pluginVersion)) {
      throw new BinaryError(`heroku-checkup ${found.version} (${found.source === 'PATH' ? found.path : found.source}) is not the release of this plugin (${pluginVersion}): ` +
        `reinstall the plugin (heroku plugins:install @heroku-checkup/heroku-plugin@${pluginVersion}) or set ${BIN_ENV} to heroku-checkup ${pluginVersion}`)
    }
  }

  return found
}
