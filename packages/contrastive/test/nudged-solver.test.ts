import { NumericalError, crossEntropyLoss, mseLoss, stateLoss, type Loss, type Substrate } from '@multimech/core';
import { NewtonNudgedSolver, createCoupledLearning, createEquilibriumPropagation, createNudgedSolver, OutputSubspaceSolver } from '../src';
import { denseNudgedState, randomNetwork, relativeMaxError, type NetworkShape } from './networks';

const shapes: (NetworkShape & { seed: number })[] = [
  { seed: 1, nodes: 8, meanDegree: 3, inputs: 2, outputs: 1, inputType: 'flow' },
  { seed: 2, nodes: 20, meanDegree: 3.5, inputs: 3, outputs: 2, inputType: 'potential' },
  { seed: 3, nodes: 40, meanDegree: 4, inputs: 2, outputs: 3, inputType: 'potential', difference: true },
  { seed: 4, nodes: 120, meanDegree: 3, inputs: 4, outputs: 3, inputType: 'flow' },
];

function solverFor(seed: number, shape: NetworkShape, loss: Loss = mseLoss) {
  const net = randomNetwork(seed, shape);
  const free = net.substrate.equilibrium(net.drive);
  const solver = new OutputSubspaceSolver(net.substrate, free, stateLoss(net.substrate, loss, net.target));
  return { ...net, free, solver };
}

describe('nudged states from the free factorization (output subspace)', () => {
  it.each(shapes)('equal a direct dense solve of (H + βOᵀO)s = b + βOᵀt to 1e-10 (MSE; $nodes nodes, $outputs outputs)', ({ seed, ...shape }) => {
    const { substrate, target, free, solver } = solverFor(seed, shape);
    for (const beta of [1, 0.1, 1e-3, -1e-3, -0.1]) {
      const { state, iterations } = solver.nudged(beta);
      const dense = denseNudgedState(substrate, free, target, beta);
      expect(relativeMaxError(state, dense)).toBeLessThan(1e-10);
      // The nudge moved the state by much more than that.
      expect(relativeMaxError(free, dense)).toBeGreaterThan(1e-6 * Math.abs(beta));
      // MSE is quadratic: one Newton step lands on it (a second may confirm it).
      expect(iterations).toBeLessThanOrEqual(2);
    }
    expect(solver.nudged(0).state).toEqual(free);
  });

  it('are stationary points of E + βC under cross-entropy: KCL with the nudging current β·e(s^β) at every free node', () => {
    const loss = crossEntropyLoss(5);
    const { substrate, drive, free } = solverFor(7, { nodes: 30, meanDegree: 3.5, inputs: 3, outputs: 3, inputType: 'potential' }, loss);
    const target = [0, 1, 0];
    const ce = new OutputSubspaceSolver(substrate, free, stateLoss(substrate, loss, target));
    const freeDofs = substrate.hessian(free).freeDofs;
    for (const beta of [0.1, 0.01, -0.01]) {
      const { state, iterations } = ce.nudged(beta);
      const residual = substrate.residual(state, drive);
      const force = stateLoss(substrate, loss, target).evaluate(state).force;
      let worst = 0;
      let scale = 0;
      for (const d of freeDofs) {
        worst = Math.max(worst, Math.abs(residual[d] - beta * force[d]));
        scale = Math.max(scale, Math.abs(beta * force[d]));
      }
      expect(worst / scale).toBeLessThan(1e-10);
      expect(iterations).toBeGreaterThanOrEqual(2); // not linear in y: Newton iterates
    }
  });

  it.each(shapes)('clamp the outputs at exactly y^C and keep KCL at every other free node ($nodes nodes, $outputs outputs)', ({ seed, ...shape }) => {
    const { substrate, drive, free, solver } = solverFor(seed, shape);
    const yC = solver.outputs.map((y, j) => y + 0.3 * (j + 1) - 0.2);
    const { state, iterations } = solver.clamped(yC);
    expect(iterations).toBe(0); // one o×o solve, no Newton step
    const y = substrate.readout(state);
    for (let j = 0; j < y.length; j++) expect(Math.abs(y[j] - yC[j])).toBeLessThan(1e-12);
    const held = new Set<number>();
    for (const o of substrate.boundary.outputs) {
      held.add(o.node);
      if (o.ref !== undefined) held.add(o.ref);
    }
    const residual = substrate.residual(state, drive);
    const freeDofs = substrate.hessian(free).freeDofs;
    let worstFree = 0;
    let clampCurrent = 0;
    for (const d of freeDofs) {
      if (held.has(d)) clampCurrent = Math.max(clampCurrent, Math.abs(residual[d]));
      else worstFree = Math.max(worstFree, Math.abs(residual[d]));
    }
    expect(worstFree).toBeLessThan(1e-12);
    expect(clampCurrent).toBeGreaterThan(1e-3); // the clamp supplies current at the outputs
    // Dirichlet dofs keep their values.
    for (const d of substrate.boundary.dirichlet) expect(state[d]).toBe(free[d]);
  });

  it('makes no new factorization: EP and CL reuse the free state’s factor', () => {
    const { substrate, drive, target } = randomNetwork(5, { nodes: 60, meanDegree: 3.5, inputs: 3, outputs: 2, inputType: 'potential' });
    substrate.setParameters(substrate.parameters); // an update: the next solve refactors
    const before = substrate.network.factorizations;
    const free = substrate.equilibrium(drive);
    const context = {
      substrate,
      activation: { drive, carrier: { type: 'dc' as const }, state: free, readings: substrate.activationReadings(free) },
      errorForce: new Float64Array(0),
      loss: stateLoss(substrate, mseLoss, target),
      rng: undefined as never,
    };
    for (const variant of ['positive', 'negative', 'centred'] as const) createEquilibriumPropagation({ variant }).measure(context);
    createCoupledLearning().measure(context);
    expect(substrate.network.factorizations - before).toBe(1);
  });
});

