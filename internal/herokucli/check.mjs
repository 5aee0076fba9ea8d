// Checks command lines against the real Heroku CLI, in one node process:
// the CLI's own oclif Config finds each command (as `heroku ID` would),
// its Help class renders `heroku ID --help`, and the command's own parse
// (the one its run() calls: base flags, preparse hooks, the oclif parser
// with the command's flags, args and strictness) reads the arguments.
// Beyond what the parser refuses, a line fails when it uses an alias of
// the command or of a flag, a hidden or deprecated flag, a character
// shared by two flags, or a positional argument the command deprecates:
// they work today and are the first to go.
//
// Usage: node check.mjs HEROKU_RUN_JS < lines, one JSON array of
// arguments (without "heroku") per line; writes one JSON object per line:
// {"argv": [...], "id": "ps:restart", "error": ""}.
import {createRequire} from 'node:module'
import {dirname} from 'node:path'
import {createInterface} from 'node:readline'

const runJS = process.argv[2]
const require = createRequire(runJS)
const {Config, loadHelpClass} = require('@oclif/core')
const config = await Config.load({root: dirname(dirname(runJS))})
const Help = await loadHelpClass(config)

// captured runs fn with stdout and stderr writes captured: a warning
// printed while parsing is a failure too.
async function captured(fn) {
  const out = []
  const writes = [process.stdout.write, process.stderr.write]
  const keep = chunk => { out.push(String(chunk)); return true }
  process.stdout.write = keep
  process.stderr.write = keep
  const emit = process.emitWarning
  process.emitWarning = w => out.push(String(w?.message ?? w))
  try {
    return {value: await fn(), output: out.join('')}
  } finally {
    ;[process.stdout.write, process.stderr.write] = writes
    process.emitWarning = emit
  }
}

// flagName maps what a token names to the flag: its own name, one of its
// aliases, or its character.
function lookupFlag(flags, token) {
  if (token.startsWith('--')) {
    const name = token.slice(2).split('=')[0]
    if (name === 'no-color') return {name, def: flags[name]}
    for (const [n, def] of Object.entries(flags)) {
      if (n === name) return {name: n, def}
      if ((def.aliases ?? []).includes(name)) return {name: n, def, alias: name}
      if (def.allowNo && name === 'no-' + n) return {name: n, def}
    }
    return undefined
  }
  const ch = token[1]
  const owners = Object.entries(flags).filter(([, def]) => def.char === ch || (def.charAliases ?? []).includes(ch))
  if (owners.length > 1) return {name: owners.map(([n]) => n).join(', '), shared: ch}
  if (owners.length === 1) return {name: owners[0][0], def: owners[0][1]}
  return undefined
}

async function check(argv) {
  const [id, ...rest] = argv
  const cmd = id && config.findCommand(id)
  if (!cmd) return {id, error: `heroku ${id}: no such command in heroku ${config.version}`}
  const owner = config.commands.find(c => c.id !== id && [...(c.aliases ?? []), ...(c.hiddenAliases ?? [])].includes(id))
  if (owner) return {id: owner.id, error: `heroku ${id} is an alias: write heroku ${owner.id}`}
  if (cmd.hidden) return {id, error: `heroku ${id} is hidden`}
  if (cmd.deprecationOptions || cmd.state === 'deprecated') return {id, error: `heroku ${id} is deprecated`}
  const help = new Help(config, {stripAnsi: true})
  const text = help.formatCommand(cmd)
  if (!text.includes(id)) return {id, error: `heroku ${id} --help does not show its usage`}

  const C = await cmd.load()
  const flags = {...(C.baseFlags ?? {}), ...(C.flags ?? {})}
  let afterDashes = false
  for (let i = 0; i < rest.length; i++) {
    const tok = rest[i]
    if (tok === '--') { afterDashes = true; continue }
    if (afterDashes || !tok.startsWith('-') || tok === '-') continue
    const f = lookupFlag(flags, tok)
    if (!f) continue // the parser refuses it below
    if (f.shared) return {id, error: `-${f.shared} is the character of several flags (${f.name}): write the long name`}
    if (f.alias) return {id, error: `--${f.alias} is an alias of --${f.name}: write --${f.name}`}
    if (f.def?.hidden && f.name !== 'no-color') return {id, error: `--${f.name} is a hidden flag`}
    if (f.def?.deprecated) return {id, error: `--${f.name} is deprecated`}
    if (f.def?.type === 'option' && !tok.includes('=') && (tok.startsWith('--') || tok.length === 2)) i++
  }

  const inst = new C(rest, config)
  let parsed
  try {
    const r = await captured(() => inst.parse(C, rest))
    parsed = r.value
    if (r.output.trim() !== '') return {id, error: `heroku ${id} warns: ${r.output.trim()}`}
  } catch (e) {
    const msg = String(e?.message ?? e).replace(/^The following errors? occurred:\s*/, '')
    return {id, error: msg.split('\n').map(l => l.trim()).filter(l => l !== '' && !l.startsWith('See more help')).join(' ')}
  }
  for (const raw of parsed.raw ?? []) {
    if (raw.type === 'arg' && C.args?.[raw.arg]?.deprecated) {
      return {id, error: `the ${raw.arg.toUpperCase()} argument of heroku ${id} is deprecated (${raw.input})`}
    }
  }
  return {id, error: ''}
}

const rl = createInterface({input: process.stdin, crlfDelay: Infinity})
for await (const line of rl) {
  if (line.trim() === '') continue
  const argv = JSON.parse(line)
  let res
  try {
    res = await check(argv)
  } catch (e) {
    res = {id: argv[0], error: `checker: ${e?.stack ?? e}`}
  }
  process.stdout.write(JSON.stringify({argv, ...res}) + '\n')
}
