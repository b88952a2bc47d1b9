import { ActivationRecord } from '../contracts/activation-mechanism';
import { ErrorRecord, producedReadings } from '../contracts/error-mechanism';
import { ConfigError, ConfigProblem, MultimechError } from '../support/errors';
import { RuleRecord } from '../contracts/learning-rule';
import { Registries, Registry } from './registry';
import { SubstrateRecord } from '../contracts/substrate';
import { TaskRecord } from '../contracts/task';
import { reportErrors } from '../config/codecs';
import { experimentPaths, placeProblems, type SectionName, type SectionProblem, type SettingPaths } from '../config/section-problems';
import { isLeft } from 'fp-ts/lib/Either';
import type * as t from 'io-ts';

/** A decoded plugin section: the record that owns it and its settings, every default filled in. */
export interface Section<R> {
  readonly record: R;
  readonly config: unknown;
}

/**
 * Decodes one `{ kind, ... }` section, once, in two stages: the kind against
 * the registry, then the rest against the plugin's own codec, into settings
 * with every default filled in. Problems are appended, placed by `paths`
 * (the experiment config's own by default); returns undefined when it failed.
 */
export function decodeSection<R extends { readonly kind: string; readonly configCodec: t.Type<any, unknown, unknown> }>(
  registry: Registry<R>,
  value: unknown,
  section: SectionName,
  problems: ConfigProblem[],
  paths: SettingPaths = experimentPaths,
): Section<R> | undefined {
  const at = (key: string) => paths(section, key);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ path: at(''), message: `expected an object with a "kind" (one of ${registry.kinds().join(', ')}), got ${JSON.stringify(value) ?? 'nothing'}` });
    return undefined;
  }
  const { kind, ...rest } = value as Record<string, unknown>;
  if (typeof kind !== 'string') {
    problems.push({ path: at('kind'), message: `expected a ${registry.what} kind (one of ${registry.kinds().join(', ')}), got ${JSON.stringify(kind) ?? 'nothing'}` });
    return undefined;
  }
  let record: R;
  try {
    record = registry.get(kind);
  } catch (e) {
    problems.push({ path: at('kind'), message: (e as Error).message });
    return undefined;
  }
  const result = record.configCodec.decode(rest);
  if (isLeft(result)) {
    problems.push(...reportErrors(result.left).map((p) => ({ path: at(p.path), message: p.message })));
    return undefined;
  }
  return { record, config: result.right };
}

/** The problems of one `{ kind, ... }` section (none when it decodes), placed by `paths`. */
export function sectionProblems<R extends { readonly kind: string; readonly configCodec: t.Type<any, unknown, unknown> }>(
  registry: Registry<R>,
  value: unknown,
  section: SectionName,
  paths: SettingPaths = experimentPaths,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  decodeSection(registry, value, section, problems, paths);
  return problems;
}

/** The plugin sections of an experiment config, decoded and checked for compatibility. */
export interface PluginSections {
  readonly substrate: Section<SubstrateRecord>;
  readonly task: Section<TaskRecord>;
  readonly activation: Section<ActivationRecord>;
  readonly error: Section<ErrorRecord>;
  readonly rule: Section<RuleRecord>;
}

/** The kinds of the registered rules that consume `readings`, `product` first. */
export function rulesConsuming(registries: Registries, readings: string): string[] {
  return registries.rules
    .all()
    .filter((r) => r.consumes === readings)
    .map((r) => r.kind)
    .sort((a, b) => (a === 'product' ? -1 : b === 'product' ? 1 : a.localeCompare(b)));
}

/** What a refused rule is told: the rules that would fit. */
function ruleAdvice(fitting: readonly string[], readings: string): string {
  return fitting.length > 0
    ? `: use ${fitting.map((r) => `rule '${r}'`).join(' or ')}, which consume${fitting.length > 1 ? '' : 's'} '${readings}' readings (or leave out "rule": the default follows the error mechanism)`
    : `: no registered learning rule consumes '${readings}' readings`;
}

/**
 * Decodes `substrate`, `task`, `activation` (default DC), `error` and `rule`
 * (default: the registered rule that consumes what the error mechanism
 * produces, `product` first), each once into settings, and refuses
 * combinations that cannot work, naming both sides and what is missing, and
 * for a rule that does not fit, the one that would. Throws a ConfigError
 * with every problem found, placed by `paths` (the experiment config's own
 * by default: a comparison places a mechanism's sections under its entry).
 */
