import * as path from 'path';
import { Container, ContainerModule, type Bind, type ServiceIdentifier } from 'inversify';
import { ActivationRecord } from '../contracts/activation-mechanism';
import { ErrorRecord } from '../contracts/error-mechanism';
import { MultimechError } from '../support/errors';
import { RuleRecord } from '../contracts/learning-rule';
import { SubstrateRecord } from '../contracts/substrate';
import { TaskRecord } from '../contracts/task';

/**
 * Records keyed by `kind`, one registry per extension point and per
 * container (never a module global). Duplicate and unknown kinds throw,
 * listing the kinds that are known.
 */
export class Registry<R extends { readonly kind: string }> {
  private readonly byKind = new Map<string, R>();

  constructor(
    readonly what: string,
    records: readonly R[],
  ) {
    for (const r of records) {
      if (this.byKind.has(r.kind)) {
        throw new MultimechError(`${what} kind '${r.kind}' is registered twice (known ${what} kinds: ${this.kinds().join(', ')})`);
      }
      this.byKind.set(r.kind, r);
    }
  }

  kinds(): string[] {
    return [...this.byKind.keys()].sort();
  }

  has(kind: string): boolean {
    return this.byKind.has(kind);
  }

  /** The record for `kind`; `path` names where in a config the kind was asked for. */
  get(kind: string, path?: string): R {
    const r = this.byKind.get(kind);
    if (!r) {
      const where = path ? `${path}: ` : '';
      const known = this.kinds();
      throw new MultimechError(
        `${where}unknown ${this.what} kind '${kind}' (known ${this.what} kinds: ${known.length ? known.join(', ') : 'none registered'})`,
      );
    }
    return r;
  }

  all(): R[] {
    return [...this.byKind.values()];
  }
}

const KIND = /^(@?[a-z0-9]+(-[a-z0-9]+)*\/)?[a-z0-9]+(-[a-z0-9]+)*$/;

function validateRecord(what: string, record: { kind: string; configCodec?: unknown; description?: string }, fns: string[]): void {
  if (typeof record.kind !== 'string' || !KIND.test(record.kind)) {
    throw new MultimechError(
      `${what} kind '${record.kind}' must be kebab-case, optionally prefixed by a scope ('resistive', 'acme/memristive')`,
    );
  }
  if (!record.configCodec || typeof (record.configCodec as { decode?: unknown }).decode !== 'function') {
    throw new MultimechError(`${what} '${record.kind}': configCodec must be an io-ts codec`);
  }
  if (typeof record.description !== 'string' || record.description.length === 0) {
    throw new MultimechError(`${what} '${record.kind}': a description is required`);
  }
  for (const f of fns) {
    if (typeof (record as unknown as Record<string, unknown>)[f] !== 'function') {
      throw new MultimechError(`${what} '${record.kind}': '${f}' must be a function`);
    }
  }
}

function bindRecord<R>(bind: Bind, token: ServiceIdentifier<R>, record: R): void {
  bind<R>(token).toConstantValue(record);
}

export function bindSubstrate<C>(bind: Bind, record: SubstrateRecord<C>): void {
  validateRecord('substrate', record, ['create']);
  bindRecord<SubstrateRecord>(bind, SubstrateRecord, record as SubstrateRecord);
}
export function bindActivation<C>(bind: Bind, record: ActivationRecord<C>): void {
  validateRecord('activation mechanism', record, ['create']);
  bindRecord<ActivationRecord>(bind, ActivationRecord, record as ActivationRecord);
}
export function bindErrorMechanism<C>(bind: Bind, record: ErrorRecord<C>): void {
  validateRecord('error mechanism', record, ['create']);
  bindRecord<ErrorRecord>(bind, ErrorRecord, record as ErrorRecord);
}
export function bindRule<C>(bind: Bind, record: RuleRecord<C>): void {
  validateRecord('learning rule', record, ['create']);
  bindRecord<RuleRecord>(bind, RuleRecord, record as RuleRecord);
}
export function bindTask<C>(bind: Bind, record: TaskRecord<C>): void {
  validateRecord('task', record, ['create']);
  bindRecord<TaskRecord>(bind, TaskRecord, record as TaskRecord);
}

/** The brand of a plugin: `Symbol.for`, so that every copy of core finds it. */
const PLUGIN_BRAND: unique symbol = Symbol.for('@multimech/core/plugin') as never;