describe('nudged solver refusals', () => {
  it('gives a substrate without the linear capability the Newton solver, and a linear one the output-subspace solver', () => {
    const { substrate, drive, target } = randomNetwork(1, { nodes: 8, meanDegree: 3, inputs: 1, outputs: 1, inputType: 'flow' });
    const nonlinear: Substrate = Object.create(substrate, { kind: { value: 'acme/diode' }, capabilities: { value: new Set(['scalar-potential']) } });
    const free = substrate.equilibrium(drive);
    const loss = stateLoss(substrate, mseLoss, target);
    expect(createNudgedSolver(nonlinear, free, drive, loss)).toBeInstanceOf(NewtonNudgedSolver);
    expect(createNudgedSolver(substrate, free, drive, loss)).toBeInstanceOf(OutputSubspaceSolver);
  });

  it('refuses an output held by the boundary, naming it', () => {
    const { substrate, drive, target } = randomNetwork(2, { nodes: 10, meanDegree: 3, inputs: 1, outputs: 1, inputType: 'potential' });
    const grounded: Substrate = Object.create(substrate, {
      boundary: { value: { ...substrate.boundary, outputs: [{ name: 'gnd-probe', node: substrate.boundary.dirichlet[0] }] } },
    });
    const free = substrate.equilibrium(drive);
    expect(() => new OutputSubspaceSolver(grounded, free, stateLoss(grounded, mseLoss, target))).toThrow(
      /output 'gnd-probe' does not respond to a force \(it is held by the boundary\)/,
    );
  });

  it('refuses a negative nudge so strong that E − |β|C has no minimum', () => {
    const { solver } = solverFor(3, { nodes: 12, meanDegree: 3, inputs: 1, outputs: 2, inputType: 'flow' });
    expect(() => solver.nudged(-1e4)).toThrow(NumericalError);
    let message = '';
    try {
      solver.nudged(-1e4);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^the nudged energy E \+ βC at β = -10000 has no minimum near the free state .*: use a smaller β, or the 'positive' variant$/);
    // For MSE the limit is exact: E − |β|C is convex while |β| < 1/λmax(G), G = O H⁻¹ Oᵀ.
    const limit = Number(/needs \|β\| < ([0-9.e+-]+)\)/.exec(message)![1]);
    expect(solver.nudged(-0.95 * limit).iterations).toBeLessThanOrEqual(2);
    expect(() => solver.nudged(-1.05 * limit)).toThrow(/has no minimum near the free state/);
    expect(() => solver.nudged(NaN)).toThrow(/β must be finite/);
    expect(() => solver.clamped([1])).toThrow(/expected 2 clamped output values, got 1/);
  });
});