export function decodePluginSections(raw: Record<string, unknown>, registries: Registries, source?: string, paths: SettingPaths = experimentPaths): PluginSections {
  const problems: ConfigProblem[] = [];
  const substrate = decodeSection(registries.substrates, raw.substrate, 'substrate', problems, paths);
  const task = decodeSection(registries.tasks, raw.task, 'task', problems, paths);
  const activation = decodeSection(registries.activations, raw.activation === undefined ? { kind: 'dc' } : raw.activation, 'activation', problems, paths);
  const error = decodeSection(registries.errors, raw.error, 'error', problems, paths);
  const produced = error ? producedReadings(error.record, error.config) : undefined;
  const fitting = produced !== undefined ? rulesConsuming(registries, produced) : [];
  // only a missing key takes the default: null is a section that is not one
  const rule = decodeSection(registries.rules, raw.rule === undefined ? { kind: fitting[0] ?? 'product' } : raw.rule, 'rule', problems, paths);
  if (substrate && activation && error && rule) {
    const incompatible = compatibilityProblems(substrate.record, activation.record, error.record, rule.record, error.config).map((p) =>
      p.section === 'rule' ? { ...p, message: p.message + ruleAdvice(fitting, produced!) } : p,
    );
    problems.push(...placeProblems(incompatible, paths));
    if (incompatible.length === 0 && error.record.check) {
      problems.push(...placeProblems(error.record.check(error.config, activation.record.create(activation.config)), paths));
    }
  }
  if (problems.length > 0 || !substrate || !task || !activation || !error || !rule) throw new ConfigError(problems, source);
  return { substrate, task, activation, error, rule };
}

/** Quotes names as a list: 'a', 'b' and 'c'. */
function quotedList(names: readonly string[]): string {
  const quoted = names.map((c) => `'${c}'`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}` : quoted[0];
}

/**
 * The capabilities a pair of mechanisms requires that `capabilities` lacks,
 * as problems at `activation.kind` / `error.kind`. `substrate` names what is
 * checked: a substrate kind at decode time (its record lists what the kind
 * can provide), or a network as built (what it does provide: a netlist with
 * diodes is not linear).
 */
export function capabilityProblems(
  substrate: string,
  capabilities: Iterable<string>,
  activation: Pick<ActivationRecord, 'kind' | 'requires'>,
  error: Pick<ErrorRecord, 'kind' | 'requires'>,
): SectionProblem[] {
  const caps = new Set(capabilities);
  const problems: SectionProblem[] = [];
  for (const [section, what, m] of [
    ['activation', 'activation mechanism', activation],
    ['error', 'error mechanism', error],
  ] as const) {
    const missing = m.requires.filter((c) => !caps.has(c));
    if (missing.length > 0) {
      problems.push({
        section,
        key: 'kind',
        message: `${what} '${m.kind}' cannot run on ${substrate}: it needs ${quotedList(missing)}, which ${substrate} does not provide`,
      });
    }
  }
  return problems;
}

/** Why a substrate × activation × error × rule combination cannot work (empty when it can). */
export function compatibilityProblems(
  substrate: SubstrateRecord,
  activation: ActivationRecord,
  error: ErrorRecord,
  rule: RuleRecord,
  errorSettings?: unknown,
): SectionProblem[] {
  const problems = capabilityProblems(`substrate '${substrate.kind}'`, substrate.capabilities, activation, error);
  const produces = producedReadings(error, errorSettings);
  if (rule.consumes !== produces) {
    problems.push({
      section: 'rule',
      key: 'kind',
      message: `learning rule '${rule.kind}' consumes '${rule.consumes}' readings, but error mechanism '${error.kind}' produces '${produces}' readings${produces !== error.produces ? ' (with these settings)' : ''}`,
    });
  }
  return problems;
}

/** Throws a MultimechError listing why a combination cannot work, if it cannot. */
export function assertCompatible(substrate: SubstrateRecord, activation: ActivationRecord, error: ErrorRecord, rule: RuleRecord): void {
  const p = compatibilityProblems(substrate, activation, error, rule);
  if (p.length > 0) throw new MultimechError(placeProblems(p).map((x) => x.message).join('\n'));
}
