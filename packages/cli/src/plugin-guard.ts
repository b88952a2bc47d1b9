import { MultimechError, echoed } from '@multimech/core';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { types } from 'util';
import { Worker } from 'worker_threads';

/** Whether a thrown value is an Error, of this realm or another (a module loaded in a sandbox, a worker's). */
export function isError(e: unknown): e is Error {
  return e instanceof Error || types.isNativeError(e);
}

/** A plugin module loaded from outside the command line (a config's `plugins`, `--plugin`), and the files that are its code. */
export interface PluginModule {
  /** How messages name the entry: `c.json: plugins[0]`, `--plugin`. */
  readonly where: string;
  /** The entry as written: `./acme.js`, `acme-plugin`. */
  readonly spec: string;
  /** Its resolved file. */
  readonly file: string;
  /** Files whose frames on a stack are this plugin's code: the entry, the CommonJS modules it loaded first, its package's folder when it is a package. */
  readonly files: ReadonlySet<string>;
  /** Folders whose files are its code too (a package's own folder). */
  readonly folders: readonly string[];
}

/** `'./acme.js' (c.json: plugins[0])`: a plugin as messages name it. */
export function pluginName(p: Pick<PluginModule, 'where' | 'spec'>): string {
  return `plugin '${p.spec}' (${p.where})`;
}

/** A plugin's code called process.exit: the run stops with this error instead of ending the process with that code. */
export class PluginExitError extends MultimechError {
  constructor(
    readonly plugin: Pick<PluginModule, 'where' | 'spec'>,
    readonly code: unknown,
    during: 'loading' | 'running',
  ) {
    super(
      `${pluginName(plugin)} called process.exit(${code === undefined ? '' : echoed(String(code), 20)}) while ${during === 'loading' ? 'it was loaded' : 'it ran'}; ` +
        'a plugin reports a failure by throwing an Error, it does not end the process',
    );
    this.name = 'PluginExitError';
  }
}

/** Every plugin module loaded in this process (their code may be on any later stack). */
const modules: PluginModule[] = [];
/** Those the current command loaded (`newPluginSession`). */
let session: PluginModule[] = [];
let loading: Pick<PluginModule, 'where' | 'spec'> | undefined;
let realExit: typeof process.exit | undefined;

/** The plugin modules the current command loaded from outside, in order. */
export function loadedPluginModules(): readonly PluginModule[] {
  return session;
}

/** A command starts: the plugins it loads from now on are its own (the command line may run several commands in one process). */
export function newPluginSession(): void {
  session = [];
}

/** The files of a stack's frames, innermost first: `at f (/a/b.js:1:2)`, `at /a/b.js:1:2`, `at file:///a/b.mjs:1:2`. */
function frameFiles(stack: string): string[] {
  const files: string[] = [];
  for (const raw of stack.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('at ')) continue;
    let where = line.endsWith(')') && line.includes('(') ? line.slice(line.lastIndexOf('(') + 1, -1) : line.slice(3);
    if (where.startsWith('async ')) where = where.slice(6);
    const m = /^(.*):\d+:\d+$/.exec(where);
    if (!m) continue;
    let file = m[1];
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    if (path.isAbsolute(file)) files.push(path.resolve(file));
  }
  return files;
}

/** The loaded plugin whose code a stack passes through (its innermost frame), if any. */
export function pluginOfStack(stack: string | undefined): PluginModule | undefined {
  if (!stack || modules.length === 0) return undefined;
  for (const file of frameFiles(stack)) {
    const found = modules.find((m) => m.files.has(file) || m.folders.some((f) => file.startsWith(f + path.sep)));
    if (found) return found;
  }
  return undefined;
}

/**
 * Replaces process.exit, once, by a function that, called from a plugin's
 * code (while it loads, or with one of its files on the stack), throws a
 * PluginExitError naming the plugin; any other caller exits as before.
 */
function guardProcessExit(): void {
  if (realExit) return;
  realExit = process.exit;
  const exit = realExit;
  process.exit = function guardedExit(code?: number | string | null): never {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = Infinity;
    const stack = new Error().stack;
    Error.stackTraceLimit = limit;
    const running = pluginOfStack(stack);
    if (loading) throw new PluginExitError(loading, code, 'loading');
    if (running) throw new PluginExitError(running, code, 'running');
    return exit.call(process, code as number | undefined);
  } as typeof process.exit;
}

/** The package folder of a file that lies in node_modules (`…/node_modules/acme` or `…/node_modules/@acme/plugin`), if it does. */
function packageFolder(file: string): string | undefined {
  const parts = file.split(path.sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length - 1) return undefined;
  const depth = parts[at + 1].startsWith('@') ? 3 : 2;
  return parts.length > at + depth ? parts.slice(0, at + depth).join(path.sep) : undefined;
}

