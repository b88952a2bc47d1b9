import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { chemicalPlugin } from '@multimech/chemical';
import { contrastivePlugin } from '@multimech/contrastive';
import { capabilityProblems, compatibilityProblems, corePlugin, createRegistries, decodeOrThrow, type ErrorRecord, type Substrate } from '@multimech/core';
import { elasticPlugin } from '@multimech/elastic';
import { flowPlugin } from '@multimech/flow';
import { frequencyPlugin } from '@multimech/frequency';
import { parseSpice, resistiveFromNetlist, resistivePlugin } from '@multimech/resistive';
import { createExperiment, trainerPlugin } from '@multimech/trainer';
import { heatPlugin } from '../examples/custom-substrate/src';

/**
 * Every substrate × activation × error combination that the registered
 * plugins support trains a tiny regression task, and its loss falls. The
 * list is discovered from the registries, so a new plugin joins the matrix
 * by being registered here. A kind can also build networks that provide
 * less than its record lists (a netlist with diodes is not linear): those
 * join the matrix as networks of their own, with the combinations the
 * network as built supports.
 */
const plugins = [resistivePlugin, flowPlugin, elasticPlugin, frequencyPlugin, chemicalPlugin, contrastivePlugin, heatPlugin];
const registries = createRegistries([corePlugin, trainerPlugin, ...plugins]);