/** What a plugin's brand records: the copy of @multimech/core that made it, and the plugin's name if it gave one. */
export interface PluginBrand {
  /** The folder of that copy of @multimech/core. */
  readonly core: string;
  readonly name?: string;
}

/** The folder of this copy of @multimech/core (the package root, above `src` or `dist`). */
export const CORE_LOCATION: string = path.resolve(__dirname, '..', '..');

/**
 * A plugin: an inversify ContainerModule whose load function calls the bind
 * helpers, branded with the copy of core that made it. Registration is the
 * one thing dependency injection does here: each plugin binds its records
 * under the extension points' tokens, and `createRegistries` collects them
 * from a fresh container per experiment.
 */
export type MultimechPlugin = ContainerModule & { readonly [PLUGIN_BRAND]: PluginBrand };

/** Defines a plugin: `definePlugin(({ bind }) => bindSubstrate(bind, record), 'acme/heat')`; the name is for messages. */
export function definePlugin(register: (helpers: { bind: Bind }) => void, name?: string): MultimechPlugin {
  const module = new ContainerModule((options) => {
    register({ bind: options.bind });
  });
  const brand: PluginBrand = { core: CORE_LOCATION, ...(name ? { name } : {}) };
  return Object.defineProperty(module, PLUGIN_BRAND, { value: brand, enumerable: false }) as MultimechPlugin;
}

/** The brand of a value that is a plugin made by `definePlugin` of any copy of core, else undefined (no `instanceof`: copies differ). */
export function pluginBrand(value: unknown): PluginBrand | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  const brand = (value as { [PLUGIN_BRAND]?: unknown })[PLUGIN_BRAND];
  return typeof brand === 'object' && brand !== null && typeof (brand as PluginBrand).core === 'string' ? (brand as PluginBrand) : undefined;
}

/**
 * Why a plugin made by another copy of @multimech/core cannot be loaded by
 * this one, naming both copies (undefined when it is this copy's).
 */
export function foreignCore(brand: PluginBrand): string | undefined {
  if (brand.core === CORE_LOCATION) return undefined;
  return (
    `made by the copy of @multimech/core at ${brand.core}, but this program uses the copy at ${CORE_LOCATION}: two copies do not share their registries. ` +
    'Declare @multimech/core as a peerDependency of the plugin (not a dependency), so that both resolve to one copy'
  );
}

/** Whether `value` is a plugin made by `definePlugin` (of any copy of core). */
export function isMultimechPlugin(value: unknown): value is MultimechPlugin {
  return pluginBrand(value) !== undefined;
}

/** The registries of one experiment. */
export interface Registries {
  readonly substrates: Registry<SubstrateRecord>;
  readonly activations: Registry<ActivationRecord>;
  readonly errors: Registry<ErrorRecord>;
  readonly rules: Registry<RuleRecord>;
  readonly tasks: Registry<TaskRecord>;
}

function all<R>(container: Container, token: ServiceIdentifier<R>): R[] {
  return container.isBound(token) ? container.getAll<R>(token) : [];
}

/**
 * A fresh container with the given plugins loaded, and its registries. A
 * value that is not a plugin, or a plugin made by another copy of
 * @multimech/core (whose records this copy's registries would not see as
 * its own), is refused, naming both copies.
 */
export function createRegistries(plugins: readonly MultimechPlugin[]): Registries {
  const container = new Container();
  const loaded = new Set<MultimechPlugin>();
  plugins.forEach((p, i) => {
    if (loaded.has(p)) return;
    const brand = pluginBrand(p);
    if (!brand) {
      throw new MultimechError(`plugin ${i + 1} of ${plugins.length} is not a multimech plugin: make plugins with definePlugin from @multimech/core`);
    }
    const foreign = foreignCore(brand);
    if (foreign) throw new MultimechError(`plugin ${brand.name ? `'${brand.name}'` : `${i + 1} of ${plugins.length}`} was ${foreign}`);
    loaded.add(p);
    container.load(p);
  });
  return {
    substrates: new Registry('substrate', all(container, SubstrateRecord)),
    activations: new Registry('activation mechanism', all(container, ActivationRecord)),
    errors: new Registry('error mechanism', all(container, ErrorRecord)),
    rules: new Registry('learning rule', all(container, RuleRecord)),
    tasks: new Registry('task', all(container, TaskRecord)),
  };
}
