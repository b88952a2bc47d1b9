import { flowPlugin } from '@multimech/flow';
import { createExperiment } from '@multimech/trainer';
import { chemicalPlugin } from '../src';

/** Training runs through the trainer: chemical signalling on a flow network makes the loss fall. */
function train(error: object, network: object = { generator: 'random', nodes: 24, meanDegree: 4 }) {
  const { trainer } = createExperiment(
    {
      seed: 5,
      substrate: { kind: 'flow', network },
      task: { kind: 'regression', features: 3, outputs: 2, train: 30, test: 10, inputs: { encoding: 'voltage' } },
      error,
      optimizer: { learningRate: 0.2, momentum: 0.5, batchSize: 5 },
      training: { epochs: 15 },
    },
    [flowPlugin, chemicalPlugin],
  );
  return trainer.run();
}

describe('training a flow network by chemical signalling', () => {
  it('the loss falls on a regression task, exactly as with the adjoint', () => {
    const chemical = train({ kind: 'chemical' });
    const adjoint = train({ kind: 'adjoint' });
    const first = chemical.history[0].trainLoss;
    const last = chemical.history[chemical.history.length - 1].trainLoss;
    expect(last).toBeLessThan(0.3 * first);
    expect(chemical.history[chemical.history.length - 1].testLoss).toBeLessThan(0.3 * chemical.history[0].testLoss);
    // The exact case follows the adjoint's trajectory.
    expect(Math.abs(last - adjoint.history[adjoint.history.length - 1].trainLoss)).toBeLessThanOrEqual(1e-8 * first);
  });

  it.each([
    ['the area law', { kind: 'chemical', diffusivity: 'area' }],
    ['advection', { kind: 'chemical', advection: true }],
    ['relaxation before steady state', { kind: 'chemical', relaxation: { time: 5, steps: 10 } }],
    ['two species with every departure', { kind: 'chemical', species: 'two', diffusivity: 'area', advection: true, relaxation: { time: 10, steps: 10 } }],
  ])('the loss still falls with %s', (_, error) => {
    const { history } = train(error);
    expect(history[history.length - 1].trainLoss).toBeLessThan(0.5 * history[0].trainLoss);
  });
});