const substrateConfigs: Record<string, object> = {
  resistive: { kind: 'resistive', network: { generator: 'layered', hidden: [6] } },
  drn: { kind: 'drn', hidden: [6] },
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

/**
 * A resistive netlist with four fixed diodes (conducting from a few hundred
 * millivolts) among 1 Ω-scale resistors, so the optimizer settings of the
 * generated networks suit it; five voltage sources, the regression task's
 * ports for two features (x0+, x0−, x1+, x1−, bias), and two outputs.
 */
const DIODE_NETLIST = `diode network
V1 a 0 DC 0.5
V2 b 0 DC -0.5
V3 c 0 DC 0.3
V4 d 0 DC -0.3
V5 e 0 DC 1
R1 a h1 1
R2 b h1 2.2
R3 c h2 1.5
R4 d h2 3.3
R5 e h3 2
R6 h1 h2 4.7
R7 h2 h3 1
R8 h1 o1 2.2
R9 h3 o2 1.5
R10 o1 0 3.3
R11 o2 0 2
R12 o1 o2 1
R13 h2 0 10
D1 h1 h2 dm
D2 h3 h1 dm
D3 o1 0 dm
D4 h2 o2 dm
.model dm D(IS=1e-6 N=1.5)
.end
`;
const DIODE_OUTPUTS = ['o1', 'o2'];
/** Networks that provide less than their kind's record lists, each with its substrate config and the network as built. */
const builtNetworks: { label: string; kind: string; config: object; network: Substrate }[] = [
  {
    label: 'resistive (diodes)',
    kind: 'resistive',
    config: { kind: 'resistive', network: { netlist: 'diodes.cir', outputs: DIODE_OUTPUTS } },
    network: resistiveFromNetlist(parseSpice(DIODE_NETLIST, 'diodes.cir'), { outputs: DIODE_OUTPUTS }),
  },
];
for (const b of builtNetworks) substrateConfigs[b.label] = b.config;
const kindOf = (label: string) => builtNetworks.find((b) => b.label === label)?.kind ?? label;

/** The rule that consumes what an error mechanism produces. */
const ruleFor = (error: string) => registries.rules.all().find((r) => r.consumes === registries.errors.get(error).produces)!;
/** The error mechanism's config in this matrix, decoded by its own codec. */
const errorConfig = (e: ErrorRecord) => {
  const { kind: _, ...rest } = errorConfigs[e.kind] as { kind: string };
  return decodeOrThrow(e.configCodec, rest);
};

const combos: [string, string, string][] = [];
for (const s of registries.substrates.all()) {
  for (const a of registries.activations.all()) {
    for (const e of registries.errors.all()) {
      // an AC activation on a kind that is not linear is refused by every mechanism on the network as built (core's acOnNonlinearProblems)
      const acOnNonlinear = a.kind === 'ac' && !s.capabilities.includes('linear');
      const refused =
        acOnNonlinear ||
        compatibilityProblems(s, a, e, ruleFor(e.kind)).length > 0 ||
        (e.check?.(decodeOrThrow(e.configCodec, {}), a.create(decodeOrThrow(a.configCodec, {}))) ?? []).length > 0;
      if (!refused) combos.push([s.kind, a.kind, e.kind]);
    }
  }
}
for (const b of builtNetworks) {
  for (const a of registries.activations.all()) {
    for (const e of registries.errors.all()) {
      const activation = a.create(decodeOrThrow(a.configCodec, {}));
      const refused =
        compatibilityProblems(registries.substrates.get(b.kind), a, e, ruleFor(e.kind)).length > 0 ||
        capabilityProblems(b.label, b.network.capabilities, a, e).length > 0 ||
        (e.check?.(errorConfig(e), activation, b.network) ?? []).length > 0;
      if (!refused) combos.push([b.label, a.kind, e.kind]);
    }
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'multimech-combinations-'));
  writeFileSync(join(dir, 'diodes.cir'), DIODE_NETLIST);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('every supported combination trains', () => {
  it('covers every registered substrate, activation and error mechanism', () => {
    expect(new Set(combos.map((c) => kindOf(c[0])))).toEqual(new Set(registries.substrates.kinds()));
    expect(new Set(combos.map((c) => c[1]))).toEqual(new Set(registries.activations.kinds()));
    expect(new Set(combos.map((c) => c[2]))).toEqual(new Set(registries.errors.kinds()));
    for (const s of registries.substrates.kinds()) expect(substrateConfigs[s]).toBeDefined();
    for (const e of registries.errors.kinds()) expect(errorConfigs[e]).toBeDefined();
  });

  it('trains equilibrium propagation and coupled learning on nonlinear networks: springs, and a netlist with diodes', () => {
    for (const substrate of ['elastic', 'resistive (diodes)']) {
      expect(combos).toContainEqual([substrate, 'dc', 'ep']);
      expect(combos).toContainEqual([substrate, 'dc', 'cl']);
    }
    expect(builtNetworks[0].network.capabilities.has('linear')).toBe(false);
    // what the diode network cannot do stays out: the lock-in product and the adjoint need a linear network under an AC activation
    expect(combos.filter((c) => c[0] === 'resistive (diodes)' && c[1] === 'ac')).toEqual([]);
  });

  it("trains a diode network under an AC activation by the time-series readout and rule 'time-average' (the default for it): the time-averaged loss falls", () => {
    const config = {
      seed: 3,
      substrate: substrateConfigs['resistive (diodes)'],
      task: { kind: 'regression', features: 2, outputs: 2, train: 12, test: 6, inputs: { encoding: 'voltage' } },
      activation: { kind: 'ac' },
      error: { kind: 'frequency', readout: 'time-series', mode: 'small-signal', samplesPerPeriod: 8 },
      optimizer: { learningRate: 0.3, momentum: 0.5, batchSize: 4 },
      training: { epochs: 8 },
    };
    const { trainer, substrate, task } = createExperiment(config, plugins, { baseDir: dir });
    expect(trainer.parts.rule.kind).toBe('time-average');
    // the loss the rule descends: C averaged over 8 instants of the activation's period, over the training set
    const averagedLoss = () => {
      let total = 0;
      for (const ex of task.train) {
        const drive = substrate.drive(ex.inputs);
        for (let j = 0; j < 8; j++) {
          const c = Math.cos((2 * Math.PI * j) / 8);
          const y = substrate.readout(substrate.equilibrium({ injection: drive.injection.map((v) => c * v), fixed: drive.fixed.map((v) => c * v) }));
          total += task.loss.value(y, ex.target) / 8;
        }
      }
      return total / task.train.length;
    };
    const before = averagedLoss();
    trainer.run();
    expect(averagedLoss()).toBeLessThan(0.9 * before);
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
          outputs: kindOf(substrate) === 'elastic' ? 1 : 2,
          train: 12,
          test: 6,
          inputs: ['resistive', 'drn'].includes(kindOf(substrate)) ? { encoding: 'voltage' } : { encoding: 'current', ...(substrate === 'elastic' ? { scale: 0.1 } : {}) },
        },
        activation: { kind: activation },
        error: errorConfigs[error],
        rule: { kind: ruleFor(error).kind },
        optimizer: { learningRate: 0.3, momentum: 0.5, batchSize: 4 },
        training: { epochs: 8 },
      },
      plugins,
      { baseDir: dir },
    );
    const { history } = trainer.run();
    expect(history[history.length - 1].trainLoss).toBeLessThan(0.9 * history[0].trainLoss);
  });
});
