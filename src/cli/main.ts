#!/usr/bin/env node
// Thin shell: commander wiring only. Every command lives in ./commands/<name>.ts and exports
// register(program); analysis lives in the pipeline, never here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { TOOL_VERSION } from '../version.js';
import { EXIT_ERROR } from './exit-codes.js';
import { setQuiet } from './output.js';
import { register as registerAgents } from './commands/agents.js';
import { register as registerContain } from './commands/contain.js';
import { register as registerActivity } from './commands/activity.js';
import { register as registerDiff } from './commands/diff.js';
import { register as registerExplain } from './commands/explain.js';
import { register as registerFix } from './commands/fix.js';
import { register as registerPaths } from './commands/paths.js';
import { register as registerReport } from './commands/report.js';
import { register as registerScan } from './commands/scan.js';
import { register as registerSchedule } from './commands/schedule.js';
import { register as registerTui } from './commands/tui.js';
import { register as registerWhoCan, registerBlast } from './commands/who-can.js';
import { safeLines } from '../safe/text.js';

type Register = (program: Command) => void;

// One line per command file (keep sorted).
const commands: Register[] = [
  registerActivity,
  registerAgents,
  registerBlast,
  registerContain,
  registerDiff,
  registerExplain,
  registerFix,
  registerPaths,
  registerReport,
  registerScan,
  registerSchedule,
  registerTui,
  registerWhoCan,
];

export function buildProgram(): Command {
  const program = new Command('leash')
    .description('Least-privilege auditor for the AWS identities engineers hand to AI agents')
    .version(TOOL_VERSION)
    // Throw instead of process.exit; set before the commands are added so they inherit it.
    // main() turns a usage error into exit 2: commander's own 1 would read as "findings".
    .exitOverride()
    // Program-wide, so it works before or after the command name (`leash -q scan`, `leash scan -q`).
    .option('-q, --quiet', 'print nothing on success except output asked for (--json); errors still go to stderr')
    .hook('preAction', (_program, action) => setQuiet(Boolean(action.optsWithGlobals().quiet)));
  for (const register of commands) register(program);
  // A usage error says where the options are (the full help would bury the one-line error).
  for (const c of program.commands) c.showHelpAfterError(`(see \`leash ${c.name()} --help\` for its options and exit codes)`);
  return program;
}

/**
 * Run the CLI and return its exit code. Usage errors (unknown option or command, bad choice,
 * missing argument) and unexpected errors are exit 2, printed as one line without a stack trace
 * (LEASH_DEBUG=1 prints it); help and --version are 0.
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return Number(process.exitCode ?? 0);
  } catch (e) {
    // Commander has already printed its message.
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_ERROR;
    process.stderr.write(`leash: ${safeLines(e instanceof Error ? e.message : String(e))}\n`);
    if (process.env.LEASH_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return EXIT_ERROR;
  }
}

// Run when executed directly or through the npm bin symlink, not when imported by a test.
const isMain = process.argv[1] !== undefined && (() => {
  try { return realpathSync(process.argv[1]!) === fileURLToPath(import.meta.url); } catch { return false; }
})();
if (isMain) {
  // React (the TUI, through ink) picks its build from NODE_ENV when first loaded, and with it unset
  // loads the development build: a 10k-principal report then took 0.4–2 s per key in the TUI
  // (React's dev-only render logging diffs every prop, the report included) against ~40 ms.
  // leash is an installed tool, never a React app under development: always the production build.
  process.env.NODE_ENV = 'production';
  // A reader that left early (`leash scan --help | head`, a pager quit): what is left to print has
  // nowhere to go, so it is dropped, and the command still finishes its work (a bundle half
  // written because nobody read stdout would lose data). Any other stream error stays fatal.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
  process.exitCode = await main(process.argv);
}
