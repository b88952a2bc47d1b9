/**
 * A run that has converged keeps running: once the loss of an example has
 * fallen to 1e-19 or so, the nudged states sit within rounding of the free
 * state, and EP must return them (an estimate at rounding level) rather
 * than report that the nudged state "did not converge". Before the fix the
 * output subspace measured its residual against the nudging force alone, a
 * scale that vanishes with the loss, and refused these examples.
 */
import { Rng, adjointError, dcActivation, exampleGradient, mseLoss, productRule, stateLoss, type Substrate, type Drive } from '@multimech/core';
import { resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';
import { NewtonNudgedSolver, OutputSubspaceSolver, contrastivePlugin, contrastiveRule, createEquilibriumPropagation } from '../src';
import { diodeCase, springCase } from './nonlinear-networks';
import { randomNetwork } from './networks';

/** Targets `offset` (times 1, 2, ...) off the free outputs: a loss of about offset². */
function nearlyReached(substrate: Substrate, drive: Drive, offset: number): { free: Float64Array; target: Float64Array } {
  const free = substrate.equilibrium(drive);
  return { free, target: Float64Array.from(substrate.readout(free), (y, j) => y + offset * (j + 1)) };
}

/** EP's and the adjoint's gradients of one example, with its loss. */
function gradients(substrate: Substrate, drive: Drive, target: Float64Array, beta: number) {
  const rng = new Rng(1);
  const common = { substrate, activation: dcActivation, loss: mseLoss, rng };
  const ep = exampleGradient({ ...common, error: createEquilibriumPropagation({ beta }), rule: contrastiveRule }, drive, target);
  const exact = exampleGradient({ ...common, error: adjointError, rule: productRule }, drive, target);
  return { loss: ep.loss, ep: ep.gradient, exact: exact.gradient };
}

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

describe('EP on an example it has already learnt', () => {
  it.each([1e-9, 1e-10, 1e-12, 1e-14])('linear network, outputs %s off their targets: the nudged states are found and EP agrees with the adjoint', (offset) => {
    for (const seed of [1, 2, 3]) {
      const net = randomNetwork(seed, { nodes: 20, meanDegree: 3.5, inputs: 3, outputs: 2, inputType: 'potential' });
      const { free, target } = nearlyReached(net.substrate, net.drive, offset);
      const solver = new OutputSubspaceSolver(net.substrate, free, stateLoss(net.substrate, mseLoss, target));
      for (const beta of [0.5, 0.01, -0.01]) expect(() => solver.nudged(beta)).not.toThrow();
      const { loss, ep, exact } = gradients(net.substrate, net.drive, target, 0.01);
      expect(loss).toBeLessThan(5 * offset ** 2);
      // the gradient is of the size of the misfit; EP is right to rounding of the contrast (ε‖∂E/∂θ‖/β) plus its O(β²) bias
      expect(maxDiff(ep, exact)).toBeLessThan(1e-3 * maxAbs(exact) + 1e-12);
    }
  });

  it('a loss of 5e-19 (the run that aborted): every nudged state of a diode network and of spring networks is returned', () => {
    const cases = [
      diodeCase(1, 2),
      diodeCase(3, 2, true),
      springCase(1, { network: 'triangular', parameter: 'stiffness', outputs: 'distance' }),
      springCase(2, { network: 'random-2d', parameter: 'both', outputs: 'displacement' }),
    ];
    for (const c of cases) {
      const { free, target } = nearlyReached(c.substrate, c.drive, 5e-10);
      const loss = stateLoss(c.substrate, mseLoss, target);
      expect(loss.evaluate(free).value).toBeGreaterThan(1e-19);
      expect(loss.evaluate(free).value).toBeLessThan(2e-18);
      const solver = new NewtonNudgedSolver(c.substrate, free, c.drive, loss);
      for (const beta of [1, 0.1, 0.01, 1e-3]) {
        const { state } = solver.nudged(beta);
        // the nudge moves the state by about β times the misfit: within 1e-6 of the free state here
        expect(maxDiff(state, free)).toBeLessThan(1e-6 * Math.max(1, maxAbs(free)));
      }
    }
  });

  it('through the whole example, EP at β = 1e-3 on a diode network 1e-10 off its targets gives a finite estimate close to the adjoint', () => {
    const c = diodeCase(1, 2);
    const { target } = nearlyReached(c.substrate, c.drive, 1e-10);
    const { loss, ep, exact } = gradients(c.substrate, c.drive, target, 1e-3);
    expect(loss).toBeLessThan(1e-19);
    expect(ep.every(Number.isFinite)).toBe(true);
    // EP's own bias at this β is 1.7% (as it is 1e-2 off the targets)
    expect(maxDiff(ep, exact)).toBeLessThan(0.03 * maxAbs(exact));
  });
});

describe('a run trained by EP down to a loss of 1e-23', () => {
  it('keeps training to its last epoch instead of aborting once the loss has fallen below 1e-18', () => {
    // one example of a realisable regression: EP drives its loss to rounding level within 300 epochs
    const config = {
      seed: 1,
      substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [6] } },
      task: { kind: 'regression', features: 2, outputs: 2, train: 1, test: 1 },
      error: { kind: 'ep', beta: 0.01 },
      optimizer: { learningRate: 10, momentum: 0, batchSize: 1 },
      training: { epochs: 300 },
    };
    const { history } = createExperiment(config, [resistivePlugin, contrastivePlugin]).trainer.run();
    expect(history).toHaveLength(301);
    const losses = history.map((e) => e.trainLoss);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(Math.min(...losses)).toBeLessThan(1e-20);
    // the epochs after the loss first fell below 1e-18 ran too
    expect(losses.findIndex((l) => l < 1e-18)).toBeLessThan(250);
  });
});

