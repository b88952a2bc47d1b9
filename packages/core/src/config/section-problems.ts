import { ConfigError, type ConfigProblem } from '../support/errors';

/**
 * The places of settings. A plugin knows its own section only: it reports a
 * problem at a key relative to that section, and whoever shows the problem
 * places it. An experiment config places `mode` of the error section at
 * `error.mode`, a comparison at `mechanisms[2].error.mode`, the `gradient`
 * command at its flag `--mode`. The place is decided in one function, a
 * `SettingPaths`; no message is rewritten after the fact.
 */

/** The top-level sections of an experiment config (the plugin sections, and the trainer's). */
export type SectionName = 'substrate' | 'task' | 'activation' | 'error' | 'rule' | (string & {});

/** Where the caller shows a key of a section; key '' is the section as a whole. */
export type SettingPaths = (section: SectionName, key: string) => string;

/** Joins a section path and a key inside it: `error` + `mode`, `substrate` + `edges[3]`; key '' is the section itself. */
export function joinPath(section: string, key: string): string {
  if (key === '' || !section) return section || key;
  return key.startsWith('[') ? section + key : `${section}.${key}`;
}

/** The paths of an experiment config: `error.mode`, `substrate.edges[3].conductance`, `activation.kind`. */
export const experimentPaths: SettingPaths = (section, key) => joinPath(section, key);

/** Names a key as the caller shows it: a key of the problem's own section, or of `section`. */
export type At = (key: string, section?: SectionName) => string;

/** A problem with a section's settings, relative to that section. */
export interface SectionProblem {
  /** The section it lies in. */
  readonly section: SectionName;
  /** A key inside the section (`mode`, `kind`, `edges[3].conductance`); '' the section as a whole. */
  readonly key: string;
  /** What is wrong; a function names other settings through `at` (`the time-series readout (${at('readout')}) ...`). */
  readonly message: string | ((at: At) => string);
}

/** Places problems for the caller: each at its path, each message with the settings it names. */
export function placeProblems(problems: readonly SectionProblem[], paths: SettingPaths = experimentPaths): ConfigProblem[] {
  return problems.map((p) => {
    const at: At = (key, section = p.section) => paths(section, key);
    return { path: paths(p.section, p.key), message: typeof p.message === 'function' ? p.message(at) : p.message };
  });
}

/**
 * Problems with settings that show only after decoding: when a plugin
 * checks its settings against what it is paired with, builds its network,
 * or runs on the network as built. A ConfigError placed as in an
 * experiment config; `placed` places it for another caller.
 */
export class SettingsError extends ConfigError {
  constructor(
    readonly sectionProblems: readonly SectionProblem[],
    source?: string,
  ) {
    super(placeProblems(sectionProblems), source);
    this.name = 'SettingsError';
  }

  /** The same problems, placed by `paths` (and naming `source`). */
  placed(paths: SettingPaths, source?: string): ConfigError {
    return new ConfigError(placeProblems(this.sectionProblems, paths), source ?? this.source);
  }
}

/** Throws a SettingsError of one problem. */
export function settingsProblem(section: SectionName, key: string, message: SectionProblem['message']): never {
  throw new SettingsError([{ section, key, message }]);
}
