// The plugin inside the real Heroku CLI, with a probe in place of the
// binary: what reaches the binary (arguments, token, host, app, stdin) and
// what comes back (exit codes, signals).
import assert from 'node:assert/strict'
import {createHash, randomBytes} from 'node:crypto'
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {alive, fakeTelemetry, gitRepo, linkedUser, probe, waitFor} from './helpers.mjs'

let user
let n = 0
before(async () => {
  user = await linkedUser()
})
after(() => user?.cleanup())

// run runs a plugin command with the probe as the binary and returns what
// the probe saw, with the CLI's exit code and output.
async function run(args, {env = {}, ...opts} = {}) {
  const out = join(user.root, `probe-${++n}.json`)
  const r = await user.heroku(args, {env: {HEROKU_CHECKUP_BIN: probe, PROBE_OUT: out, ...env}, ...opts})
  r.probe = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : undefined
  return r
}

describe('arguments', () => {
  it('reach the binary as typed, after its subcommand', async () => {
    const r = await run(['checkup:diagnose', '--format', 'json', '--output', 'json', '--demo', '--', '-weird', 'two words'])
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(r.probe.argv, ['diagnose', '--format', 'json', '--output', 'json', '--demo', '--', '-weird', 'two words'])
  })

  it('each plugin command runs its subcommand', async () => {
    const want = {
      checkup: 'diagnose',
      'checkup:diagnose': 'diagnose',
      'checkup:pg': 'pg-health',
      'checkup:redis': 'redis-health',
      'checkup:certs': 'certs-check',
      'checkup:dns': 'dns-check',
      'checkup:logs': 'logs-check',
      'checkup:explain': 'explain',
      'checkup:codes': 'codes',
      'checkup:version': 'version',
    }
    // Every command the plugin ships is in the list (checkup is diagnose's alias).
    const shipped = readdirSync(new URL('../commands/checkup/', import.meta.url)).map(f => 'checkup:' + f.replace(/\.js$/, ''))
    assert.deepEqual(Object.keys(want).filter(id => id !== 'checkup').sort(), shipped.sort())
    for (const [id, sub] of Object.entries(want)) {
      const r = await run([id, '--only', 'x'])
      assert.equal(r.code, 0, `${id}: ${r.stderr}`)
      if (sub === 'version') continue // the probe answers version itself
      assert.deepEqual(r.probe.argv, [sub, '--only', 'x'], id)
    }
  })

  it('repeated -a on diagnose pass through, and no single app is chosen for them', async () => {
    const r = await run(['checkup:diagnose', '-a', 'acme-prod', '-a', 'acme-staging'])
    assert.deepEqual(r.probe.argv, ['diagnose', '-a', 'acme-prod', '-a', 'acme-staging'])
    assert.equal(r.probe.env.HEROKU_APP, undefined)
  })

  it('messages can name the command as typed', async () => {
    const r = await run(['checkup:pg'])
    assert.equal(r.probe.env.HEROKU_CHECKUP_INVOKED_AS, 'heroku checkup:pg')
  })
})

describe('credentials and host', () => {
  it('the token of the netrc heroku login writes reaches the binary in its environment, never in its arguments', async () => {
    user.netrc([['api.heroku.com', 'HRKU-netrc-token-0001']])
    const r = await run(['checkup:certs', 'example.com'])
    assert.equal(r.probe.env.HEROKU_API_KEY, 'HRKU-netrc-token-0001')
    assert.equal(r.probe.env.HEROKU_HOST, 'https://api.heroku.com')
    assert.ok(!r.probe.argv.some(a => a.includes('HRKU')))
  })

  it('HEROKU_API_KEY wins over the netrc, as in every heroku command', async () => {
    user.netrc([['api.heroku.com', 'HRKU-netrc-token-0001']])
    const r = await run(['checkup:certs'], {env: {HEROKU_API_KEY: 'HRKU-env-token-0002'}})
    assert.equal(r.probe.env.HEROKU_API_KEY, 'HRKU-env-token-0002')
  })

  it('a HEROKU_HOST with a port: the CLI reads its netrc machine and passes its API URL', async () => {
    user.netrc([['127.0.0.1:18999', 'HRKU-loopback-0003']])
    const r = await run(['checkup:dns'], {env: {HEROKU_HOST: 'http://127.0.0.1:18999'}})
    assert.equal(r.probe.env.HEROKU_API_KEY, 'HRKU-loopback-0003')
    assert.equal(r.probe.env.HEROKU_HOST, 'http://127.0.0.1:18999')
  })

  it('not logged in: no token is invented', async () => {
    user.netrc([])
    const r = await run(['checkup:dns'])
    assert.equal(r.probe.env.HEROKU_API_KEY, undefined)
  })
})

