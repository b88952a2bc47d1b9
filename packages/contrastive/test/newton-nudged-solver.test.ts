import { placeProblems, decodeOrThrow, MultimechError, NumericalError, dcActivation, mseLoss, stateLoss, type ErrorContext, type Substrate } from '@multimech/core';
import { ElasticSubstrate } from '@multimech/elastic';
import {
  NewtonNudgedSolver,
  OutputSubspaceSolver,
  coupledLearningRecord,
  createCoupledLearning,
  createEquilibriumPropagation,
  createNudgedSolver,
  equilibriumPropagationRecord,
} from '../src';
import {
  diodeCase,
  diodeClampedBySources,
  diodeNudgedByResistors,
  largestEigenvalue,
  nudgedByDenseNewton,
  outputResponse,
  relativeTo,
  springCase,
  springClampedByHolds,
  springNudgedBySprings,
  stationarity,
  type NonlinearCase,
  type SpringShape,
} from './nonlinear-networks';
import { randomNetwork, relativeMaxError } from './networks';

/** Nudging strengths as fractions of 1/λmax(G), the network's own scale (β·G is what sets the nudge's size). */
const STRENGTHS = [1, 0.1, 1e-2, 1e-3, -1e-3, -1e-2];

function solverFor(c: NonlinearCase): NewtonNudgedSolver {
  return new NewtonNudgedSolver(c.substrate, c.free, c.drive, c.loss);
}

function scaleOf(c: NonlinearCase): number {
  return 1 / largestEigenvalue(outputResponse(c.substrate, c.free));
}

const diodes = [
  { seed: 1, outputs: 1 },
  { seed: 2, outputs: 2 },
  { seed: 3, outputs: 3 },
  { seed: 4, outputs: 2, difference: true },
];

const springs: (SpringShape & { seed: number })[] = [
  { seed: 1, network: 'triangular', parameter: 'stiffness', outputs: 'distance' },
  { seed: 2, network: 'random-2d', parameter: 'both', outputs: 'displacement' },
  { seed: 3, network: 'random-3d', parameter: 'rest-length', outputs: 'distance' },
  { seed: 4, network: 'triangular', parameter: 'both', outputs: 'displacement' },
];

/** Every nudged state of a case: stationary to 1e-10 of the nudging force, and its Newton steps. */
function nudgeAll(c: NonlinearCase) {
  const solver = solverFor(c);
  const scale = scaleOf(c);
  return STRENGTHS.map((strength) => {
    const beta = strength * scale;
    const { state, iterations } = solver.nudged(beta);
    return { beta, strength, state, iterations, stationarity: stationarity(c, state, beta) };
  });
}

