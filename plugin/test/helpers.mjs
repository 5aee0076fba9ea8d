// Running the plugin inside the real Heroku CLI (the pinned one that
// ./scripts/heroku-cli installs), with a temporary HOME, telemetry, update
// checks and analytics off, and nothing but loopback to talk to.
import {execFileSync, spawn} from 'node:child_process'
import {mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const pluginRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
export const probe = join(pluginRoot, 'test', 'fixtures', 'probe.mjs')
export const fakeTelemetry = join(pluginRoot, 'test', 'fixtures', 'fake-telemetry.mjs')

// HEROKU_CHECKUP_HEROKU_CLI: the CLI's bin/run.js; HEROKU_CHECKUP_TEST_BIN:
// the heroku-checkup binary just built. ./scripts/test sets both.
export function need(name) {
  const v = process.env[name]
  if (!v) throw new Error(`${name} is not set: run the plugin tests through ./scripts/test (it installs the pinned Heroku CLI and builds the binary)`)
  return v
}

// A PATH with node and git only, so no heroku-checkup installed on the
// machine can be found by accident.
function isolatedPath(root) {
  const bin = join(root, 'bin')
  mkdirSync(bin, {recursive: true})
  symlinkSync(process.execPath, join(bin, 'node'))
  const git = execFileSync('sh', ['-c', 'command -v git'], {encoding: 'utf8'}).trim()
  symlinkSync(git, join(bin, 'git'))
  return bin
}

// A Heroku CLI user: a HOME of their own with the plugin linked in.
export class User {
  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'heroku-checkup-plugin-'))
    this.home = join(this.root, 'home')
    mkdirSync(this.home)
    this.path = isolatedPath(this.root)
  }

  env(extra = {}) {
    return {
      PATH: this.path,
      HOME: this.home,
      DISABLE_TELEMETRY: 'true',
      HEROKU_SKIP_ANALYTICS: '1',
      HEROKU_DISABLE_AUTOUPDATE: '1',
      HEROKU_SKIP_NEW_VERSION_CHECK: '1',
      OCLIF_DISABLE_LINKED_ESM_WARNING: '1',
      // Tokens in netrc, as `heroku login` writes them without a keychain;
      // never the machine's keychain.
      HEROKU_NETRC_WRITE: 'true',
      LANG: 'C.UTF-8',
      ...extra,
    }
  }

  netrc(entries) {
    writeFileSync(join(this.home, '.netrc'), entries.map(([m, t]) => `machine ${m}\n  login user@example.com\n  password ${t}\n`).join(''), {mode: 0o600})
  }

  // heroku runs the real CLI. With detached, it leads its own process
  // group, so a test can signal the whole group as a terminal would.
  heroku(args, {env = {}, input, cwd, detached = false, onSpawn} = {}) {
    const cli = need('HEROKU_CHECKUP_HEROKU_CLI')
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cli, ...args], {cwd: cwd ?? this.home, env: this.env(env), detached, stdio: ['pipe', 'pipe', 'pipe']})
      let stdout = ''
      let stderr = ''
      child.stdout.setEncoding('utf8').on('data', d => (stdout += d))
      child.stderr.setEncoding('utf8').on('data', d => (stderr += d))
      child.on('error', reject)
      child.on('close', (code, signal) => resolve({code, signal, stdout, stderr}))
      if (input !== undefined) child.stdin.end(input)
      else child.stdin.end()
      onSpawn?.(child)
    })
  }

  cleanup() {
    rmSync(this.root, {force: true, recursive: true})
  }
}

// linkedUser writes the manifest from the real binary and links the plugin
// into a new user's CLI.
export async function linkedUser() {
  const bin = need('HEROKU_CHECKUP_TEST_BIN')
  execFileSync(process.execPath, [join(pluginRoot, 'scripts', 'manifest.mjs'), bin], {stdio: 'ignore'})
  const user = new User()
  const r = await user.heroku(['plugins:link', pluginRoot])
  if (r.code !== 0) throw new Error(`plugins:link failed (${r.code}): ${r.stderr}`)
  return user
}

// git makes a repository with the given remotes, as `heroku git:remote` would.
export function gitRepo(user, remotes, config = {}) {
  const dir = mkdtempSync(join(user.root, 'repo-'))
  const git = (...a) => execFileSync('git', a, {cwd: dir, stdio: 'ignore', env: {...user.env(), GIT_CONFIG_NOSYSTEM: '1'}})
  git('init', '-q')
  for (const [name, url] of Object.entries(remotes)) git('remote', 'add', name, url)
  for (const [k, v] of Object.entries(config)) git('config', k, v)
  return dir
}

export function waitFor(predicate, {timeout = 20_000, interval = 20} = {}) {
  return new Promise((resolve, reject) => {
    const start = Date.now()
    const tick = () => {
      let v
      try {
        v = predicate()
      } catch {}
      if (v) return resolve(v)
      if (Date.now() - start > timeout) return reject(new Error('timed out waiting'))
      setTimeout(tick, interval)
    }
    tick()
  })
}

export function alive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