describe('the app', () => {
  const remotes = {heroku: 'https://git.heroku.com/acme-staging.git', prod: 'https://git.heroku.com/acme-prod.git'}

  it('-r resolves through the git remotes', async () => {
    const r = await run(['checkup:pg', '-r', 'prod'], {cwd: gitRepo(user, remotes)})
    assert.equal(r.probe.env.HEROKU_APP, 'acme-prod')
    assert.deepEqual(r.probe.argv, ['pg-health', '-r', 'prod'])
  })

  it('an unknown remote is one line and exit 3, not oclif\'s 2', async () => {
    const r = await run(['checkup:pg', '-r', 'nope'], {cwd: gitRepo(user, remotes)})
    assert.equal(r.code, 3)
    assert.equal(r.probe, undefined)
    assert.match(r.stderr, /^heroku checkup:pg: .*nope.*\n$/)
  })

  it('several remotes and no choice: nothing is chosen (the binary lists them)', async () => {
    const r = await run(['checkup:logs'], {cwd: gitRepo(user, remotes)})
    assert.equal(r.probe.env.HEROKU_APP, undefined)
  })

  it('git config heroku.remote chooses, as in the CLI', async () => {
    const r = await run(['checkup:logs'], {cwd: gitRepo(user, remotes, {'heroku.remote': 'prod'})})
    assert.equal(r.probe.env.HEROKU_APP, 'acme-prod')
  })

  it('HEROKU_APP comes before -r, as in the CLI', async () => {
    const r = await run(['checkup:logs', '-r', 'prod'], {cwd: gitRepo(user, remotes), env: {HEROKU_APP: 'from-env'}})
    assert.equal(r.probe.env.HEROKU_APP, 'from-env')
  })

  it('-a stays in the arguments and is the app', async () => {
    const r = await run(['checkup:dns', '-a', 'acme-prod'])
    assert.deepEqual(r.probe.argv, ['dns-check', '-a', 'acme-prod'])
    assert.equal(r.probe.env.HEROKU_APP, 'acme-prod')
  })

  it('a flag with no value is a parse error: exit 3', async () => {
    const r = await run(['checkup:dns', '-a'])
    assert.equal(r.code, 3, r.stderr)
    assert.equal(r.probe, undefined)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
  })
})

describe('exit codes and streams', () => {
  for (const code of [0, 1, 2, 3]) {
    it(`the binary's exit ${code} is the CLI's`, async () => {
      const r = await run(['checkup:diagnose'], {env: {PROBE_EXIT: String(code)}})
      assert.equal(r.code, code)
    })
  }

  it('stdin reaches the binary untouched', async () => {
    const data = randomBytes(5 << 20)
    const r = await run(['checkup:logs', '--logs-file', '-'], {env: {PROBE_STDIN: '1'}, input: data})
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(r.probe.stdin, {bytes: data.length, sha256: createHash('sha256').update(data).digest('hex')})
  })

  it('no binary anywhere: one line naming all three places, exit 3', async () => {
    const r = await user.heroku(['checkup:version'])
    assert.equal(r.code, 3)
    assert.match(r.stderr, /@heroku-checkup\/linux-x64|@heroku-checkup\/\w+-\w+/)
    assert.match(r.stderr, /PATH/)
    assert.match(r.stderr, /HEROKU_CHECKUP_BIN/)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
  })

  it('HEROKU_CHECKUP_BIN that is not a program: exit 3', async () => {
    const r = await user.heroku(['checkup:version'], {env: {HEROKU_CHECKUP_BIN: join(user.root, 'missing')}})
    assert.equal(r.code, 3)
    assert.match(r.stderr, /HEROKU_CHECKUP_BIN=.*missing is not an executable file/)
  })
})

describe('signals', () => {
  // sig sends a signal while the probe waits, the way a user would: to the
  // CLI's process, or to the whole process group (Ctrl-C in a terminal).
  async function sig(signal, {group = false, telemetry = false, exit = 2} = {}) {
    const out = join(user.root, `probe-${++n}.json`)
    let cli
    const env = {HEROKU_CHECKUP_BIN: probe, PROBE_OUT: out, PROBE_WAIT: '1', PROBE_EXIT: String(exit)}
    if (telemetry) env.NODE_OPTIONS = `--import ${fakeTelemetry}`
    const done = user.heroku(['checkup:diagnose'], {env, detached: true, onSpawn: c => (cli = c)})
    const {pid} = await waitFor(() => existsSync(out) && JSON.parse(readFileSync(out, 'utf8')))
    process.kill(group ? -cli.pid : cli.pid, signal)
    const r = await done
    r.probe = JSON.parse(readFileSync(out, 'utf8'))
    r.childAlive = alive(pid)
    return r
  }

  for (const [signal, opts] of [
    ['SIGINT', {group: true}],
    ['SIGINT', {}],
    ['SIGTERM', {}],
    ['SIGTERM', {group: true}],
    ['SIGHUP', {}],
    ['SIGINT', {group: true, telemetry: true}],
    ['SIGTERM', {telemetry: true}],
  ]) {
    it(`${signal} to the ${opts.group ? 'process group' : 'CLI'}${opts.telemetry ? ' (with the CLI\'s telemetry handlers)' : ''} reaches the binary, whose exit code is the CLI's; nothing is left behind`, async () => {
      const r = await sig(signal, opts)
      assert.equal(r.probe.signal, signal)
      assert.equal(r.code, 2)
      assert.equal(r.childAlive, false)
    })
  }
})
