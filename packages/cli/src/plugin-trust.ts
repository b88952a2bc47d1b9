import { AsyncLocalStorage } from 'node:async_hooks';
import { realpathSync } from 'node:fs';
import * as path from 'node:path';

/**
 * What a command run of the command line trusts. A config is data: the
 * `plugins` it names are code, which runs only when the command line is
 * told to trust the config (`--allow-plugins`), and the files it names are
 * read from its own folder unless it is trusted (core's `withFileAccess`).
 * The trust holds for everything the command does, awaited or not
 * (an AsyncLocalStorage), and for nothing else in the process: code that
 * calls `pluginsFor` outside a command (a program of your own, a worker
 * thread given a job the command has checked) loads what it asks for.
 */
export interface CommandTrust {
  /** `--allow-plugins`: load the plugins a config names, and read files outside its folder. */
  readonly allowPlugins: boolean;
  /** Writes a warning line (without `multimech: warning: `). */
  readonly warn: (line: string) => void;
  /** Environment variables (`MULTIMECH_PLUGIN_LOAD_SECONDS`, `MULTIMECH_TRUSTED_FOLDERS`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Plugin lists already admitted in this command (by folder and entries), so that each is checked and announced once. */
  readonly admitted: Set<string>;
}

const trust = new AsyncLocalStorage<CommandTrust>();

/** Runs `f` (a command) under `t`. */
export function underTrust<T>(t: CommandTrust, f: () => T): T {
  return trust.run(t, f);
}

/** The trust of the command running, or undefined outside the command line's commands. */
export function currentTrust(): CommandTrust | undefined {
  return trust.getStore();
}

/** The flag that trusts a config, as refusals name it. */
export const ALLOW_PLUGINS = '--allow-plugins';

/** The setting that names folders whose configs are trusted: a list of folders, separated as PATH is (`:`; `;` on Windows). */
export const TRUSTED_FOLDERS = 'MULTIMECH_TRUSTED_FOLDERS';

/** A folder with its symbolic links followed (as given when it does not exist). */
function real(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

/**
 * Whether `dir` (a config's folder) lies in one of the folders
 * MULTIMECH_TRUSTED_FOLDERS names (symbolic links followed): the plugins
 * its configs name load without `--allow-plugins`, as they would with it.
 */
export function inTrustedFolder(dir: string, env: Readonly<Record<string, string | undefined>>): boolean {
  const list = (env[TRUSTED_FOLDERS] ?? '').split(path.delimiter).filter((f) => f.trim() !== '' && path.isAbsolute(f));
  if (list.length === 0) return false;
  const here = real(dir);
  return list.some((f) => {
    const root = real(f);
    return here === root || here.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
  });
}

/** What refusals of a file outside a config's folder suggest. */
export const OUTSIDE_HINT = `pass ${ALLOW_PLUGINS} to trust this config (its plugins run, and it may read files anywhere)`;

/** Seconds a plugin module may take to load (`MULTIMECH_PLUGIN_LOAD_SECONDS`, default 60). */
export function pluginLoadSeconds(env: Readonly<Record<string, string | undefined>> = currentTrust()?.env ?? process.env): number {
  const given = Number(env.MULTIMECH_PLUGIN_LOAD_SECONDS);
  return Number.isFinite(given) && given > 0 ? given : 60;
}

/** The prefix of the paths of an experiment config that sits inside a document (`base.` of a comparison or a sweep, `experiment.` of a fidelity sweep). */
const documentPrefix = new WeakMap<object, string>();

/** Notes the children of a parsed config document that are experiment configs (`parseJsonText`), so that problems found in one are placed in the document. */
export function noteDocumentParts(root: unknown): void {
  if (typeof root !== 'object' || root === null || Array.isArray(root)) return;
  for (const key of ['base', 'experiment']) {
    const child = (root as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null && !Array.isArray(child)) documentPrefix.set(child, `${key}.`);
  }
}

/** Where an experiment config sits in the document it was read from: '' at its root, or `base.`, `experiment.`. */
export function prefixInDocument(value: unknown): string {
  return typeof value === 'object' && value !== null ? (documentPrefix.get(value) ?? '') : '';
}