describe('nudged states of nonlinear networks (Newton on E + βC)', () => {
  it.each(diodes)('diode networks: stationary, and equal to the network with a nudging resistor to each target (seed $seed, $outputs outputs)', ({ seed, outputs, difference }) => {
    const c = diodeCase(seed, outputs, difference);
    const states = nudgeAll(c);
    const report: string[] = [];
    for (const { beta, strength, state, iterations, stationarity: r } of states) {
      expect(r).toBeLessThan(1e-10);
      expect(iterations).toBeGreaterThanOrEqual(1);
      expect(iterations).toBeLessThanOrEqual(6);
      // The nudge moved the state.
      expect(relativeMaxError(state, c.free)).toBeGreaterThan(1e-9 * Math.abs(strength));
      let agreement = NaN;
      if (beta > 0 && !difference) {
        agreement = relativeTo(state, diodeNudgedByResistors(c, beta), c.free);
        expect(agreement).toBeLessThan(1e-8);
      }
      report.push(`β·λmax(G) = ${strength}: ${iterations} Newton steps, stationarity ${r.toExponential(1)}${Number.isNaN(agreement) ? '' : `, against the nudging resistors ${agreement.toExponential(1)}`}`);
    }
    console.log(`diode network seed ${seed} (${outputs} outputs${difference ? ', a difference' : ''}):\n  ${report.join('\n  ')}`);
  });

  it.each(springs)('spring networks: stationary, and equal to an independent minimisation ($network, $parameter, $outputs outputs)', ({ seed, ...shape }) => {
    const c = springCase(seed, shape);
    const states = nudgeAll(c);
    const report: string[] = [];
    for (const { beta, strength, state, iterations, stationarity: r } of states) {
      expect(r).toBeLessThan(1e-9);
      expect(iterations).toBeLessThanOrEqual(9);
      expect(relativeMaxError(state, c.free)).toBeGreaterThan(1e-9 * Math.abs(strength));
      let agreement = NaN;
      if (shape.outputs === 'distance' && beta > 0) agreement = relativeTo(state, springNudgedBySprings(c, beta), c.free);
      if (shape.outputs === 'displacement') agreement = relativeTo(state, nudgedByDenseNewton(c, beta, 1e-13), c.free);
      if (!Number.isNaN(agreement)) expect(agreement).toBeLessThan(1e-7);
      report.push(`β·λmax(G) = ${strength}: ${iterations} Newton steps, stationarity ${r.toExponential(1)}${Number.isNaN(agreement) ? '' : `, against ${shape.outputs === 'distance' ? 'the nudging springs' : 'dense Newton'} ${agreement.toExponential(1)}`}`);
    }
    console.log(`spring network ${shape.network} (${shape.parameter}, ${shape.outputs} outputs):\n  ${report.join('\n  ')}`);
  });

  it('on a linear network, takes one Newton step and equals the output-subspace solver', () => {
    const net = randomNetwork(6, { nodes: 30, meanDegree: 3.5, inputs: 3, outputs: 2, inputType: 'potential', difference: true });
    const free = net.substrate.equilibrium(net.drive);
    const loss = stateLoss(net.substrate, mseLoss, net.target);
    const newton = new NewtonNudgedSolver(net.substrate, free, net.drive, loss);
    const linear = new OutputSubspaceSolver(net.substrate, free, loss);
    for (const beta of [0.5, 0.01, -0.01]) {
      const n = newton.nudged(beta);
      expect(n.iterations).toBe(1);
      expect(relativeTo(n.state, linear.nudged(beta).state, free)).toBeLessThan(1e-10);
    }
    const yC = linear.outputs.map((y, j) => y + 0.2 * (j + 1));
    const n = newton.clamped(yC);
    expect(n.iterations).toBe(1);
    expect(relativeTo(n.state, linear.clamped(yC).state, free)).toBeLessThan(1e-10);
    expect(createNudgedSolver(net.substrate, free, net.drive, loss)).toBeInstanceOf(OutputSubspaceSolver);
  });

  it('shares the free state’s factorization: a centred EP pair and a CL clamp refactor once per further Newton step', () => {
    const c = diodeCase(2, 2);
    const network = c.substrate.network;
    const context: ErrorContext = {
      substrate: c.substrate,
      activation: { drive: c.drive, carrier: { type: 'dc' }, state: c.free, readings: c.substrate.activationReadings(c.free) },
      errorForce: c.loss.evaluate(c.free).force,
      loss: c.loss,
      rng: undefined as never,
    };
    const beta = 0.01 * scaleOf(c);
    c.substrate.setParameters(c.substrate.parameters); // an update: the free state's factor is gone (the free state stays valid)
    const before = network.factorizations;
    const ep = createEquilibriumPropagation({ beta }).measure(context);
    const steps = ep.diagnostics!.newtonSteps;
    expect(steps).toBeGreaterThanOrEqual(3); // two nudged states, nonlinear: more than one step for one of them
    // one factorization at the free state, then one per Newton step but each state's first
    expect(network.factorizations - before).toBe(1 + steps - 2);
    const middle = network.factorizations;
    const cl = createCoupledLearning({ eta: 0.01 }).measure(context);
    expect(network.factorizations - middle).toBe(cl.diagnostics!.newtonSteps); // the free state's factor is gone: it refactors there first
    console.log(`diode network, centred EP at β·λmax(G) = 0.01: ${steps} Newton steps for the pair; CL at η = 0.01: ${cl.diagnostics!.newtonSteps}`);
  });
});

