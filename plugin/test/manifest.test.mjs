// The oclif manifest is generated from the binary, never written by hand:
// every flag of every command, in help and completion.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {cpSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {buildManifest} from '../scripts/manifest.mjs'
import {linkedUser, need, pluginRoot} from './helpers.mjs'

const described = () => JSON.parse(execFileSync(need('HEROKU_CHECKUP_TEST_BIN'), ['plugin-manifest'], {encoding: 'utf8'}))

describe('buildManifest', () => {
  it('has every command and every visible flag of the binary', () => {
    const d = described()
    const m = buildManifest(d, {pluginName: '@heroku-checkup/heroku-plugin', version: '1.2.3'})
    assert.equal(m.version, '1.2.3')
    assert.deepEqual(Object.keys(m.commands).sort(), d.commands.map(c => c.id).sort())
    const diag = m.commands['checkup:diagnose']
    assert.deepEqual(diag.aliases, ['checkup'])
    assert.deepEqual(diag.relativePath, ['commands', 'checkup', 'diagnose.js'])
    assert.equal(diag.strict, false)
    assert.equal(diag.flags.app.char, 'a')
    assert.equal(diag.flags.app.multiple, true)
    assert.equal(m.commands['checkup:pg'].flags.app.multiple, false)
    assert.deepEqual(diag.flags.format.options, ['text', 'json', 'markdown', 'html'])
    assert.deepEqual(m.commands['checkup:explain'].flags.format.options, ['text', 'json', 'markdown'], 'explain has no HTML form')
    assert.equal(diag.flags.demo.type, 'boolean')
    assert.equal(diag.flags['demo-apps'], undefined, 'hidden flags stay hidden')
    for (const c of d.commands) {
      assert.deepEqual(Object.keys(m.commands[c.id].flags).sort(), c.flags.map(f => f.name).sort(), c.id)
    }
  })

  it('refuses a command file that runs another subcommand', () => {
    const dir = mkdtempSync(join(tmpdir(), 'heroku-checkup-manifest-'))
    after(() => rmSync(dir, {force: true, recursive: true}))
    cpSync(join(pluginRoot, 'commands'), join(dir, 'commands'), {recursive: true})
    writeFileSync(join(dir, 'commands', 'checkup', 'pg.js'), "import {checkup} from '../../lib/command.js'\nexport default checkup('dns-check')\n")
    assert.throws(() => buildManifest(described(), {pluginName: 'x', version: '1', root: dir}), /commands\/checkup\/pg\.js must run heroku-checkup pg-health, not dns-check/)
  })

  it('refuses a missing command file', () => {
    const d = described()
    d.commands.push({...d.commands[0], id: 'checkup:nothing', command: 'nothing'})
    assert.throws(() => buildManifest(d, {pluginName: 'x', version: '1'}), /commands\/checkup\/nothing\.js does not exist/)
  })
})

describe('help inside the Heroku CLI', () => {
  let user
  before(async () => {
    user = await linkedUser()
  })
  after(() => user?.cleanup())

  it('heroku help checkup:diagnose lists every flag of heroku-checkup diagnose, with its help', async () => {
    const r = await user.heroku(['help', 'checkup:diagnose'], {env: {COLUMNS: '200'}})
    assert.equal(r.code, 0, r.stderr)
    const diag = described().commands.find(c => c.id === 'checkup:diagnose')
    for (const f of diag.flags) {
      assert.match(r.stdout, new RegExp(`--${f.name}\\b`), `--${f.name}`)
      assert.ok(r.stdout.replace(/\s+/g, ' ').includes(f.description.replace(/\s+/g, ' ')), `help of --${f.name}`)
    }
    assert.match(r.stdout, /\$ heroku checkup\b/)
  })

  it('heroku help checkup lists the topic\'s commands', async () => {
    const r = await user.heroku(['help', 'checkup'])
    for (const id of described().commands.map(c => c.id)) assert.match(r.stdout, new RegExp(`${id}\\b`))
  })

  it('--help on a command is the same help, without running the binary', async () => {
    const r = await user.heroku(['checkup:dns', '--help'], {env: {HEROKU_CHECKUP_BIN: join(user.root, 'missing')}})
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /--dig/)
  })
})
