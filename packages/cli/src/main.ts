import { MultimechError } from '@multimech/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'fs';
import * as path from 'path';
import { CliIo, UsageError, processIo } from './cli-io';
import { compareCommand } from './compare-command';
import { fidelityCommand } from './fidelity-command';
import { GRADIENT_METHODS, METHOD_FLAGS, GradientMethod, GradientTarget, gradientJson, gradientTable, netlistGradient, parseTarget } from './gradient-command';
import { readInputFile } from './read-input-file';
import { trainCommand } from './train-command';
import { PluginFlags, pluginsCommand } from './plugins-command';
import { schemaCommand } from './schema-command';

function version(): string {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const integerArg = (text: string): number => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError('expected an integer.');
  return n;
};
const positiveArg = (text: string): number => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.');
  return n;
};
const positiveIntegerArg = (text: string): number => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer.');
  return n;
};
const targetArg = (text: string, previous: GradientTarget[] | undefined): GradientTarget[] => {
  try {
    return [...(previous ?? []), parseTarget(text)];
  } catch (e) {
    throw new InvalidArgumentError(`${(e as Error).message}.`);
  }
};

interface GradientFlags {
  target: GradientTarget[];
  method: GradientMethod;
  json?: boolean;
  mode?: 'phasor' | 'small-signal' | 'transient';
  amplitude?: number;
  frequency?: number;
  periods?: number;
  samplesPerPeriod?: number;
  settle?: number;
  beta?: number;
  variant?: 'positive' | 'negative' | 'centred';
  eta?: number;
}