function noted(entry: Pick<PluginModule, 'where' | 'spec' | 'file'>, before: ReadonlySet<string>): void {
  const same = (m: PluginModule) => m.file === entry.file && m.where === entry.where;
  let module = modules.find(same);
  if (!module) {
    const files = new Set([path.resolve(entry.file)]);
    for (const id of Object.keys(require.cache ?? {})) if (!before.has(id)) files.add(path.resolve(id));
    const folder = packageFolder(path.resolve(entry.file));
    modules.push((module = { ...entry, files, folders: folder ? [folder] : [] }));
  }
  if (!session.some(same)) session.push(module);
}

/** What a plugin that does not finish loading within its budget is told (one line, the command line's format). */
export function loadHangMessage(entry: Pick<PluginModule, 'where' | 'spec' | 'file'>, seconds: number): string {
  return (
    `multimech: error: ${pluginName(entry)} did not finish loading within ${seconds} s: its module loops or waits at load time ` +
    `(MULTIMECH_PLUGIN_LOAD_SECONDS sets the budget)`
  );
}

/** The watchdog's code: after its budget, it writes the message and stops the process, whatever its main thread is doing. */
const WATCHDOG = `
const { workerData } = require('worker_threads');
const { writeSync } = require('fs');
setTimeout(() => {
  try { writeSync(2, workerData.message + '\\n'); } catch {}
  process.kill(process.pid, 'SIGKILL');
}, workerData.ms);
`;

/**
 * A watchdog for code that runs synchronously in the main thread (a plugin
 * module's top level): a worker thread, which runs whatever the main thread
 * does, that writes `message` and stops the process (SIGKILL: a main thread
 * in an endless loop runs no signal handler) when `seconds` pass before the
 * returned function is called. No timer of the main thread could: none
 * fires while its code loops.
 */
export function watchdog(seconds: number, message: string): () => void {
  let worker: Worker | undefined;
  try {
    worker = new Worker(WATCHDOG, { eval: true, workerData: { ms: Math.round(seconds * 1000), message } });
    worker.unref();
    worker.on('error', () => undefined);
  } catch {
    worker = undefined; // no worker threads here: the load is unbounded
  }
  return () => void worker?.terminate().catch(() => undefined);
}

/**
 * Runs `load` (a `require` of a plugin's entry) as plugin code: a
 * process.exit it calls is a PluginExitError naming it; a load that takes
 * more than `seconds` (its module's top level loops) stops the process with
 * a line naming it (`watchdog`). The entry is then remembered with its
 * files, so that its code is recognised later (an exit or a failure while
 * it runs).
 */
export function loadingPlugin<T>(entry: Pick<PluginModule, 'where' | 'spec' | 'file'>, load: () => T, seconds?: number): T {
  guardProcessExit();
  const before = new Set(Object.keys(require.cache ?? {}));
  loading = entry;
  const done = seconds !== undefined ? watchdog(seconds, loadHangMessage(entry, seconds)) : undefined;
  try {
    return load();
  } finally {
    done?.();
    loading = undefined;
    noted(entry, before);
  }
}

/** A plugin whose `import()` did not settle within its budget (a top-level await that never ends). */
export class PluginLoadTimeout extends MultimechError {
  constructor(entry: Pick<PluginModule, 'where' | 'spec' | 'file'>, seconds: number) {
    super(loadHangMessage(entry, seconds).replace(/^multimech: error: /, ''));
    this.name = 'PluginLoadTimeout';
  }
}

/**
 * `loadingPlugin` for an `import()`: an import that has not settled after
 * `seconds` (a top-level await that never ends) is a PluginLoadTimeout; a
 * top level that loops stops the process a few seconds later (`watchdog`).
 */
export async function importingPlugin<T>(entry: Pick<PluginModule, 'where' | 'spec' | 'file'>, load: () => Promise<T>, seconds?: number): Promise<T> {
  guardProcessExit();
  const before = new Set(Object.keys(require.cache ?? {}));
  loading = entry;
  const done = seconds !== undefined ? watchdog(seconds + 5, loadHangMessage(entry, seconds + 5)) : undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    if (seconds === undefined) return await load();
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PluginLoadTimeout(entry, seconds)), seconds * 1000);
    });
    return await Promise.race([load(), late]);
  } finally {
    if (timer) clearTimeout(timer);
    done?.();
    loading = undefined;
    noted(entry, before);
  }
}

/** What a thrown value is, for a message: an Error's message, else the value as JSON or text, bounded (`echoed`). */
export function thrownText(e: unknown): string {
  if (isError(e)) return e.message;
  if (e === undefined) return 'undefined';
  let s: string | undefined;
  try {
    s = JSON.stringify(e);
  } catch {
    s = undefined;
  }
  return echoed(s ?? String(e));
}
