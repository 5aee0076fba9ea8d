// The one command of the plugin: resolve what only the Heroku CLI knows (the
// user's token, the API host, the app), then run the heroku-checkup binary
// with the arguments exactly as typed, on the real terminal, and exit with
// its code. No checking logic lives here.
//
// The command class is built at run time on the Heroku CLI's own
// @heroku-cli/command (the host's copy, found from config.root): the token is
// read by the same code that wrote it at `heroku login` (keychain or netrc),
// and the plugin carries no dependencies of its own. Help and completion
// come from oclif.manifest.json, generated from the binary at pack time.
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {constants} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {BinaryError, findBinary} from './binary.js'

const pluginVersion = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version

// Exit codes of the binary (Nagios convention): 3 is "could not run".
const EXIT_UNKNOWN = 3

const SIGNALS = process.platform === 'win32' ? ['SIGINT', 'SIGBREAK'] : ['SIGINT', 'SIGTERM', 'SIGHUP']

// The @heroku-cli/command of the Heroku CLI that runs this plugin.
async function hostCommand(config) {
  let resolved
  try {
    resolved = createRequire(join(config.root, 'package.json')).resolve('@heroku-cli/command')
  } catch {
    return
  }
  const mod = await import(pathToFileURL(resolved).href)
  if (typeof mod.Command !== 'function' || typeof mod.flags?.app !== 'function' || !mod.vars) return
  return mod
}

function fail(config, id, message) {
  process.stderr.write(`${config?.bin ?? 'heroku'} ${id}: ${message}\n`)
  process.exitCode = EXIT_UNKNOWN
}

// runChild spawns the binary on the inherited terminal and resolves with
// its exit code. While it runs, the CLI's own signal handlers (its
// telemetry exits at once on SIGINT/SIGTERM) are set aside: a signal is
// passed to the child, and the plugin exits when the child has.
export function runChild(path, args, env) {
  return new Promise(resolve => {
    const saved = new Map(SIGNALS.map(s => [s, process.listeners(s)]))
    for (const s of SIGNALS) process.removeAllListeners(s)
    const restore = () => {
      for (const [s, listeners] of saved) {
        process.removeAllListeners(s)
        for (const l of listeners) process.on(s, l)
      }
    }
    let child
    const forward = signal => {
      // On Windows a console Ctrl-C already reaches the child, and
      // child.kill would be TerminateProcess: only wait for it.
      if (process.platform !== 'win32' && child?.exitCode === null) child.kill(signal)
    }
    for (const s of SIGNALS) process.on(s, forward)
    try {
      child = spawn(path, args, {env, stdio: 'inherit', windowsHide: false})
    } catch (error) {
      restore()
      resolve({error})
      return
    }
    child.on('error', error => {
      restore()
      resolve({error})
    })
    child.on('exit', (code, signal) => {
      restore()
      if (signal) {
        resolve({code: 128 + (constants.signals[signal] ?? 0), signal})
      } else {
        resolve({code})
      }
    })
  })
}

// checkup returns the oclif command that runs `heroku-checkup <subcommand>`.
export function checkup(subcommand, {multipleApps = false} = {}) {
  return class CheckupCommand {
    static description = `runs heroku-checkup ${subcommand}`
    static strict = false
    static flags = {}
    static args = {}

    static async run(argv, config) {
      const id = this.id ?? `checkup:${subcommand}`
      const host = await hostCommand(config)
      if (!host) {
        fail(config, id, 'this Heroku CLI does not provide @heroku-cli/command (>= 10): update it (heroku update, or npm install -g heroku), or run heroku-checkup directly')
        return
      }
      const Host = host.Command
      const appFlag = multipleApps ? host.flags.app({multiple: true, multipleNonGreedy: true}) : host.flags.app()

      class Command extends Host {
        static baseFlags = typeof Host.baseFlagsWithoutPrompt === 'function' ? Host.baseFlagsWithoutPrompt() : {}
        static promptFlagActive = false
        static strict = false
        static flags = {app: appFlag, remote: host.flags.remote()}

        async run() {
          let flags
          try {
            // strict and '--' are passed here, not inherited: parse() copies
            // only the class's own statics. '--': false lets every flag of
            // the binary through as an argument instead of an error.
            ;({flags} = await this.parse({args: {}, flags: Command.flags, strict: false, '--': false}, this.argv))
          } catch (error) {
            // oclif's parse errors would exit 2, which a monitor reads as critical.
            fail(config, id, String(error?.message ?? error).split('\n')[0])
            return
          }

          const env = {...process.env}
          // The token the user is logged in with (HEROKU_API_KEY, the keychain or netrc), never on a command line.
          const token = this.heroku.auth
          if (token) env.HEROKU_API_KEY = token
          // The API host the CLI resolved that token for.
          env.HEROKU_HOST = host.vars.apiUrl
          // The app the CLI resolved (-a, HEROKU_APP, -r, heroku.remote, the git remote); -a stays in the arguments.
          const apps = [flags.app].flat().filter(Boolean)
          if (apps.length === 1) env.HEROKU_APP = apps[0]
          env.HEROKU_CHECKUP_INVOKED_AS = `${config.bin} ${id}`

          let bin
          try {
            bin = findBinary({env: process.env, pluginVersion})
          } catch (error) {
            if (!(error instanceof BinaryError)) throw error
            fail(config, id, error.message)
            return
          }
          if (bin.warning) process.stderr.write(`${config.bin} ${id}: warning: ${bin.warning}\n`)

          const result = await runChild(bin.path, [subcommand, ...this.argv], env)
          if (result.error) {
            fail(config, id, `could not run ${bin.path}: ${result.error.message}`)
            return
          }
          process.exitCode = result.code
        }
      }

      Command.id = id
      Command.plugin = this.plugin
      Command.pluginName = this.pluginName
      return Command.run(argv, config)
    }
  }
}
