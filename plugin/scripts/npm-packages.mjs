#!/usr/bin/env node
// Turns goreleaser's dist/artifacts.json into the npm packages of a release:
// one package per platform holding that platform's binary
// (@heroku-checkup/linux-x64, ...), and the plugin stamped with the same
// version and listing them as optionalDependencies, each packed with
// `npm pack`. OSS goreleaser cannot publish to npm (its npms: pipe is Pro,
// and downloads the binary in a postinstall script, which npm 11 asks users
// to approve): this script is that step.
//
//   node plugin/scripts/npm-packages.mjs --artifacts dist/artifacts.json --version 1.2.3 --out dist/npm [--partial]
//
// It writes OUT/*.tgz and OUT/publish-order.txt: the platform packages
// first, the plugin last. Publish in that order (plugin/scripts/release.sh):
// npm skips a missing optional dependency silently, so a plugin published
// before its binaries would install "successfully" and then find nothing.
import {execFileSync} from 'node:child_process'
import {chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

import {PLATFORMS, exeName} from '../lib/binary.js'
import {buildManifest} from './manifest.mjs'

const pluginRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
const SCOPE = '@heroku-checkup'
const npmOS = {darwin: 'darwin', linux: 'linux', windows: 'win32'}
const npmCPU = {amd64: 'x64', arm64: 'arm64'}

// platformsOf reads the binaries of goreleaser's artifacts.json.
export function platformsOf(artifacts, base) {
  const out = new Map()
  for (const a of artifacts) {
    if (a.type !== 'Binary' || a.name?.replace(/\.exe$/, '') !== 'heroku-checkup') continue
    const os = npmOS[a.goos]
    const cpu = npmCPU[a.goarch]
    if (!os || !cpu) continue
    const platform = `${os}-${cpu}`
    if (out.has(platform)) throw new Error(`two binaries for ${platform} in artifacts.json`)
    out.set(platform, {os, cpu, goos: a.goos, goarch: a.goarch, path: resolve(base, a.path)})
  }
  return out
}

function writeJSON(path, value) {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n')
}

function pack(dir, out) {
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], {cwd: dir, encoding: 'utf8'}).trim().split('\n').pop()
  return join(out, name)
}

export function makePackages({artifacts, version, out, partial = false, base = process.cwd()}) {
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) throw new Error(`version ${version} is not X.Y.Z[-pre]`)
  const platforms = platformsOf(artifacts, base)
  const missing = PLATFORMS.filter(p => !platforms.has(p))
  if (missing.length > 0 && !partial) throw new Error(`artifacts.json has no binary for ${missing.join(', ')}; users there would get none (use --partial only for tests)`)

  const plugin = JSON.parse(readFileSync(join(pluginRoot, 'package.json'), 'utf8'))
  rmSync(out, {force: true, recursive: true})
  const work = join(out, 'packages')
  mkdirSync(work, {recursive: true})
  const tgz = []

  for (const [platform, b] of platforms) {
    const name = `${SCOPE}/${platform}`
    const dir = join(work, platform)
    mkdirSync(join(dir, 'bin'), {recursive: true})
    const exe = join(dir, 'bin', exeName(b.os))
    copyFileSync(b.path, exe)
    chmodSync(exe, 0o755)
    writeJSON(join(dir, 'package.json'), {
      name,
      version,
      description: `The heroku-checkup binary for ${b.goos}/${b.goarch}, used by ${plugin.name}`,
      license: plugin.license,
      repository: plugin.repository,
      os: [b.os],
      cpu: [b.cpu],
      files: ['bin'],
      preferUnplugged: true,
    })
    writeFileSync(join(dir, 'README.md'), `# ${name}\n\nThe \`heroku-checkup\` binary for ${b.goos}/${b.goarch}. Install the Heroku CLI plugin instead:\n\n    heroku plugins:install ${plugin.name}\n`)
    tgz.push(pack(dir, out))
  }

  // The plugin, stamped: its version and its platform packages at exactly that version.
  const dir = join(work, 'heroku-plugin')
  mkdirSync(dir)
  for (const f of plugin.files) cpSync(join(pluginRoot, f), join(dir, f), {recursive: true, filter: src => !src.endsWith('oclif.manifest.json')})
  cpSync(join(pluginRoot, 'README.md'), join(dir, 'README.md'))
  const {scripts, devDependencies, ...rest} = plugin
  const stamped = {...rest, version, optionalDependencies: Object.fromEntries([...platforms.keys()].sort().map(p => [`${SCOPE}/${p}`, version]))}
  writeJSON(join(dir, 'package.json'), stamped)

  // The manifest comes from a binary of this release that runs here.
  const host = platforms.get(`${process.platform}-${process.arch}`)
  if (!host) throw new Error(`no binary for this machine (${process.platform}-${process.arch}) in artifacts.json to write the manifest with`)
  const described = JSON.parse(execFileSync(host.path, ['plugin-manifest'], {encoding: 'utf8'}))
  if (described.version.replace(/^v/, '') !== version) throw new Error(`the binaries are version ${described.version}, not ${version}`)
  writeJSON(join(dir, 'oclif.manifest.json'), buildManifest(described, {pluginName: plugin.name, version, root: dir}))
  tgz.push(pack(dir, out))

  writeFileSync(join(out, 'publish-order.txt'), tgz.map(t => t.slice(out.length + 1)).join('\n') + '\n')
  return tgz
}

function main() {
  const {values} = parseArgs({options: {artifacts: {type: 'string'}, version: {type: 'string'}, out: {type: 'string'}, partial: {type: 'boolean'}}})
  if (!values.artifacts || !values.version || !values.out) {
    process.stderr.write('usage: npm-packages.mjs --artifacts dist/artifacts.json --version X.Y.Z --out DIR [--partial]\n')
    process.exit(2)
  }
  const artifacts = JSON.parse(readFileSync(values.artifacts, 'utf8'))
  // artifacts.json paths are relative to the directory goreleaser ran in (dist/..).
  const base = resolve(dirname(values.artifacts), '..')
  const tgz = makePackages({artifacts, version: values.version.replace(/^v/, ''), out: resolve(values.out), partial: values.partial, base})
  for (const t of tgz) process.stdout.write(t + '\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main()
  } catch (error) {
    process.stderr.write(`npm-packages: ${error.message}\n`)
    process.exit(1)
  }
}
