import { placeProblems, decodeOrThrow,
  ConfigError,
  compatibilityProblems,
  corePlugin,
  createRegistries,
  decodeSection,
  sectionProblems,
  dcActivationRecord,
  adjointErrorRecord,
  type ActivationRecord,
  type ConfigProblem,
  type ErrorRecord,
  type RuleRecord,
  type SubstrateRecord,
} from '@multimech/core';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';
import {
  contrastivePlugin,
  contrastiveRule,
  contrastiveRuleRecord,
  coupledLearningRecord,
  createCoupledLearning,
  createEquilibriumPropagation,
  equilibriumPropagationRecord,
} from '../src';

const registries = createRegistries([corePlugin, contrastivePlugin]);

const decodeError = (section: Record<string, unknown>): ConfigProblem[] => sectionProblems(registries.errors, section, 'error');

/** The message of what `f` throws (fails the test when it throws nothing). */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, but nothing was thrown');
}

const EXPERIMENT = {
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [4] } },
  task: { kind: 'regression', features: 2, outputs: 1, train: 8, test: 4 },
  training: { epochs: 1 },
};

describe('contrastive plugin registration and config decoding', () => {
  it('registers ep and cl (they need no capability, check the network as built, and produce contrastive readings) and the contrastive rule', () => {
    expect(registries.errors.kinds()).toEqual(['adjoint', 'cl', 'ep']);
    expect(registries.rules.kinds()).toEqual(['contrastive', 'product']);
    for (const record of [equilibriumPropagationRecord, coupledLearningRecord]) {
      expect(record.requires).toEqual([]);
      expect(record.produces).toBe('contrastive');
      expect(record.check).toBeDefined();
    }
    expect(contrastiveRuleRecord.consumes).toBe('contrastive');
    expect(contrastiveRuleRecord.create({})).toBe(contrastiveRule);
  });

  it('fills in the defaults and decodes full sections', () => {
    expect(createEquilibriumPropagation().settings).toEqual({ beta: 0.01, variant: 'centred' });
    expect(createEquilibriumPropagation().betas).toEqual([-0.01, 0.01]);
    expect(createEquilibriumPropagation({ beta: 0.2, variant: 'positive' }).betas).toEqual([0, 0.2]);
    expect(createEquilibriumPropagation({ beta: 0.2, variant: 'negative' }).betas).toEqual([-0.2, 0]);
    expect(createCoupledLearning().settings).toEqual({ eta: 0.1 });
    const problems: ConfigProblem[] = [];
    const ep = decodeSection(registries.errors, { kind: 'ep', beta: 0.05, variant: 'negative' }, 'error', problems);
    const cl = decodeSection(registries.errors, { kind: 'cl', eta: 1 }, 'error', problems);
    expect(problems).toEqual([]);
    expect((ep!.record.create(ep!.config) as ReturnType<typeof createEquilibriumPropagation>).settings).toEqual({ beta: 0.05, variant: 'negative' });
    expect((cl!.record.create(cl!.config) as ReturnType<typeof createCoupledLearning>).settings).toEqual({ eta: 1 });
  });

  it('refuses bad β, variant and η, and unknown keys, each with its config path', () => {
    expect(decodeError({ kind: 'ep', beta: 0 })).toEqual([{ path: 'error.beta', message: 'expected a positive number, got 0' }]);
    expect(decodeError({ kind: 'ep', beta: -0.1 })).toEqual([{ path: 'error.beta', message: 'expected a positive number, got -0.1' }]);
    expect(decodeError({ kind: 'ep', variant: 'symmetric' })).toEqual([
      { path: 'error.variant', message: "expected one of 'positive', 'negative', 'centred', got \"symmetric\"" },
    ]);
    expect(decodeError({ kind: 'cl', eta: 0 })).toEqual([{ path: 'error.eta', message: 'expected a number in (0, 1], got 0' }]);
    expect(decodeError({ kind: 'cl', eta: 1.5 })).toEqual([{ path: 'error.eta', message: 'expected a number in (0, 1], got 1.5' }]);
    expect(decodeError({ kind: 'cl', beta: 0.1 })).toEqual([{ path: 'error.beta', message: 'unknown key (known keys: eta, twin)' }]);
    expect(decodeError({ kind: 'ep', eta: 0.1 })).toEqual([{ path: 'error.eta', message: 'unknown key (known keys: beta, variant)' }]);
    // Direct library use refuses the same values with the same paths.
    expect(thrown(() => createEquilibriumPropagation({ beta: -1 }))).toBeInstanceOf(ConfigError);
    expect(thrown(() => createEquilibriumPropagation({ beta: -1 })).message).toMatch(/error\.beta: expected a positive number, got -1/);
    expect(thrown(() => createCoupledLearning({ eta: 2 })).message).toMatch(/error\.eta: expected a number in \(0, 1\], got 2/);
  });

  it('refuses a contrastive rule with the adjoint error (and the product rule with ep), naming both and the rule that fits; without a rule, ep gets the contrastive one', () => {
    const substrate = createRegistries([resistivePlugin]).substrates.get('resistive');
    expect(placeProblems(compatibilityProblems(substrate, dcActivationRecord as ActivationRecord, adjointErrorRecord as ErrorRecord, contrastiveRuleRecord as RuleRecord))).toEqual([
      { path: 'rule.kind', message: "learning rule 'contrastive' consumes 'contrastive' readings, but error mechanism 'adjoint' produces 'product' readings" },
    ]);
    const e = thrown(() => createExperiment({ ...EXPERIMENT, error: { kind: 'adjoint' }, rule: { kind: 'contrastive' } }, [resistivePlugin, contrastivePlugin]));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toBe(
      "invalid configuration\n  rule.kind: learning rule 'contrastive' consumes 'contrastive' readings, but error mechanism 'adjoint' produces 'product' readings: " +
        'use rule \'product\', which consumes \'product\' readings (or leave out "rule": the default follows the error mechanism)',
    );
    const f = thrown(() => createExperiment({ ...EXPERIMENT, error: { kind: 'ep' }, rule: { kind: 'product' } }, [resistivePlugin, contrastivePlugin]));
    expect(f.message).toBe(
      "invalid configuration\n  rule.kind: learning rule 'product' consumes 'product' readings, but error mechanism 'ep' produces 'contrastive' readings: " +
        'use rule \'contrastive\', which consumes \'contrastive\' readings (or leave out "rule": the default follows the error mechanism)',
    );
    for (const kind of ['ep', 'cl']) {
      const experiment = createExperiment({ ...EXPERIMENT, error: { kind } }, [resistivePlugin, contrastivePlugin]);
      expect(experiment.resolvedConfig.rule).toEqual({ kind: 'contrastive' });
    }
    expect(() => createExperiment({ ...EXPERIMENT, error: { kind: 'cl' }, rule: { kind: 'contrastive' } }, [resistivePlugin, contrastivePlugin])).not.toThrow();
  });

  it('runs on substrate kinds without the linear capability (diode netlists, springs): nothing is refused by capability', () => {
    const diode: SubstrateRecord = {
      kind: 'acme/diode-network',
      description: 'a non-linear test record',
      configCodec: registries.rules.get('product').configCodec as SubstrateRecord['configCodec'],
      capabilities: ['scalar-potential'],
      create: () => {
        throw new Error('not used');
      },
    };
    for (const error of [equilibriumPropagationRecord, coupledLearningRecord]) {
      expect(compatibilityProblems(diode, dcActivationRecord as ActivationRecord, error as ErrorRecord, contrastiveRuleRecord as RuleRecord)).toEqual([]);
    }
  });

  describe('refuses a network as built whose output no force can move, naming both sides', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'multimech-contrastive-config-'));
      // 'a' is held by V1: it is an output the network cannot move
      writeFileSync(join(dir, 'held.cir'), 'held output\nV1 a 0 DC 1\nV2 c 0 DC -1\nV3 d 0 DC 1\nR1 a b 1\nR2 b c 2\nR3 b 0 1\nR4 d b 1\nD1 b 0 dm\n.model dm D(IS=1e-9 N=1.5)\n.end\n');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each(['ep', 'cl'])('%s', (kind) => {
      const experiment = (outputs: string[]) => ({
        substrate: { kind: 'resistive', network: { netlist: 'held.cir', outputs } },
        task: { kind: 'regression', features: 1, outputs: outputs.length, train: 4, test: 2 },
        error: { kind },
      });
      const e = thrown(() => createExperiment(experiment(['b', 'a']), [resistivePlugin, contrastivePlugin], { baseDir: dir, source: 'exp.json' }));
      expect(e).toBeInstanceOf(ConfigError);
      expect(e.message).toBe(
        'exp.json: invalid configuration\n' +
          `  error.kind: error mechanism '${kind}' cannot run on this 'resistive' network: output 'a' is held by the boundary, so no force at the outputs moves it and it cannot be ${kind === 'cl' ? 'clamped' : 'nudged'}`,
      );
      expect(() => createExperiment(experiment(['b']), [resistivePlugin, contrastivePlugin], { baseDir: dir })).not.toThrow();
      // at decoding, without the network, there is nothing to refuse
      const record = kind === 'ep' ? equilibriumPropagationRecord : coupledLearningRecord;
      expect(record.check!(decodeOrThrow(record.configCodec, {}), dcActivationRecord.create({}))).toEqual([]);
    });
  });
});
