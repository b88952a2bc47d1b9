import * as t from 'io-ts';
import {
  ConfigError,
  ScalarSubstrate,
  adjointError,
  bindErrorMechanism,
  bindRule,
  bindSubstrate,
  boundaryFromTopology,
  definePlugin,
  gridTopology,
  strictObject,
  uniformBounds,
  type ErrorRecord,
  type RuleRecord,
  type SubstrateRecord,
} from '@multimech/core';
import { createExperiment } from '../src';

/**
 * Without a `rule`, createExperiment picks the rule that consumes what the
 * error mechanism produces; a rule that does not is refused with the one
 * that would. The plugins here are a third party's, written in the test: a
 * grid substrate, an error mechanism producing readings of its own kind
 * and the rule that consumes them, and an error mechanism whose readings
 * no rule consumes.
 */
const empty = (what: string) => strictObject(what, {}) as t.Type<{}, unknown, unknown>;

class Grid extends ScalarSubstrate {
  readonly kind = 'acme/grid';
  readonly parameterName = 'conductance';
}

const gridRecord: SubstrateRecord<{}> = {
  kind: 'acme/grid',
  description: 'a 4 x 5 grid of unit conductances',
  configCodec: empty('an acme/grid substrate'),
  capabilities: ['linear', 'scalar-potential'],
  create: (_config, context) => {
    const topology = gridTopology(4, 5, { inputs: context.inputs.count, outputs: context.outputs.count });
    const m = topology.graph.from.length;
    return new Grid({ graph: topology.graph, boundary: boundaryFromTopology(topology, context.inputs.type), parameters: new Float64Array(m).fill(1), bounds: uniformBounds(m, 1e-3, 1e3) });
  },
};

/** The adjoint's readings, labelled as a kind of their own. */
const contrastError: ErrorRecord<{}> = {
  kind: 'acme/contrast',
  description: 'the adjoint, producing acme/difference readings',
  configCodec: empty('an acme/contrast error'),
  requires: [],
  produces: 'acme/difference',
  create: () => ({ kind: 'acme/contrast', produces: 'acme/difference', measure: (context) => adjointError.measure(context) }),
};
const differenceRule: RuleRecord<{}> = {
  kind: 'acme/difference',
  description: 'the product of the readings, consuming acme/difference readings',
  configCodec: empty('an acme/difference rule'),
  consumes: 'acme/difference',
  create: () => ({ kind: 'acme/difference', consumes: 'acme/difference', gradient: (substrate, activation, error) => substrate.localGradient(activation.readings, error.readings) }),
};
const orphanError: ErrorRecord<{}> = { ...contrastError, kind: 'acme/orphan', produces: 'acme/nothing' };

const acme = definePlugin(({ bind }) => {
  bindSubstrate(bind, gridRecord);
  bindErrorMechanism(bind, contrastError);
  bindErrorMechanism(bind, orphanError);
  bindRule(bind, differenceRule);
});

const config = (error: object, rule?: object) => ({
  substrate: { kind: 'acme/grid' },
  task: { kind: 'regression', features: 2, outputs: 1, train: 8, test: 4 },
  error,
  ...(rule ? { rule } : {}),
  optimizer: { learningRate: 0.2, batchSize: 4 },
  training: { epochs: 4 },
});

function refusal(raw: object): string {
  try {
    createExperiment(raw, [acme]);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('the learning rule follows the error mechanism', () => {
  it('without a rule: the one that consumes what the error mechanism produces, and it trains', () => {
    const own = createExperiment(config({ kind: 'acme/contrast' }), [acme]);
    expect(own.resolvedConfig.rule).toEqual({ kind: 'acme/difference' });
    const { history } = own.trainer.run();
    expect(history[history.length - 1].trainLoss).toBeLessThan(history[0].trainLoss);
    // the adjoint's readings are 'product' readings: the product rule
    expect(createExperiment(config({ kind: 'adjoint' }), [acme]).resolvedConfig.rule).toEqual({ kind: 'product' });
    // a rule given is kept
    expect(createExperiment(config({ kind: 'acme/contrast' }, { kind: 'acme/difference' }), [acme]).resolvedConfig.rule).toEqual({ kind: 'acme/difference' });
  });

  it('a rule that does not consume the readings is refused, naming the rule that would', () => {
    expect(refusal(config({ kind: 'acme/contrast' }, { kind: 'product' }))).toBe(
      'invalid configuration\n' +
        "  rule.kind: learning rule 'product' consumes 'product' readings, but error mechanism 'acme/contrast' produces 'acme/difference' readings: " +
        'use rule \'acme/difference\', which consumes \'acme/difference\' readings (or leave out "rule": the default follows the error mechanism)',
    );
    expect(refusal(config({ kind: 'adjoint' }, { kind: 'acme/difference' }))).toBe(
      'invalid configuration\n' +
        "  rule.kind: learning rule 'acme/difference' consumes 'acme/difference' readings, but error mechanism 'adjoint' produces 'product' readings: " +
        'use rule \'product\', which consumes \'product\' readings (or leave out "rule": the default follows the error mechanism)',
    );
  });

  it('readings that no rule consumes are refused with or without a rule, saying so', () => {
    const message =
      "  rule.kind: learning rule 'product' consumes 'product' readings, but error mechanism 'acme/orphan' produces 'acme/nothing' readings: no registered learning rule consumes 'acme/nothing' readings";
    expect(refusal(config({ kind: 'acme/orphan' }))).toBe(`invalid configuration\n${message}`);
    expect(refusal(config({ kind: 'acme/orphan' }, { kind: 'product' }))).toBe(`invalid configuration\n${message}`);
    // an unknown error mechanism is reported as before, and the rule's default does not add a problem of its own
    expect(refusal(config({ kind: 'acme/telepathy' }))).toBe(
      "invalid configuration\n  error.kind: unknown error mechanism kind 'acme/telepathy' (known error mechanism kinds: acme/contrast, acme/orphan, adjoint)",
    );
  });
});
