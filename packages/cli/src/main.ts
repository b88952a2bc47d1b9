import { MultimechError, echoed, withFileAccess, type Registries } from '@multimech/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'fs';
import * as path from 'path';
import { CliIo, UsageError, processIo } from './cli-io';
import { GradientTarget, flagOf, gradientFlags, gradientJson, gradientMethods, gradientTable, networkFormatFor, networkGradient, parseTarget } from './gradient-command';
import { readInputFile } from './read-input-file';
import { newCommand, type NewOptions } from './new-command';
import { SCAFFOLD_KINDS } from './scaffold';
import { PluginFlags, loadedCliRegistries, pluginsCommand } from './plugins-command';
import { isError, loadedPluginModules, pluginName, pluginOfStack, thrownText } from './plugin-guard';
import { SCHEMA_TARGETS, SchemaFlags, schemaCommand } from './schema-command';
import { ALLOW_PLUGINS, OUTSIDE_HINT, underTrust } from './plugin-trust';

/** `--allow-plugins`, on every command that reads configs: the config is trusted (its plugins run; it may read files outside its folder). */
const allowPluginsOption = [ALLOW_PLUGINS, "trust the config: load the plugins it names (code, run with your permissions) and read files outside its folder"] as const;

function version(): string {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const integerArg = (text: string): number => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer between -(2^53 − 1) and 2^53 − 1.');
  return n;
};
const positiveArg = (text: string): number => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.');
  return n;
};
const positiveIntegerArg = (text: string): number => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer up to 2^53 − 1.');
  return n;
};
/** Milliseconds a timer can wait: a positive integer up to 2^31 − 1 (about 24.8 days). */
const millisecondsArg = (text: string): number => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n <= 0 || n > 2 ** 31 - 1) throw new InvalidArgumentError('expected a positive integer of milliseconds up to 2147483647.');
  return n;
};
const targetArg = (text: string, previous: GradientTarget[] | undefined): GradientTarget[] => {
  try {
    return [...(previous ?? []), parseTarget(text)];
  } catch (e) {
    throw new InvalidArgumentError(`${(e as Error).message}.`);
  }
};

const numberArg = (text: string): number => {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number.');
  return n;
};

/** How a mechanism's declared flag parses its text (see `GradientOption.type`). */
const ARG_PARSERS = { number: numberArg, positive: positiveArg, integer: integerArg, 'positive-integer': positiveIntegerArg } as const;

/** Flags of `gradient` itself, which no mechanism may declare. */
const GRADIENT_OWN_FLAGS = ['target', 'method', 'json', 'substrate', 'plugin', 'help'];

interface GradientFlags {
  target: GradientTarget[];
  method: string;
  json?: boolean;
  substrate?: string;
  plugin?: string[];
  [setting: string]: unknown;
}

/** The values of every `--plugin PATH` (or `--plugin=PATH`) in `argv`, for commands whose options come from the plugins. */
function pluginArgs(argv: readonly string[]): string[] {
  const paths: string[] = [];
  argv.forEach((a, i) => {
    if (a === '--plugin' && i + 1 < argv.length) paths.push(argv[i + 1]);
    else if (a.startsWith('--plugin=')) paths.push(a.slice('--plugin='.length));
  });
  return paths;
}