describe('clamped states of nonlinear networks', () => {
  it.each(diodes.filter((d) => !d.difference))('diode networks: outputs held at y^C and KCL elsewhere, equal to voltage sources at the outputs (seed $seed)', ({ seed, outputs }) => {
    const c = diodeCase(seed, outputs);
    const solver = solverFor(c);
    for (const shift of [0.3, -0.1, 1e-3]) {
      const yC = solver.outputs.map((y, j) => y + shift * (j % 2 === 0 ? 1 : -1));
      const { state, iterations } = solver.clamped(yC);
      expect(iterations).toBeLessThanOrEqual(6);
      const y = c.substrate.readout(state);
      y.forEach((v, j) => expect(Math.abs(v - yC[j])).toBeLessThan(1e-12));
      expect(relativeTo(state, diodeClampedBySources(c, yC), c.free)).toBeLessThan(1e-8);
    }
  });

  it.each(springs)('spring networks: outputs held at y^C, and force balance at every free dof but the clamp’s force ($network, $outputs outputs)', ({ seed, ...shape }) => {
    const c = springCase(seed, shape);
    const solver = solverFor(c);
    const s = c.substrate;
    const steps: number[] = [];
    for (const shift of [0.05, -0.01, 1e-4]) {
      const yC = solver.outputs.map((y, j) => y + shift * (j % 2 === 0 ? 1 : -1));
      const { state, iterations } = solver.clamped(yC);
      steps.push(iterations);
      const y = s.readout(state);
      y.forEach((v, j) => expect(Math.abs(v - yC[j])).toBeLessThan(1e-12 * Math.max(Math.abs(shift), 1e-3)));
      // The residual is the clamp's force alone: zero at every free dof the outputs do not read, and
      // along the pair's direction (equal and opposite) for a distance, along the axis for a displacement.
      const residual = s.residual(state, c.drive);
      const d = s.dofPerNode;
      const read = new Set<number>();
      for (const o of s.outputs) {
        if (o.type === 'displacement') read.add(o.node * d + o.axis);
        else for (let a = 0; a < d; a++) read.add(o.a * d + a).add(o.b * d + a);
      }
      const held = new Set(s.boundary.dirichlet);
      let clampForce = 0;
      let elsewhere = 0;
      for (let i = 0; i < state.length; i++) {
        if (held.has(i)) continue;
        if (read.has(i)) clampForce = Math.max(clampForce, Math.abs(residual[i]));
        else elsewhere = Math.max(elsewhere, Math.abs(residual[i]));
      }
      expect(clampForce).toBeGreaterThan(1e-6 * Math.abs(shift));
      expect(elsewhere).toBeLessThan(1e-9 * clampForce + 1e-13);
      for (const o of s.outputs) {
        if (o.type !== 'distance') continue;
        const fa = Array.from({ length: d }, (_, a) => residual[o.a * d + a]);
        const fb = Array.from({ length: d }, (_, a) => residual[o.b * d + a]);
        const r = Array.from({ length: d }, (_, a) => state[o.a * d + a] - state[o.b * d + a]);
        const norm = Math.hypot(...r);
        const along = fa.reduce((sum, f, a) => sum + (f * r[a]) / norm, 0);
        fa.forEach((f, a) => {
          expect(Math.abs(f - (along * r[a]) / norm)).toBeLessThan(1e-9 * clampForce + 1e-13); // along ê
          expect(Math.abs(f + fb[a])).toBeLessThan(1e-9 * clampForce + 1e-13); // equal and opposite
        });
      }
      if (shape.outputs === 'displacement') expect(relativeTo(state, springClampedByHolds(c, yC), c.free)).toBeLessThan(1e-7);
    }
    console.log(`spring network ${shape.network} (${shape.outputs} outputs), clamps of 0.05, 0.01 and 1e-4: ${steps.join(', ')} Newton steps`);
    // Displacement readouts are linear: Newton converges quadratically. A pair distance's curvature (the clamp force
    // over the pair's length, across it) is left out of H: linear convergence at a rate of about that force over the stiffness.
    expect(steps[2]).toBeLessThanOrEqual(3);
    expect(steps[0]).toBeLessThanOrEqual(shape.outputs === 'displacement' ? 4 : 25);
  });
});

