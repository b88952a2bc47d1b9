import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { elasticPlugin } from '@multimech/elastic';
import { ResistiveSubstrate, resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';
import { contrastivePlugin } from '../src';

/**
 * A network of 1 Ω-scale resistors (conductances of order 1 S, like the
 * generated networks, so β = 0.01 S is small against it) and four diodes
 * that conduct from a few hundred millivolts; five voltage ports, the
 * regression task's encoding of two features (x0+, x0−, x1+, x1−, bias).
 */
const NETLIST = `diode network for training
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

const run = (config: object, plugins: Parameters<typeof createExperiment>[1], baseDir?: string) => createExperiment(config, plugins, { baseDir });

describe('training nonlinear networks with the contrastive mechanisms', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'multimech-contrastive-'));
    writeFileSync(join(dir, 'diodes.cir'), NETLIST);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const diodeExperiment = (error: object, rule = 'contrastive') => ({
    seed: 3,
    substrate: { kind: 'resistive', network: { netlist: 'diodes.cir', outputs: ['o1', 'o2'] } },
    task: { kind: 'regression', features: 2, outputs: 2, train: 12, test: 6, inputs: { encoding: 'voltage' } },
    error,
    rule: { kind: rule },
    optimizer: { learningRate: 0.3, momentum: 0.5, batchSize: 4 },
    training: { epochs: 8 },
  });

  it('a diode network: the loss falls under EP (centred and positive) and CL, and centred EP retraces the exact gradient’s run', () => {
    const adjoint = run(diodeExperiment({ kind: 'adjoint' }, 'product'), [resistivePlugin], dir);
    const substrate = adjoint.substrate as ResistiveSubstrate;
    expect(substrate.capabilities.has('linear')).toBe(false);
    // The diodes conduct at the operating points: their small-signal conductance is not negligible against the resistors'.
    const state = substrate.equilibrium(substrate.drive(adjoint.task.train[0].inputs));
    const conducting = substrate.diodes.filter((_, d) => substrate.network.elements[d].law.conductance(state[substrate.diodes[d].anode] - state[substrate.diodes[d].cathode]) > 1e-2);
    expect(conducting.length).toBeGreaterThanOrEqual(1);
    const reference = adjoint.trainer.run().history;
    const lines: string[] = [`adjoint: ${reference[0].trainLoss.toExponential(3)} → ${reference[reference.length - 1].trainLoss.toExponential(3)}`];
    for (const error of [{ kind: 'ep', beta: 0.01 }, { kind: 'ep', beta: 0.01, variant: 'positive' }, { kind: 'cl', eta: 0.1 }]) {
      const { history } = run(diodeExperiment(error), [resistivePlugin, contrastivePlugin], dir).trainer.run();
      const [first, last] = [history[0].trainLoss, history[history.length - 1].trainLoss];
      const steps = Math.max(...history.slice(1).map((h) => h.diagnostics?.newtonSteps ?? NaN));
      lines.push(`${JSON.stringify(error)}: ${first.toExponential(3)} → ${last.toExponential(3)}, at most ${steps} Newton steps per example`);
      expect(last).toBeLessThan(0.7 * first);
      expect(history[history.length - 1].testLoss).toBeLessThan(history[0].testLoss);
      expect(steps).toBeGreaterThanOrEqual(2); // the nudged or clamped states are found by Newton, not in one linear step
      if (error.kind === 'ep' && !('variant' in error)) {
        history.forEach((h, i) => expect(Math.abs(h.trainLoss - reference[i].trainLoss)).toBeLessThan(1e-3 * reference[i].trainLoss));
      }
    }
    console.log(`diode network regression, train loss over 8 epochs:\n  ${lines.join('\n  ')}`);
  });

  it.each(['distance', 'displacement'])('a spring network (%s output): the loss falls under EP and CL', (outputs) => {
    const lines: string[] = [];
    for (const error of [{ kind: 'ep', beta: 0.01 }, { kind: 'cl', eta: 0.1 }]) {
      const { history } = run(
        {
          seed: 3,
          substrate: { kind: 'elastic', dimension: 2, network: { generator: 'triangular', width: 5, height: 4 }, parameter: 'both', outputs },
          task: { kind: 'regression', features: 2, outputs: 1, train: 12, test: 6, inputs: { encoding: 'current', scale: 0.1 } },
          error,
          rule: { kind: 'contrastive' },
          optimizer: { learningRate: 0.3, momentum: 0.5, batchSize: 4 },
          training: { epochs: 6 },
        },
        [elasticPlugin, contrastivePlugin],
      ).trainer.run();
      const [first, last] = [history[0].trainLoss, history[history.length - 1].trainLoss];
      const steps = Math.max(...history.slice(1).map((h) => h.diagnostics?.newtonSteps ?? NaN));
      lines.push(`${JSON.stringify(error)}: ${first.toExponential(3)} → ${last.toExponential(3)}, at most ${steps} Newton steps per example`);
      expect(last).toBeLessThan(0.5 * first);
      expect(history[history.length - 1].testLoss).toBeLessThan(history[0].testLoss);
    }
    console.log(`spring network regression (${outputs} output), train loss over 6 epochs:\n  ${lines.join('\n  ')}`);
  });
});
