#!/usr/bin/env node
// Thin shell: commander wiring only. Every command lives in ./commands/<name>.ts and exports
// register(program); analysis lives in the pipeline, never here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { TOOL_VERSION } from '../version.js';
import { register as registerAgents } from './commands/agents.js';
import { register as registerDiff } from './commands/diff.js';
import { register as registerExplain } from './commands/explain.js';
import { register as registerFix } from './commands/fix.js';
import { register as registerReport } from './commands/report.js';
import { register as registerScan } from './commands/scan.js';
import { register as registerSchedule } from './commands/schedule.js';
import { register as registerTui } from './commands/tui.js';

type Register = (program: Command) => void;

// One line per command file (keep sorted).
const commands: Register[] = [
  registerAgents,
  registerDiff,
  registerExplain,
  registerFix,
  registerReport,
  registerScan,
  registerSchedule,
  registerTui,
];

export function buildProgram(): Command {
  const program = new Command('leash')
    .description('Least-privilege auditor for the AWS identities engineers hand to AI agents')
    .version(TOOL_VERSION);
  for (const register of commands) register(program);
  return program;
}

// Run when executed directly or through the npm bin symlink, not when imported by a test.
const isMain = process.argv[1] !== undefined && (() => {
  try { return realpathSync(process.argv[1]!) === fileURLToPath(import.meta.url); } catch { return false; }
})();
if (isMain) {
  await buildProgram().parseAsync(process.argv);
}