describe('Newton nudged solver refusals', () => {
  it('refuses a negative nudge so strong that E − |β|C has no minimum, with the limit; and never returns a NaN', () => {
    const c = diodeCase(2, 2);
    const solver = solverFor(c);
    const limit = scaleOf(c); // for MSE at the free state: |β| < 1/λmax(G)
    let message = '';
    try {
      solver.nudged(-3 * limit);
    } catch (e) {
      expect(e).toBeInstanceOf(NumericalError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/^the nudged energy E \+ βC at β = -[0-9.e-]+ has no minimum near the free state .*needs \|β\| < ([0-9.e+-]+)\): use a smaller β, or the 'positive' variant$/);
    const stated = Number(/needs \|β\| < ([0-9.e+-]+)\)/.exec(message)![1]);
    expect(stated / limit).toBeGreaterThan(0.99);
    expect(stated / limit).toBeLessThan(1.01);
    expect(() => solver.nudged(NaN)).toThrow(new MultimechError('nudging strength β must be finite, got NaN'));
    expect(() => solver.clamped([1])).toThrow(/expected 2 clamped output values, got 1/);
    expect(() => solver.clamped([0, Infinity])).toThrow(/clamped value of output 'n\d+' is not finite \(Infinity\)/);
  });

  it('stops with a NumericalError naming β, the Newton steps and the residual when Newton cannot converge', () => {
    const c = diodeCase(2, 2);
    // A substrate whose linear response is 20 times too small: every Newton step falls 95% short.
    const weak: Substrate = Object.create(c.substrate, {
      linearResponse: { value: (state: Float64Array, forces: readonly Float64Array[]) => c.substrate.linearResponse(state, forces).map((v) => v.map((x) => 0.05 * x)) },
    });
    const solver = new NewtonNudgedSolver(weak, c.free, c.drive, c.loss);
    const beta = 0.01 * scaleOf(c);
    expect(() => solver.nudged(beta)).toThrow(NumericalError);
    expect(() => solver.nudged(beta)).toThrow(
      /^the nudged state at β = [0-9.e-]+ did not converge \(too many Newton steps\) after 50 Newton steps: stationarity residual ‖∂E\/∂s − βe‖∞ = [0-9.]+e-\d+ against a nudging force of [0-9.]+e-\d+$/,
    );
    expect(() => solver.clamped(solver.outputs.map((y) => y + 0.1))).toThrow(/^the clamped state did not converge \(too many Newton steps\) after 50 Newton steps: force balance off by /);
  });

  it('refuses, when the experiment is built, a spring network whose output sits on a pinned node', () => {
    const c = springCase(4, { network: 'triangular', parameter: 'both', outputs: 'displacement' });
    const s = c.substrate;
    const pinned = new ElasticSubstrate({
      dimension: 2,
      graph: s.graph,
      positions: s.reference,
      stiffness: s.stiffness,
      restLength: s.restLength,
      parameter: 'stiffness',
      bounds: { min: s.stiffness.map(() => 0.01), max: s.stiffness.map(() => 10) },
      pins: s.pins,
      inputs: s.inputs,
      outputs: [...s.outputs, { type: 'distance', a: s.pins[0], b: s.pins[1], name: 'between-pins' }],
    });
    for (const record of [equilibriumPropagationRecord, coupledLearningRecord]) {
      expect(placeProblems(record.check!(decodeOrThrow(record.configCodec, {}), dcActivation, pinned))).toEqual([
        {
          path: 'error.kind',
          message: `error mechanism '${record.kind}' cannot run on this 'elastic' network: output 'between-pins' is held by the boundary, so no force at the outputs moves it and it cannot be ${record.kind === 'cl' ? 'clamped' : 'nudged'}`,
        },
      ]);
      expect(record.check!(decodeOrThrow(record.configCodec, {}), dcActivation, s)).toEqual([]);
    }
  });
});
