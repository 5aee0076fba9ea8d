// Finding the binary: HEROKU_CHECKUP_BIN, the platform package, PATH; and
// refusing one of another release.
import assert from 'node:assert/strict'
import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {after, describe, it} from 'node:test'

import {BinaryError, findBinary, isDevVersion, platformPackage} from '../lib/binary.js'

const root = mkdtempSync(join(tmpdir(), 'heroku-checkup-binary-'))
after(() => rmSync(root, {force: true, recursive: true}))
let n = 0

// fakeBinary writes an executable that answers `version` like heroku-checkup.
function fakeBinary(dir, version, name = 'heroku-checkup') {
  mkdirSync(dir, {recursive: true})
  const p = join(dir, name)
  writeFileSync(p, `#!/bin/sh\n[ "$1" = version ] && echo "heroku-checkup ${version} (commit abc, built today, go1.26 linux/amd64)"\n`)
  chmodSync(p, 0o755)
  return p
}

// installed lays out node_modules as npm does for the platform package.
function installed(version) {
  const dir = join(root, `install-${++n}`)
  const pkg = join(dir, 'node_modules', ...platformPackage('linux', 'x64').split('/'))
  mkdirSync(pkg, {recursive: true})
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({name: platformPackage('linux', 'x64'), version, os: ['linux'], cpu: ['x64']}))
  fakeBinary(join(pkg, 'bin'), 'not-asked')
  return pathToFileURL(join(dir, 'node_modules', 'plugin', 'lib', 'binary.js')).href
}

const empty = pathToFileURL(join(root, 'nowhere', 'binary.js')).href
const linux = {platform: 'linux', arch: 'x64'}

describe('findBinary', () => {
  it('HEROKU_CHECKUP_BIN first', () => {
    const p = fakeBinary(join(root, 'override'), '1.2.3')
    const b = findBinary({...linux, env: {HEROKU_CHECKUP_BIN: p, PATH: ''}, pluginVersion: '1.2.3', resolveFrom: installed('1.2.3')})
    assert.equal(b.path, p)
    assert.equal(b.source, 'HEROKU_CHECKUP_BIN')
  })

  it('HEROKU_CHECKUP_BIN that is not executable is an error, not a fallback', () => {
    assert.throws(() => findBinary({...linux, env: {HEROKU_CHECKUP_BIN: join(root, 'missing')}, resolveFrom: empty}), /is not an executable file/)
  })

  it('then the platform package, with its version from its package.json', () => {
    const b = findBinary({...linux, env: {PATH: ''}, pluginVersion: '1.2.3', resolveFrom: installed('1.2.3')})
    assert.equal(b.source, '@heroku-checkup/linux-x64')
    assert.match(b.path, /node_modules\/@heroku-checkup\/linux-x64\/bin\/heroku-checkup$/)
    assert.equal(b.version, '1.2.3')
  })

  it('windows binaries are .exe', () => {
    const dir = join(root, `win-${++n}`)
    const p = fakeBinary(dir, '1.2.3', 'heroku-checkup.exe')
    const b = findBinary({platform: 'win32', arch: 'x64', env: {PATH: dir}, resolveFrom: empty})
    assert.equal(b.path, p)
  })

  it('then PATH', () => {
    const dir = join(root, `path-${++n}`)
    const p = fakeBinary(dir, '1.2.3')
    const b = findBinary({...linux, env: {PATH: `/nonexistent:${dir}`}, pluginVersion: '1.2.3', resolveFrom: empty})
    assert.equal(b.path, p)
    assert.equal(b.version, '1.2.3')
  })

  it('none: one line that names all three places', () => {
    assert.throws(
      () => findBinary({...linux, env: {PATH: ''}, resolveFrom: empty}),
      e => e instanceof BinaryError && !e.message.includes('\n') && /@heroku-checkup\/linux-x64/.test(e.message) && /PATH/.test(e.message) && /HEROKU_CHECKUP_BIN/.test(e.message),
    )
  })

  it('a binary of another release is refused', () => {
    assert.throws(() => findBinary({...linux, env: {PATH: ''}, pluginVersion: '1.3.0', resolveFrom: installed('1.2.3')}), /heroku-checkup 1\.2\.3 .* is not the release of this plugin \(1\.3\.0\)/)
    const dir = join(root, `path-${++n}`)
    fakeBinary(dir, '1.2.0')
    assert.throws(() => findBinary({...linux, env: {PATH: dir}, pluginVersion: '1.3.0', resolveFrom: empty}), /1\.2\.0 .*not the release of this plugin \(1\.3\.0\)/)
  })

  it('go install\'s v-prefixed version is the same release', () => {
    const dir = join(root, `path-${++n}`)
    fakeBinary(dir, 'v1.3.0')
    assert.equal(findBinary({...linux, env: {PATH: dir}, pluginVersion: '1.3.0', resolveFrom: empty}).version, '1.3.0')
  })

  it('a development build runs, with a warning', () => {
    for (const v of ['dev', 'v0.0.0-20261201093000-abcdef123456+dirty']) {
      const dir = join(root, `path-${++n}`)
      fakeBinary(dir, v)
      const b = findBinary({...linux, env: {PATH: dir}, pluginVersion: '1.3.0', resolveFrom: empty})
      assert.match(b.warning, /development build/)
    }
  })

  it('a development plugin runs any binary without asking its version', () => {
    const dir = join(root, `path-${++n}`)
    mkdirSync(dir)
    const p = join(dir, 'heroku-checkup')
    writeFileSync(p, '#!/bin/sh\nexit 9\n')
    chmodSync(p, 0o755)
    const b = findBinary({...linux, env: {PATH: dir}, pluginVersion: '0.0.0-dev', resolveFrom: empty})
    assert.equal(b.path, p)
    assert.equal(b.warning, undefined)
  })

  it('a program that is not heroku-checkup is refused', () => {
    const dir = join(root, `path-${++n}`)
    mkdirSync(dir)
    const p = join(dir, 'heroku-checkup')
    writeFileSync(p, '#!/bin/sh\necho hello\n')
    chmodSync(p, 0o755)
    assert.throws(() => findBinary({...linux, env: {PATH: dir}, pluginVersion: '1.0.0', resolveFrom: empty}), /is not heroku-checkup/)
  })
})

describe('isDevVersion', () => {
  const cases = {
    dev: true,
    '(devel)': true,
    '0.0.0-dev': true,
    'v0.0.0-20261201093000-abcdef123456': true,
    'v1.2.4-0.20261201093000-abcdef123456+dirty': true,
    '1.2.3': false,
    '1.2.3-rc.1': false,
    'v1.2.3': false,
  }
  for (const [v, want] of Object.entries(cases)) {
    it(`${v}: ${want}`, () => assert.equal(isDevVersion(v), want))
  }
})