function buildProgram(io: CliIo): Command {
  const program = new Command('multimech')
    .description('Physical networks that learn by local rules: train them, and compare learning mechanisms with the exact gradient.')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`multimech: ${s}`),
    })
    .showHelpAfterError('(run multimech help for usage)');

  program
    .command('train')
    .description('train the experiment a JSON config describes and write a results folder')
    .argument('<CONFIG>', 'experiment config (JSON)')
    .option('-o, --out <DIR>', 'results folder (default: runs/<config name>-<yyyymmdd-hhmmss>)')
    .option('--seed <N>', "seed for every random choice (overrides the config's seed)", integerArg)
    .option('--resume', "continue the run in --out DIR from its checkpoint (the config may change only training.epochs)")
    .action(async (config: string, flags: { out?: string; seed?: number; resume?: boolean }) => {
      if (flags.resume && flags.out === undefined) throw new UsageError('--resume needs --out DIR: the results folder of the run to continue');
      await trainCommand(config, flags, io);
    });

  program
    .command('compare')
    .description('train several mechanisms, each over several seeds, on one substrate and task, and write a comparison table and plots')
    .argument('<CONFIG>', 'comparison config (JSON): base, mechanisms, seeds')
    .option('-o, --out <DIR>', 'results folder (default: runs/<config name>-<yyyymmdd-hhmmss>)')
    .option('-w, --workers <N>', 'worker threads (default: the number of cores; 1 runs everything in one thread)', positiveIntegerArg)
    .action(async (config: string, flags: { out?: string; workers?: number }) => {
      await compareCommand(config, flags, io);
    });

  program
    .command('fidelity')
    .description("sweep one knob of a mechanism (β, η, window, noise) and measure its gradient against the exact one: a CSV and a log-log plot with the theoretical slope")
    .argument('<CONFIG>', 'fidelity config (JSON): experiment, sweep { path, values }, slope?, examples?')
    .option('-o, --out <DIR>', 'results folder (default: runs/<config name>-<yyyymmdd-hhmmss>)')
    .action(async (config: string, flags: { out?: string }) => {
      await fidelityCommand(config, flags, io);
    });

  // what is registered, and the JSON Schema of configs; --plugin loads more plugin modules, as a config's "plugins" list does
  const pluginOption = ['--plugin <PATH>', 'also load this plugin module (a path or a package name; repeat for several)', (p: string, all?: string[]) => [...(all ?? []), p]] as const;
  program
    .command('plugins')
    .description('list the registered substrates, mechanisms, rules and tasks; with KIND, its config section as JSON Schema, its defaults and an example')
    .argument('[KIND]', 'a kind (resistive, frequency, ...), or one qualified by its section (substrate:resistive)')
    .option(...pluginOption)
    .option('--json', 'print JSON')
    .action((kind: string | undefined, flags: PluginFlags) => pluginsCommand(kind, flags, io));
  program
    .command('schema')
    .description('print the JSON Schema of an experiment config, with every registered kind')
    .option(...pluginOption)
    .action((flags: PluginFlags) => schemaCommand(flags, io));

  program
    .command('gradient')
    .description('dC/dG of every resistor of a SPICE netlist for C = ½ Σ (V_node − value)² at its DC operating point')
    .argument('<NETLIST>', 'SPICE netlist (R, I, V, C, D with .model, B elements)')
    .requiredOption('-t, --target <NODE=VALUE>', 'a target node voltage (repeat for several)', targetArg)
    .addOption(new Option('-m, --method <method>', 'how the gradient is obtained').choices(GRADIENT_METHODS).default('adjoint'))
    .option('--json', 'print one line of JSON: {"loss": C, "gradient": {"R1": dC/dG, ...}}')
    .addOption(new Option('--mode <mode>', 'frequency method: ideal lock-in (phasor, linear networks), its β → 0 limit (small-signal) or a transient (sampled; integrated in time where there are capacitors)').choices(['phasor', 'small-signal', 'transient']))
    .option('--amplitude <B>', 'frequency method: error amplitude β (A)', positiveArg)
    .option('--frequency <F>', 'frequency method: error frequency (Hz)', positiveArg)
    .option('--periods <P>', 'frequency method: lock-in window in periods', positiveIntegerArg)
    .option('--samples-per-period <N>', 'frequency method, transient mode: samples per period', positiveIntegerArg)
    .option('--settle <W>', 'frequency method, transient mode on a netlist with capacitors: windows integrated before the one read (default: enough for the slowest RC time to decay by 1e-7)', integerArg)
    .option('--beta <B>', 'ep method: nudge strength β, a conductance (default 1e-3 × the median conductance of the netlist)', positiveArg)
    .addOption(new Option('--variant <variant>', 'ep method: which pair of nudged states').choices(['positive', 'negative', 'centred']))
    .option('--eta <E>', 'cl method: clamp fraction η (0 < η ≤ 1)', positiveArg)
    .action(async (netlist: string, flags: GradientFlags) => {
      const misplaced = Object.keys(METHOD_FLAGS).filter((k) => (flags as unknown as Record<string, unknown>)[k] !== undefined && METHOD_FLAGS[k].method !== flags.method);
      if (misplaced.length > 0) {
        const list = misplaced.map((k) => `${METHOD_FLAGS[k].flag} applies only to --method ${METHOD_FLAGS[k].method}`);
        throw new UsageError(`${list.join('; ')} (the method is ${flags.method})`);
      }
      const text = await readInputFile(netlist, 'a SPICE netlist');
      const report = netlistGradient(text, netlist, flags.target, flags);
      io.stdout.write((flags.json ? gradientJson(report) : gradientTable(report)) + '\n');
    });

  return program;
}

/** Prints an error the way the command line reports it and returns the exit code. */
export function reportError(e: unknown, io: CliIo): number {
  const debug = (io.env ?? process.env).MULTIMECH_DEBUG === '1';
  const stack = (x: unknown) => (debug && x instanceof Error && x.stack ? x.stack + '\n' : '');
  if (e instanceof CommanderError) {
    // commander has printed its message (or the help) already
    return e.exitCode === 0 ? 0 : 2;
  }
  if (e instanceof MultimechError) {
    io.stderr.write(`multimech: error: ${e.message}\n${stack(e)}`);
    return e instanceof UsageError ? 2 : 1;
  }
  const message = e instanceof Error ? e.message : String(e);
  io.stderr.write(`multimech: internal error: ${message}\n`);
  io.stderr.write(debug ? stack(e) : '(set MULTIMECH_DEBUG=1 to see where it happened)\n');
  return 1;
}

/**
 * Runs the command line on `argv` (as in process.argv: node, script, then
 * the arguments) and returns the exit code: 0 on success, 1 for bad input
 * or a failed run, 2 for a usage error. Nothing is thrown: user errors are
 * one line on stderr without a stack trace, internal errors show their stack
 * only when MULTIMECH_DEBUG=1.
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let code: number;
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'node' });
    code = 0;
  } catch (e) {
    code = reportError(e, io);
  }
  io.exit?.(code);
  return code;
}