/** `multimech gradient`: its own flags, then every flag a registered error mechanism declares. */
function gradientProgram(program: Command, io: CliIo, registries: Registries): void {
  const flags = gradientFlags(registries);
  const formats = registries.substrates
    .all()
    .filter((r) => r.networkFile)
    .map((r) => `${r.networkFile!.name} (${r.networkFile!.extensions.join(', ')}; ${r.kind})`);
  const command = program
    .command('gradient')
    .description('dC/dθ of every trainable edge of a network file for C = ½ Σ (s_node − value)² at its operating point, by any registered error mechanism')
    .argument('<FILE>', `network file, read by the substrate kind that declares its format: ${formats.join(', ') || 'none registered'}`)
    .requiredOption('-t, --target <NODE=VALUE>', 'a target node value (repeat for several)', targetArg)
    .addOption(new Option('-m, --method <method>', 'how the gradient is obtained: a registered error mechanism, or finite differences').choices(gradientMethods(registries)).default('adjoint'))
    .option('--json', 'print one line of JSON: {"loss": C, "gradient": {"R1": dC/dG, ...}}')
    .option('--substrate <KIND>', "the substrate kind that reads the file (default: the one whose format claims the file's ending)")
    .option('--plugin <PATH>', 'a plugin module to load first (repeat for several)', (v: string, previous: string[] | undefined) => [...(previous ?? []), v]);
  for (const { option, methods } of flags) {
    if (GRADIENT_OWN_FLAGS.includes(option.key)) throw new MultimechError(`error mechanism '${methods[0]}' declares a gradient flag '${flagOf(option.key)}' that the command uses itself`);
    const o = new Option(`${flagOf(option.key)} <${option.value}>`, `${methods.join(', ')} method${methods.length > 1 ? 's' : ''}: ${option.help}`);
    if (option.choices) o.choices(option.choices);
    else if (option.type !== 'string') o.argParser(ARG_PARSERS[option.type]);
    command.addOption(o);
  }
  command.action(async (file: string, given: GradientFlags) => {
    const misplaced = flags.filter(({ option, methods }) => given[option.key] !== undefined && !methods.includes(given.method));
    if (misplaced.length > 0) {
      const list = misplaced.map(({ option, methods }) => `${flagOf(option.key)} applies only to --method ${methods.join(' or ')}`);
      throw new UsageError(`${list.join('; ')} (the method is ${given.method})`);
    }
    const { format } = networkFormatFor(registries, file, given.substrate);
    const text = await readInputFile(file, format.name);
    const settings = Object.fromEntries(flags.filter(({ option }) => given[option.key] !== undefined).map(({ option }) => [option.key, given[option.key]]));
    const report = networkGradient(registries, text, file, given.target, { ...settings, method: given.method, ...(given.substrate ? { substrate: given.substrate } : {}) });
    io.stdout.write((given.json ? gradientJson(report) : gradientTable(report)) + '\n');
    // the JSON line stays alone on stdout: what the mechanism chose goes to stderr
    if (given.json) for (const note of report.notes ?? []) io.stderr.write(`multimech: ${note}\n`);
  });
}

