import { createExperiment } from '@multimech/trainer';
import { CLI_PLUGINS } from '../src/cli-plugins';
import { corePlugin, createRegistries } from '@multimech/core';
import { DiagnosticEpoch, diagnosticWarnings as warningsOf, worstDiagnostics } from '../src/diagnostic-warnings';

/** Every built-in mechanism's declared diagnostics: the warnings of chemical signalling, frequency propagation, EP and CL. */
const SPECS = [...new Map(createRegistries([corePlugin, ...CLI_PLUGINS]).errors.all().flatMap((r) => (r.diagnostics ?? []).map((d) => [d.name, d] as const))).values()];
const diagnosticWarnings = (epochs: readonly DiagnosticEpoch[], options?: { subject?: string }) => warningsOf(epochs, SPECS, options);

const epochs = (...diagnostics: Record<string, number>[]): DiagnosticEpoch[] => [{ epoch: 0 }, ...diagnostics.map((d, i) => ({ epoch: i + 1, diagnostics: d }))];

describe('diagnosticWarnings', () => {
  test('the worst value of each diagnostic over epochs: the smallest for a name ending in Min, else the largest', () => {
    expect(worstDiagnostics(epochs({ negativeCount: 3, negativeMin: -0.5, pecletMax: 2 }, { negativeCount: 7, negativeMin: -0.2, pecletMax: 0.5 }, { negativeCount: 0, negativeMin: 0 }))).toEqual({
      negativeCount: 7,
      negativeMin: -0.5,
      pecletMax: 2,
    });
    expect(worstDiagnostics([{ epoch: 0 }])).toEqual({});
    expect(worstDiagnostics(epochs({ quadratureRms: NaN }, { quadratureRms: 0.2 }))).toEqual({ quadratureRms: 0.2 });
  });

  test('negative concentrations: how often, how many nodes, the lowest concentration and the baseline or second species that fixes it', () => {
    const lines = diagnosticWarnings(
      epochs(
        { negativeCount: 14, negativeMin: -1.174, requiredBaseline: 1.174, pecletMax: 0.2 },
        { negativeCount: 9, negativeMin: -0.8, requiredBaseline: 0.8, pecletMax: 0.3 },
        { negativeCount: 0, negativeMin: 0, requiredBaseline: 0, pecletMax: 0.1 },
      ),
    );
    expect(lines).toEqual([
      'warning: chemical concentrations went negative in 2 of 3 epochs (up to 14 nodes in one measurement, the lowest concentration -1.174): ' +
        'unphysical, and reported rather than clipped; a baseline c₀ of at least 1.174 (error.baseline) covers the most negative signal, or two species carry the two signs (error.species "two")',
    ]);
    // on a baseline of 0.5 the lowest concentration is -0.3: the baseline must rise to 0.8
    const raised = diagnosticWarnings(epochs({ negativeCount: 2, negativeMin: -0.3, requiredBaseline: 0.8 }), { subject: 'chem' });
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatch(/^warning: chem: chemical concentrations went negative in 1 of 1 epochs \(up to 2 nodes in one measurement, the lowest concentration -0\.3\): .*at least 0\.8 \(error\.baseline\)/);
  });

  test('a Péclet number above 1, a relaxation far from steady state, Newton near its limit, a large quadrature, a drive near resonance', () => {
    const lines = diagnosticWarnings(epochs({ pecletMax: 4.042, pecletMedian: 1.32, relaxationResidual: 0.05 }, { pecletMax: 0.9, pecletMedian: 0.5, relaxationResidual: 0.001 }));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      'warning: advection dominates diffusion: the Péclet number reached 4.042 (median over the tubes up to 1.32) in 1 of 2 epochs; ' +
        'above 1 the flow carries the chemical faster than it spreads and the update departs from the gradient in proportion; a larger error.gamma (faster diffusion) lowers it',
    );
    expect(lines[1]).toMatch(/^warning: the chemical was read before steady state: relaxation residual up to 0\.05 /);
    expect(diagnosticWarnings(epochs({ newtonSteps: 41 }))).toEqual([
      expect.stringMatching(/^warning: Newton took up to 41 steps for one example's nudged or clamped states, near its limit of 50 per state/),
    ]);
    expect(diagnosticWarnings(epochs({ newtonSteps: 39 }))).toEqual([]);
    expect(diagnosticWarnings(epochs({ newtonSteps: 9, newtonStepsLimit: 10 }))).toHaveLength(1);
    expect(diagnosticWarnings(epochs({ quadratureRms: 0.25 }))).toEqual([expect.stringMatching(/^warning: the quadrature component reached 0\.25 of the in-phase one/)]);
    expect(diagnosticWarnings(epochs({ quadratureRms: 0.3, inPhaseRms: 6 }))).toEqual([]); // 0.05 of the in-phase part
    expect(diagnosticWarnings(epochs({ resonanceRatio: 0.7 }))).toEqual([expect.stringMatching(/^warning: the drive frequency is near the network's lowest resonance \(ω\/ω₀ up to 0\.7\)/)]);
    expect(diagnosticWarnings(epochs({ resonanceRatio: 1.3 }))[0]).toMatch(/is above the network's lowest resonance/);
    expect(diagnosticWarnings(epochs({ resonanceRatio: 0.2, quadratureRms: 0.05, samples: 320, window: 0.006 }))).toEqual([]);
  });

  test("a training run's history: one species on a zero baseline warns, two species do not", () => {
    const run = (species: 'one' | 'two') =>
      createExperiment(
        {
          seed: 2,
          substrate: { kind: 'flow', network: { generator: 'layered', hidden: [4] } },
          task: { kind: 'regression', features: 2, outputs: 2, train: 8, test: 4 },
          error: { kind: 'chemical', baseline: 0, species },
          optimizer: { learningRate: 0.2, batchSize: 4 },
          training: { epochs: 2 },
        },
        CLI_PLUGINS,
      ).trainer.run().history;
    const one = run('one');
    const lines = diagnosticWarnings(one);
    expect(lines).toHaveLength(1);
    const worst = worstDiagnostics(one);
    expect(worst.negativeCount).toBeGreaterThan(0);
    expect(worst.negativeMin).toBeLessThan(0);
    expect(lines[0]).toContain(`up to ${worst.negativeCount} nodes in one measurement, the lowest concentration ${Number(worst.negativeMin.toPrecision(4))}`);
    expect(lines[0]).toContain(`a baseline c₀ of at least ${Number(worst.requiredBaseline.toPrecision(4))} (error.baseline)`);
    expect(diagnosticWarnings(run('two'))).toEqual([]);
  });
});
