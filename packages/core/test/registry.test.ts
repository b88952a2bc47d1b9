import * as t from 'io-ts';
import {
  ConfigError,
  MultimechError,
  Substrate,
  SubstrateRecord,
  bindSubstrate,
  corePlugin,
  createRegistries,
  decodePluginSections,
  definePlugin,
  positiveNumber,
  strictObject,
} from '../src';

const fakeSubstrate = (kind: string, capabilities: string[] = ['linear']): SubstrateRecord<{ size?: number }> => ({
  kind,
  description: `test substrate ${kind}`,
  configCodec: strictObject('a test substrate', {}, { size: positiveNumber }),
  capabilities,
  create: () => ({}) as Substrate,
});

describe('registries', () => {
  it('lists core mechanisms and plugin records per container', () => {
    const plugin = definePlugin(({ bind }) => bindSubstrate(bind, fakeSubstrate('toy')));
    const r = createRegistries([corePlugin, plugin]);
    expect(r.substrates.kinds()).toEqual(['toy']);
    expect(r.activations.kinds()).toEqual(['dc']);
    expect(r.errors.kinds()).toEqual(['adjoint']);
    expect(r.rules.kinds()).toEqual(['product']);
    // a second container does not see the first one's records
    expect(createRegistries([corePlugin]).substrates.kinds()).toEqual([]);
  });

  it('refuses a duplicate kind, naming it', () => {
    const a = definePlugin(({ bind }) => bindSubstrate(bind, fakeSubstrate('toy')));
    const b = definePlugin(({ bind }) => bindSubstrate(bind, fakeSubstrate('toy')));
    expect(() => createRegistries([a, b])).toThrow(/substrate kind 'toy' is registered twice/);
  });

  it('refuses an unknown kind, listing the known ones', () => {
    const plugin = definePlugin(({ bind }) => {
      bindSubstrate(bind, fakeSubstrate('toy'));
      bindSubstrate(bind, fakeSubstrate('acme/other'));
    });
    const r = createRegistries([plugin]);
    expect(() => r.substrates.get('resistive')).toThrow("unknown substrate kind 'resistive' (known substrate kinds: acme/other, toy)");
  });

  it('refuses badly formed records', () => {
    const bad = definePlugin(({ bind }) => bindSubstrate(bind, fakeSubstrate('Not Kebab')));
    expect(() => createRegistries([bad])).toThrow(MultimechError);
    expect(() => createRegistries([bad])).toThrow(/must be kebab-case/);
  });
});

describe('two-stage config decoding', () => {
  const plugin = definePlugin(({ bind }) => bindSubstrate(bind, fakeSubstrate('toy', ['scalar-potential'])));
  const registries = createRegistries([corePlugin, plugin]);
  const problemsOf = (raw: Record<string, unknown>) => {
    try {
      decodePluginSections(raw, registries);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  };

  it('reports the JSON path and the expectation of a plugin field', () => {
    const problems = problemsOf({ substrate: { kind: 'toy', size: -1 }, task: { kind: 'x' }, error: { kind: 'adjoint' } });
    expect(problems).toContainEqual({ path: 'substrate.size', message: 'expected a positive number, got -1' });
    expect(problems).toContainEqual({ path: 'task.kind', message: "unknown task kind 'x' (known task kinds: none registered)" });
  });

  it('reports unknown keys with the known ones', () => {
    const problems = problemsOf({ substrate: { kind: 'toy', sise: 3 }, task: {}, error: { kind: 'adjoint' } });
    expect(problems[0]).toEqual({ path: 'substrate.sise', message: 'unknown key (known keys: size)' });
  });

  it('refuses a mechanism whose capability the substrate lacks, naming both', () => {
    const needy = definePlugin(({ bind }) =>
      bind(Symbol.for('@multimech/core/ErrorRecord')).toConstantValue({
        kind: 'chem',
        description: 'needs transport',
        configCodec: t.type({}),
        requires: ['transport'],
        produces: 'product',
        create: () => undefined,
      }),
    );
    const r = createRegistries([corePlugin, plugin, needy]);
    try {
      decodePluginSections({ substrate: { kind: 'toy' }, task: {}, error: { kind: 'chem' } }, r);
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect((e as Error).message).toContain(
        "error.kind: error mechanism 'chem' cannot run on substrate 'toy': it needs 'transport', which substrate 'toy' does not provide",
      );
    }
  });
});