function buildProgram(io: CliIo, registries: Registries): Command {
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
    .option(...allowPluginsOption)
    .option('--replace', 'move what --out DIR holds aside (to DIR.replaced-<yyyymmdd-hhmmss>, never deleted) and start anew')
    .option('--max-seconds <S>', 'stop after the epoch in progress once S seconds have passed, saving a checkpoint (exit code 1; --resume continues)', positiveArg)
    .action(async (config: string, flags: { out?: string; seed?: number; resume?: boolean; replace?: boolean; maxSeconds?: number }) => {
      if (flags.resume && flags.out === undefined) throw new UsageError('--resume needs --out DIR: the results folder of the run to continue');
      // train, compare and fidelity load their modules (plots, results folders, the comparison's engine) when they run, not for --help
      const { trainCommand } = require('./train-command') as typeof import('./train-command');
      await trainCommand(config, flags, io);
    });

  program
    .command('compare')
    .description('train several mechanisms, each over several seeds, on one substrate and task, and write a comparison table and plots')
    .argument('<CONFIG>', 'comparison config (JSON): base, mechanisms, seeds')
    .option('-o, --out <DIR>', 'results folder (default: runs/<config name>-<yyyymmdd-hhmmss>)')
    .option('-w, --workers <N>', 'worker threads (default: the number of cores; 1 runs everything in one thread)', positiveIntegerArg)
    .option('-v, --verbose', 'a progress line per epoch of every run (default: one per finished run, or one line redrawn on a terminal)')
    .option(...allowPluginsOption)
    .option('--replace', 'move what --out DIR holds aside (to DIR.replaced-<yyyymmdd-hhmmss>, never deleted) and start anew')
    .option('--max-seconds <S>', 'stop the runs after their epoch in progress once S seconds have passed, saving their checkpoints (exit code 1; the same command continues)', positiveArg)
    .action(async (config: string, flags: { out?: string; workers?: number; verbose?: boolean; replace?: boolean; maxSeconds?: number }) => {
      const { compareCommand } = require('./compare-command') as typeof import('./compare-command');
      await compareCommand(config, flags, io);
    });

  // sweep and worker: the engine of @multimech/sweep, on worker threads or through a Redis queue (their modules load when they run)
  program
    .command('sweep')
    .description('train over a grid or a random search of config paths × seeds × mechanisms, on worker threads or through a Redis queue, and write a CSV of every run and plots; a rerun into the same folder skips the finished runs')
    .argument('<CONFIG>', 'sweep config (JSON): base, sweep { mode, parameters, samples?, seed? }, seeds?, mechanisms?')
    .option('-o, --out <DIR>', 'results folder (default: runs/<config name>-<yyyymmdd-hhmmss>); the runs it holds already are skipped')
    .option('-w, --workers <N>', 'worker threads (default: the number of cores; 1 runs everything in one thread)', positiveIntegerArg)
    .option('-q, --queue <URL>', 'put the runs on a BullMQ queue in Redis (redis://HOST:PORT) for `multimech worker` to run, here or on other machines')
    .option('-v, --verbose', 'a line per epoch of every run, not only per finished run')
    .option(...allowPluginsOption)
    .option('--max-seconds <S>', 'stop the runs after their epoch in progress once S seconds have passed, saving their checkpoints (exit code 1; the same command continues)', positiveArg)
    .action(async (config: string, flags: { out?: string; workers?: number; queue?: string; verbose?: boolean; maxSeconds?: number }) => {
      if (flags.queue !== undefined && flags.workers !== undefined) throw new UsageError('--workers applies to the runs on this machine; with --queue, start `multimech worker` where the runs should go');
      const { sweepCommand } = require('./sweep-command') as typeof import('./sweep-command');
      await sweepCommand(config, flags, io);
    });

  program
    .command('worker')
    .description('run the jobs that sweep --queue puts on a Redis queue, until stopped (Ctrl-C); start it on any number of machines')
    .requiredOption('-q, --queue <URL>', 'the Redis of the queue (redis://HOST:PORT)')
    .option('-c, --concurrency <N>', 'runs at once, each in its own worker thread (default 1)', positiveIntegerArg)
    .option('--stall-interval <MS>', "milliseconds after which a lost worker's run goes to another worker (default 30000)", millisecondsArg)
    .option(ALLOW_PLUGINS, "run the jobs whose configs name plugins (code, run with your permissions), and let them read files outside their folders")
    .action(async (flags: { queue: string; concurrency?: number; stallInterval?: number }) => {
      const { workerCommand } = require('./worker-command') as typeof import('./worker-command');
      await workerCommand(flags, io);
    });

  program
    .command('fidelity')
    .description("sweep one knob of a mechanism (β, η, window, noise) and measure its gradient against the exact one: a CSV and a log-log plot with the theoretical slope")
    .argument('<CONFIG>', 'fidelity config (JSON): experiment, sweep { path, values }, slope?, examples?')
    .option('-o, --out <DIR>', 'results folder (default: runs/<config name>-<yyyymmdd-hhmmss>)')
    .option(...allowPluginsOption)
    .action(async (config: string, flags: { out?: string }) => {
      const { fidelityCommand } = require('./fidelity-command') as typeof import('./fidelity-command');
      await fidelityCommand(config, flags, io);
    });

  program
    .command('new')
    .description('write a standalone plugin package (a substrate, an error mechanism or a task) that installs, builds, passes its tests and trains')
    .argument('<WHAT>', `what the plugin adds: ${SCAFFOLD_KINDS.join(', ')}`)
    .argument('<NAME>', 'its package name (@acme/thermal, acme-thermal)')
    .option('--dir <DIR>', "the folder to write, new or empty (default: the name's last part)")
    .option('--kind <KIND>', 'the kind it registers (default: scope/name for @scope/name, else the name)')
    .action((what: string, name: string, flags: NewOptions) => {
      newCommand(what, name, flags, io);
    });

  gradientProgram(program, io, registries);
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
    .description('print the JSON Schema of an experiment config (or of a comparison or fidelity config), with every registered kind')
    .option(...pluginOption)
    .addOption(new Option('--for <CONFIG>', 'the config it describes').choices(SCHEMA_TARGETS).default('experiment'))
    .option('-o, --out <FILE>', 'write the schema to FILE instead of printing it')
    .action((flags: SchemaFlags) => schemaCommand(flags, io));

  return program;
}

