import { chemicalPlugin } from '@multimech/chemical';
import { contrastivePlugin } from '@multimech/contrastive';
import { compatibilityProblems, corePlugin, createRegistries, decodeOrThrow } from '@multimech/core';
import { elasticPlugin } from '@multimech/elastic';
import { flowPlugin } from '@multimech/flow';
import { frequencyPlugin } from '@multimech/frequency';
import { resistivePlugin } from '@multimech/resistive';
import { createExperiment, trainerPlugin } from '@multimech/trainer';
import { heatPlugin } from '../examples/custom-substrate/src';

/**
 * Every substrate × activation × error combination that the registered
 * plugins support trains a tiny regression task, and its loss falls. The
 * list is discovered from the registries, so a new plugin joins the matrix
 * by being registered here.
 */
const plugins = [resistivePlugin, flowPlugin, elasticPlugin, frequencyPlugin, chemicalPlugin, contrastivePlugin, heatPlugin];
const registries = createRegistries([corePlugin, trainerPlugin, ...plugins]);

const substrateConfigs: Record<string, object> = {
  resistive: { kind: 'resistive', network: { generator: 'layered', hidden: [6] } },
  flow: { kind: 'flow', network: { generator: 'layered', hidden: [6] }, parameter: 'radius' },
  elastic: { kind: 'elastic', dimension: 2, network: { generator: 'triangular', width: 6, height: 5 }, parameter: 'both' },
  'acme/heat-grid': { kind: 'acme/heat-grid', width: 4, height: 3 },
};
const errorConfigs: Record<string, object> = {
  adjoint: { kind: 'adjoint' },
  frequency: { kind: 'frequency', amplitude: 0.01, mode: 'transient', periods: 10, samplesPerPeriod: 8 },
  chemical: { kind: 'chemical', diffusivity: 'area', advection: true },
  ep: { kind: 'ep', beta: 0.01, variant: 'centred' },
  cl: { kind: 'cl', eta: 0.1 },
};

/** The rule that consumes what an error mechanism produces. */
const ruleFor = (error: string) => registries.rules.all().find((r) => r.consumes === registries.errors.get(error).produces)!;

const combos: [string, string, string][] = [];
for (const s of registries.substrates.all()) {
  for (const a of registries.activations.all()) {
    for (const e of registries.errors.all()) {
      const refused = compatibilityProblems(s, a, e, ruleFor(e.kind)).length > 0 || (e.check?.(decodeOrThrow(e.configCodec, {}), a.create(decodeOrThrow(a.configCodec, {}))) ?? []).length > 0;
      if (!refused) combos.push([s.kind, a.kind, e.kind]);
    }
  }
}

describe('every supported combination trains', () => {
  it('covers every registered substrate, activation and error mechanism', () => {
    expect(new Set(combos.map((c) => c[0]))).toEqual(new Set(registries.substrates.kinds()));
    expect(new Set(combos.map((c) => c[1]))).toEqual(new Set(registries.activations.kinds()));
    expect(new Set(combos.map((c) => c[2]))).toEqual(new Set(registries.errors.kinds()));
    for (const s of registries.substrates.kinds()) expect(substrateConfigs[s]).toBeDefined();
    for (const e of registries.errors.kinds()) expect(errorConfigs[e]).toBeDefined();
  });

  it('refuses a chemical error with an AC activation, when the config is decoded', () => {
    expect(() =>
      createExperiment(
        { substrate: substrateConfigs.flow, task: { kind: 'regression' }, activation: { kind: 'ac' }, error: { kind: 'chemical' } },
        plugins,
      ),
    ).toThrow("activation.kind: error mechanism 'chemical' needs a static (DC) activation");
  });

  it('refuses the chemical mechanism where there is no transport, naming both', () => {
    const chemical = registries.errors.get('chemical');
    const problems = compatibilityProblems(registries.substrates.get('resistive'), registries.activations.get('dc'), chemical, ruleFor('chemical'));
    expect(problems.map((p) => p.message)).toEqual([
      "error mechanism 'chemical' cannot run on substrate 'resistive': it needs 'transport', which substrate 'resistive' does not provide",
    ]);
  });

  it.each(combos)('%s × %s × %s: the loss falls', (substrate, activation, error) => {
    const { trainer } = createExperiment(
      {
        seed: 3,
        substrate: substrateConfigs[substrate],
        task: {
          kind: 'regression',
          features: 2,
          outputs: substrate === 'elastic' ? 1 : 2,
          train: 12,
          test: 6,
          inputs: substrate === 'resistive' ? { encoding: 'voltage' } : { encoding: 'current', ...(substrate === 'elastic' ? { scale: 0.1 } : {}) },
        },
        activation: { kind: activation },
        error: errorConfigs[error],
        rule: { kind: ruleFor(error).kind },
        optimizer: { learningRate: 0.3, momentum: 0.5, batchSize: 4 },
        training: { epochs: 8 },
      },
      plugins,
    );
    const { history } = trainer.run();
    expect(history[history.length - 1].trainLoss).toBeLessThan(0.9 * history[0].trainLoss);
  });
});
