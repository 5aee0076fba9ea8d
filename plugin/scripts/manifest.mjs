#!/usr/bin/env node
// Writes oclif.manifest.json from the binary's own description of its
// commands and flags (`heroku-checkup plugin-manifest`), so `heroku help
// checkup:diagnose` and shell completion show every flag of the binary, and
// the Heroku CLI starts without importing the plugin's modules.
//
//   node scripts/manifest.mjs [BINARY]     (default: $HEROKU_CHECKUP_BIN, then heroku-checkup on PATH)
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

// buildManifest turns the binary's description into oclif's manifest format.
export function buildManifest(described, {pluginName, version, root: dir = root}) {
  const commands = {}
  for (const c of described.commands) {
    const [topic, name] = c.id.split(':')
    const relativePath = ['commands', topic, `${name}.js`]
    const file = join(dir, ...relativePath)
    if (!existsSync(file)) throw new Error(`${c.id} runs heroku-checkup ${c.command}, but ${relativePath.join('/')} does not exist`)
    const m = /checkup\(\s*'([^']+)'/.exec(readFileSync(file, 'utf8'))
    if (!m || m[1] !== c.command) throw new Error(`${relativePath.join('/')} must run heroku-checkup ${c.command}, not ${m?.[1]}`)
    if (/multipleApps:\s*true/.test(readFileSync(file, 'utf8')) !== Boolean(c.multipleApps)) {
      throw new Error(`${relativePath.join('/')}: -a is ${c.multipleApps ? '' : 'not '}repeatable for heroku-checkup ${c.command}`)
    }

    const flags = {}
    for (const f of c.flags) {
      flags[f.name] = {
        name: f.name,
        ...(f.char ? {char: f.char} : {}),
        ...(f.aliases?.length ? {aliases: f.aliases} : {}),
        description: f.description,
        type: f.type,
        hasDynamicHelp: false,
        ...(f.type === 'option'
          ? {
              // With options, oclif's help lists them (<options: text|json|...>); a helpValue would hide them.
              ...(f.options?.length ? {} : {helpValue: f.helpValue}),
              multiple: Boolean(f.multiple),
              ...(f.options?.length ? {options: f.options} : {}),
              ...(f.default ? {default: f.default} : {}),
            }
          : {allowNo: false}),
      }
    }
    const args = {}
    for (const a of c.args) args[a.name] = {name: a.name, description: a.description, required: false}

    commands[c.id] = {
      aliases: c.aliases,
      args,
      // As Heroku's own commands: no summary, the description's first line is the one shown in lists.
      description: [c.summary, c.description, `Runs heroku-checkup ${c.command} with the arguments as typed, the token of your Heroku login and the app resolved as in every heroku command. Same report and exit code as the binary: 0 ok, 1 warning, 2 critical, 3 could not run or unknown.`].filter(Boolean).join('\n'),
      examples: c.examples,
      flags,
      hasDynamicHelp: false,
      hiddenAliases: [],
      id: c.id,
      pluginAlias: pluginName,
      pluginName,
      pluginType: 'core',
      strict: false,
      enableJsonFlag: false,
      isESM: true,
      relativePath,
      usage: c.usage,
    }
  }
  return {commands, version}
}

function main() {
  const bin = process.argv[2] ?? process.env.HEROKU_CHECKUP_BIN ?? 'heroku-checkup'
  const described = JSON.parse(execFileSync(bin, ['plugin-manifest'], {encoding: 'utf8'}))
  if (described.schema !== 1) throw new Error(`${bin} plugin-manifest: schema ${described.schema}, want 1`)
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const manifest = buildManifest(described, {pluginName: pjson.name, version: pjson.version})
  writeFileSync(join(root, 'oclif.manifest.json'), JSON.stringify(manifest, null, 2) + '\n')
  process.stdout.write(`oclif.manifest.json: ${Object.keys(manifest.commands).length} commands, version ${pjson.version}\n`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main()