/** The longest line of an error message, in characters: a longer one (a long value echoed) has its middle left out. */
export const MESSAGE_LINE_LIMIT = 500;

/** A message as the command line prints it: each line with control characters escaped and at most MESSAGE_LINE_LIMIT characters (`echoed`). */
export function boundedMessage(message: string): string {
  return message
    .split('\n')
    .map((line) => echoed(line, MESSAGE_LINE_LIMIT))
    .join('\n');
}

/**
 * Prints an error the way the command line reports it and returns the exit
 * code: a MultimechError as `multimech: error: ...`; an error raised in a
 * plugin's code (its file on the stack), or a value that is not an Error
 * once plugins were loaded from outside (multimech throws Errors only), as
 * that plugin's failure; anything else as an internal error. Every line is
 * bounded (`boundedMessage`).
 */
export function reportError(e: unknown, io: CliIo): number {
  const debug = (io.env ?? process.env).MULTIMECH_DEBUG === '1';
  const stack = (x: unknown) => (debug && isError(x) && x.stack ? x.stack + '\n' : '');
  const write = (prefix: string, message: string) => io.stderr.write(`${prefix}${boundedMessage(message)}\n`);
  if (e instanceof CommanderError) {
    // commander has printed its message (or the help) already
    return e.exitCode === 0 ? 0 : 2;
  }
  if (e instanceof MultimechError) {
    write('multimech: error: ', e.message);
    io.stderr.write(stack(e));
    return e instanceof UsageError ? 2 : 1;
  }
  const plugin = isError(e) ? pluginOfStack(e.stack) : undefined;
  if (plugin) {
    write('multimech: error: ', `${pluginName(plugin)} failed: ${isError(e) && e.name !== 'Error' ? `${e.name}: ` : ''}${thrownText(e)}`);
    io.stderr.write(stack(e));
    return 1;
  }
  const outside = loadedPluginModules();
  if (!isError(e) && outside.length > 0) {
    // multimech throws Errors only: a value that is not one comes from a plugin's code
    const which = outside.length === 1 ? pluginName(outside[0]) : `one of the plugins ${outside.map(pluginName).join(', ')}`;
    write('multimech: error: ', `${which} failed: it threw ${thrownText(e)}, not an Error (a plugin reports a failure by throwing an Error with a message)`);
    return 1;
  }
  write('multimech: internal error: ', isError(e) ? e.message : String(e));
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
  // a config is data unless the command line trusts it: its plugins load, and its files lie outside its folder, only with --allow-plugins
  const allowPlugins = argv.slice(2).includes(ALLOW_PLUGINS);
  const trust = { allowPlugins, env: io.env ?? process.env, admitted: new Set<string>(), warn: (line: string) => io.stderr.write(`multimech: warning: ${boundedMessage(line)}\n`) };
  try {
    await underTrust(trust, () =>
      withFileAccess({ confined: !allowPlugins, hint: OUTSIDE_HINT }, async () => {
        // gradient's flags come from the registered mechanisms, its own --plugin entries included
        const registries = await loadedCliRegistries(argv[2] === 'gradient' ? pluginArgs(argv) : []);
        await buildProgram(io, registries).parseAsync([...argv], { from: 'node' });
      }),
    );
    code = 0;
  } catch (e) {
    code = reportError(e, io);
  }
  io.exit?.(code);
  return code;
}
