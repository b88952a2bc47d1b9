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

/** A plugin is an inversify ContainerModule whose load function calls the bind helpers. */
export type MultimechPlugin = ContainerModule;

/** Defines a plugin: `definePlugin(({ bind }) => bindSubstrate(bind, record))`. */
export function definePlugin(register: (helpers: { bind: Bind }) => void): MultimechPlugin {
  return new ContainerModule((options) => {
    register({ bind: options.bind });
  });
}

/** The registries of one experiment's container. */
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

/** A fresh container with the given plugins loaded, and its registries. */
export function createRegistries(plugins: readonly MultimechPlugin[]): Registries & { readonly container: Container } {
  const container = new Container();
  const loaded = new Set<MultimechPlugin>();
  for (const p of plugins) {
    if (loaded.has(p)) continue;
    loaded.add(p);
    container.load(p);
  }
  return {
    container,
    substrates: new Registry('substrate', all(container, SubstrateRecord)),
    activations: new Registry('activation mechanism', all(container, ActivationRecord)),
    errors: new Registry('error mechanism', all(container, ErrorRecord)),
    rules: new Registry('learning rule', all(container, RuleRecord)),
    tasks: new Registry('task', all(container, TaskRecord)),
  };
}
