import {
  Capability,
  Rng,
  adjointError,
  combineDrives,
  dcActivation,
  exampleGradient,
  fidelity,
  finiteDifferenceGradient,
  mseLoss,
  productRule,
  zeroDrive,
} from '@multimech/core';
import { csrMultiply } from '@multimech/sparse';
import { CheckSettingSpecs, ResolvedCheckSettings } from './check-settings';
import { ConformanceFailure, check } from './conformance-failure';
import { expectClose } from './expect-close';
import { randomDrive } from './random-drive';
import type { SubstrateFixture } from './substrate-fixture';
import {
  CONVERGED,
  EquilibriumConvergence,
  describeConvergence,
  equilibriumConvergence,
  lawScale,
  parameterScale,
  stateScale,
} from './substrate-scales';
import { defaultTarget } from './default-target';
import { axpy, dofCount, dot, maxAbs, randomFree } from './vectors';

/** The stable ids of the substrate checks. */
export type SubstrateCheckId =
  | 'conservation'
  | 'stationarity'
  | 'hessian-symmetry'
  | 'reciprocity'
  | 'superposition'
  | 'parameter-derivative'
  | 'bounds'
  | 'finite'
  | 'rigid-body';

/** One check of the substrate suite: throws a ConformanceFailure when the fixture breaks it. */
export interface SubstrateCheck {
  readonly id: SubstrateCheckId;
  readonly description: string;
  /**
   * A capability the check applies to. `runSubstrateConformance` registers
   * the check as skipped, titled with `reason`, for a substrate without it.
   */
  readonly requires?: { readonly capability: Capability; readonly reason: string };
  /** The finite-difference step and tolerance it takes, with their defaults (`options.settings` overrides them). */
  readonly settings: CheckSettingSpecs;
  run(fixture: SubstrateFixture, rng: Rng, settings: ResolvedCheckSettings): void;
}

function equilibrate(f: SubstrateFixture): { state: Float64Array; free: Int32Array } {
  const state = f.substrate.equilibrium(f.drive);
  return { state, free: f.substrate.hessian(state).freeDofs };
}

/**
 * A direction on the free dofs, shortened to the law's scale where the law
 * bends within it: a probe of relative step h along it then resolves a
 * junction or a laminar core however large the state is.
 */
function lawScaled(f: SubstrateFixture, state: Float64Array, free: Int32Array, d: Float64Array, step: number): Float64Array {
  const t = lawScale(f.substrate, f.drive, state, d, free, step);
  return t < 1 ? d.map((x) => x * t) : d;
}

const conservation: SubstrateCheck = {
  id: 'conservation',
  description: 'the residual ∂E/∂s is zero at every free dof at equilibrium (relative to the flows)',
  settings: { rtol: { default: CONVERGED, meaning: 'largest residual at a free dof, relative to the flow scale (injections, reactions at held dofs)' } },
  run(f, _rng, { rtol }) {
    const s = f.substrate;
    const { state, free } = equilibrate(f);
    const c = equilibriumConvergence(s, f.drive, state, free);
    check(c.flows > 0, () => 'the fixture drive makes no flow at all: give a drive that does something');
    check(c.residual <= rtol * c.flows, () => `residual ${c.field[c.dof]} at free dof ${c.dof} exceeds ${rtol} × the flow scale ${c.flows}`);
  },
};

/**
 * Says, when a derivative check through an equilibrium fails, whether the
 * equilibrium explains it. `explained` is how much of the mismatch the
 * residuals left at the equilibria (`convergence`) can cause. When that is
 * at least a tenth of the mismatch, the failure is restated: as a
 * convergence failure when the residual is above `CONVERGED` of the flows,
 * and otherwise as a fixture whose rounding-level residuals already move the
 * finite differences that much. When it is less, the failure keeps its
 * message, with the convergence that rules the equilibrium out.
 */
function blameConvergence(failure: unknown, convergence: readonly EquilibriumConvergence[], explained: number, mismatch: number): never {
  if (!(failure instanceof ConformanceFailure)) throw failure;
  const worst = convergence.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const accounts = `a residual that size can account for ${explained.toExponential(2)} of the mismatch ${mismatch.toExponential(2)}`;
  if (explained >= 0.1 * mismatch && worst.ratio > CONVERGED) {
    throw new ConformanceFailure(
      `the equilibrium is not converged: ${describeConvergence(worst)} (converged means ≤ ${CONVERGED}); ${accounts}, ` +
        `so converge the equilibrium (the solver's tolerance) before suspecting the derivatives. The comparison that failed: ${failure.message}`,
    );
  }
  if (explained >= 0.1 * mismatch) {
    throw new ConformanceFailure(
      `the equilibrium converged (${describeConvergence(worst)}), but ${accounts}: the fixture is too ill-conditioned for finite differences ` +
        `to resolve the derivative (try another step in options.settings, or a fixture with smaller flows). The comparison that failed: ${failure.message}`,
    );
  }
  throw new ConformanceFailure(
    `${failure.message} (the equilibrium converged to ${worst.ratio.toExponential(2)} of the flows, which accounts for at most ${explained.toExponential(2)} of the mismatch ${mismatch.toExponential(2)})`,
  );
}

const stationarity: SubstrateCheck = {
  id: 'stationarity',
  description: 'E is smallest at equilibrium: higher at random nearby states, zero directional derivative, ∂E/∂s = residual',
  settings: {
    step: { default: 1e-4, meaning: "central-difference step of E along a random direction, as a fraction of the direction: the state scale, or the law's scale where the law bends within it" },
    rtol: { default: 1e-6, meaning: 'the directional derivatives, relative to Σ|Δr·d| over the direction d' },
  },
  run(f, rng, { step, rtol }) {
    const s = f.substrate;
    const { state, free } = equilibrate(f);
    check(free.length > 0, () => 'the substrate has no free dofs');
    const sigma = stateScale(s, state);
    const e0 = s.energy(state, f.drive);
    for (let t = 0; t < 5; t++) {
      const delta = randomFree(free, state.length, 1e-3 * sigma, rng);
      const e = s.energy(axpy(state, 1, delta), f.drive);
      check(e > e0, () => `E at a random nearby state (${e}) is not above E at equilibrium (${e0})`);
    }
    const d = lawScaled(f, state, free, randomFree(free, state.length, sigma, rng), step);
    const slope = (at: Float64Array, h: number) => (s.energy(axpy(at, h, d), f.drive) - s.energy(axpy(at, -h, d), f.drive)) / (2 * h);
    const moved = axpy(state, 1, d);
    const rMoved = s.residual(moved, f.drive);
    const rStar = s.residual(state, f.drive);
    let curvature = 0;
    for (const dof of free) curvature += Math.abs(rMoved[dof] - rStar[dof]) * Math.abs(d[dof]);
    check(curvature > 0, () => 'the residual does not change when the free dofs move');
    const atEquilibrium = slope(state, step);
    try {
      check(
        Math.abs(atEquilibrium) <= rtol * curvature,
        () => `directional derivative of E at equilibrium is ${atEquilibrium}, not ≈ 0 (scale ${curvature})`,
      );
    } catch (failure) {
      // at a state that is not an equilibrium, dE along d is r·d: the residual left there explains that much
      const c = equilibriumConvergence(s, f.drive, state, free);
      blameConvergence(failure, [c], Math.abs(dot(c.field, d)), Math.abs(atEquilibrium));
    }
    let predicted = 0;
    for (const dof of free) predicted += rMoved[dof] * d[dof];
    // a law that was off at equilibrium (a junction in reverse) may bend at the moved state: the step follows it there too
    const measured = slope(moved, step * Math.min(1, lawScale(s, f.drive, moved, d, free, step)));
    check(
      Math.abs(measured - predicted) <= rtol * curvature,
      () => `away from equilibrium, dE along a direction is ${measured} by finite differences but residual·direction = ${predicted}`,
    );
  },
};

const hessianSymmetry: SubstrateCheck = {
  id: 'hessian-symmetry',
  description: 'H is symmetric, H·v matches finite differences of the residual, and linearResponse solves H x = f',
  settings: {
    step: { default: 1e-4, meaning: "central-difference step of the residual along v, as a fraction of v: the state scale, or the law's scale where the law bends within it" },
    rtol: { default: 1e-6, meaning: 'H·v against the finite differences, relative to the largest entry' },
  },
  run(f, rng, { step, rtol }) {
    const s = f.substrate;
    const { state, free } = equilibrate(f);
    const { matrix: H, freeDofs } = s.hessian(state);
    check(H.rows === freeDofs.length && H.cols === freeDofs.length, () => `H is ${H.rows}x${H.cols} but there are ${freeDofs.length} free dofs`);
    const entries = new Map<number, number>();
    for (let i = 0; i < H.rows; i++) for (let p = H.rowPtr[i]; p < H.rowPtr[i + 1]; p++) entries.set(i * H.cols + H.colIdx[p], H.values[p]);
    const hScale = maxAbs(H.values);
    check(hScale > 0, () => 'H is zero');
    for (const [key, value] of entries) {
      const i = Math.floor(key / H.cols);
      const j = key % H.cols;
      const mirror = entries.get(j * H.cols + i) ?? 0;
      check(Math.abs(value - mirror) <= 1e-12 * hScale, () => `H[${i}][${j}] = ${value} but H[${j}][${i}] = ${mirror}`);
    }
    const sigma = stateScale(s, state);
    const v = randomFree(free, state.length, sigma, rng);
    const h = step * Math.min(1, lawScale(s, f.drive, state, v, free, step));
    const up = s.residual(axpy(state, h, v), f.drive);
    const down = s.residual(axpy(state, -h, v), f.drive);
    const fd = Float64Array.from(freeDofs, (dof) => (up[dof] - down[dof]) / (2 * h));
    const hv = csrMultiply(H, Float64Array.from(freeDofs, (dof) => v[dof]));
    expectClose(hv, fd, { rtol }, 'H·v against finite differences of the residual');
    const force = randomFree(free, state.length, 1, rng);
    const [x] = s.linearResponse(state, [force]);
    for (const dof of s.boundary.dirichlet) check(x[dof] === 0, () => `linearResponse is ${x[dof]} at held dof ${dof}, expected 0`);
    const hx = csrMultiply(H, Float64Array.from(freeDofs, (dof) => x[dof]));
    expectClose(hx, Float64Array.from(freeDofs, (dof) => force[dof]), { rtol: 1e-8 }, 'H·linearResponse(f) against f');
  },
};

const reciprocity: SubstrateCheck = {
  id: 'reciprocity',
  description: 'the response at j to a unit force at i equals the response at i to a unit force at j',
  settings: { rtol: { default: 1e-9, meaning: 'the two responses, relative to the larger response at the forced dof' } },
  run(f, rng, { rtol }) {
    const s = f.substrate;
    const { state, free } = equilibrate(f);
    check(free.length >= 2, () => 'reciprocity needs at least two free dofs');
    const n = state.length;
    const zero = zeroDrive(n, s.boundary.dirichlet.length);
    const base = s.capabilities.has('linear') ? s.equilibrium(zero) : undefined;
    for (let t = 0; t < Math.min(4, free.length - 1); t++) {
      const i = free[rng.int(free.length)];
      let j = free[rng.int(free.length)];
      if (j === i) j = free[(free.indexOf(i) + 1) % free.length];
      const ei = new Float64Array(n);
      ei[i] = 1;
      const ej = new Float64Array(n);
      ej[j] = 1;
      const [xi, xj] = s.linearResponse(state, [ei, ej]);
      const scale = Math.max(Math.abs(xi[i]), Math.abs(xj[j]));
      check(scale > 0, () => `no response at dof ${i} or ${j} to a unit force there`);
      check(
        Math.abs(xi[j] - xj[i]) <= rtol * scale,
        () => `linearResponse: response at ${j} to a unit force at ${i} is ${xi[j]}, at ${i} to a unit force at ${j} is ${xj[i]}`,
      );
      if (base) {
        const si = s.equilibrium({ injection: axpy(zero.injection, 1, ei), fixed: zero.fixed });
        const sj = s.equilibrium({ injection: axpy(zero.injection, 1, ej), fixed: zero.fixed });
        check(
          Math.abs(si[j] - base[j] - (sj[i] - base[i])) <= rtol * scale,
          () => `equilibrium: response at ${j} to a unit injection at ${i} is ${si[j] - base[j]}, at ${i} to one at ${j} is ${sj[i] - base[i]}`,
        );
        expectClose(si.map((x, k) => x - base[k]), xi, { rtol }, `equilibrium response to a unit injection at ${i} against linearResponse`);
      }
    }
  },
};

const superposition: SubstrateCheck = {
  id: 'superposition',
  description: 'linear substrates: the equilibrium of a·x + b·y drives is a·s(x) + b·s(y)',
  requires: {
    capability: 'linear',
    reason: "superposition holds only where E is quadratic in s; the substrate does not declare 'linear'",
  },
  settings: { rtol: { default: 1e-9, meaning: 'the combined equilibrium, relative to its largest entry' } },
  run(f, rng, { rtol }) {
    const s = f.substrate;
    check(
      s.capabilities.has('linear'),
      () =>
        `substrate '${s.kind}' does not declare the 'linear' capability, so superposition need not hold; ` +
        `skip this check with options.skip: [{ id: 'superposition', reason: '...' }]`,
    );
    const n = dofCount(s);
    const zero = s.equilibrium(zeroDrive(n, s.boundary.dirichlet.length));
    const other = randomDrive(s, rng);
    const [a, b] = [0.7, -1.3];
    const sx = s.equilibrium(f.drive);
    const sy = s.equilibrium(other);
    const sxy = s.equilibrium(combineDrives(a, f.drive, b, other));
    const predicted = sx.map((x, k) => a * x + b * sy[k] + (1 - a - b) * zero[k]);
    check(maxAbs(sx) > 0, () => 'the fixture drive gives a zero state');
    expectClose(sxy, predicted, { rtol, atol: 1e-12 * Math.max(maxAbs(sx), maxAbs(sy)) }, 'equilibrium of a combined drive');
  },
};

const parameterDerivative: SubstrateCheck = {
  id: 'parameter-derivative',
  description: 'parameterForce = ∂E/∂θ and the local gradient = dC/dθ through the equilibrium, against finite differences',
  settings: {
    step: { default: 1e-5, meaning: 'central-difference step of E in each θ_k at a fixed state, as a fraction of |θ_k| (of the largest |θ| where θ_k = 0)' },
    gradientStep: { default: 1e-3, meaning: "relative step h of the loss's Richardson-extrapolated central differences through the equilibrium (core's finiteDifferenceGradient)" },
    rtol: { default: 1e-6, meaning: 'relative error ‖a − b‖/‖b‖ of parameterForce and of the local gradient against their finite differences' },
  },
  run(f, rng, { step, gradientStep, rtol }) {
    const s = f.substrate;
    const theta = Float64Array.from(s.parameters);
    const m = theta.length;
    check(m > 0, () => 'the substrate has no parameters');
    const { state, free } = equilibrate(f);
    const picks = m <= 60 ? [...Array(m).keys()] : rng.shuffle([...Array(m).keys()]).slice(0, 60);
    const force = s.parameterForce(state);
    const fd = new Float64Array(picks.length);
    const probe = Float64Array.from(theta);
    const thetaScale = parameterScale(theta);
    try {
      picks.forEach((k, q) => {
        const dk = step * (theta[k] !== 0 ? Math.abs(theta[k]) : thetaScale);
        probe[k] = theta[k] + dk;
        s.setParameters(probe);
        const up = s.energy(state, f.drive);
        probe[k] = theta[k] - dk;
        s.setParameters(probe);
        const down = s.energy(state, f.drive);
        probe[k] = theta[k];
        fd[q] = (up - down) / (2 * dk);
      });
    } finally {
      s.setParameters(theta);
    }
    check(maxAbs(fd) > 0, () => 'E does not depend on the parameters at the fixture state');
    const pf = Float64Array.from(picks, (k) => force[k]);
    const pfError = fidelity(pf, fd).relativeError;
    check(pfError <= rtol, () => `parameterForce differs from finite differences of E by a relative ${pfError.toExponential(2)}`);

    check(s.boundary.outputs.length > 0, () => 'the fixture has no outputs: the gradient check needs a loss on outputs');
    const target = f.target ?? defaultTarget(s.readout(state), rng);
    const exact = exampleGradient({ substrate: s, activation: dcActivation, error: adjointError, rule: productRule, loss: mseLoss, rng }, f.drive, target).gradient;
    const reference = finiteDifferenceGradient(s, f.drive, mseLoss, target, gradientStep);
    check(maxAbs(reference) > 0, () => 'the loss does not depend on the parameters');
    const { relativeError } = fidelity(exact, reference);
    try {
      check(
        relativeError <= rtol,
        () => `localGradient(activationReadings, errorReadings) differs from finite differences of the loss by a relative ${relativeError.toExponential(2)}`,
      );
    } catch (failure) {
      diagnoseGradient(failure, f, state, free, target, exact, reference, gradientStep);
    }
  },
};

/**
 * A failed gradient comparison, told apart: at the worst parameter k, the
 * equilibria the finite differences went through (θ_k and θ_k(1 ± h)) are
 * re-solved and their residuals r measured. A residual r moves the state by
 * −H⁻¹r and the loss by about u·r (u = H⁻¹e, the error state), so the
 * Richardson combination of the differences can be off by about
 * 3·max|u·r| / (h|θ_k|): that is what convergence can explain.
 */
function diagnoseGradient(
  failure: unknown,
  f: SubstrateFixture,
  state: Float64Array,
  free: Int32Array,
  target: Float64Array,
  exact: Float64Array,
  reference: Float64Array,
  h: number,
): never {
  const s = f.substrate;
  let k = 0;
  for (let i = 1; i < exact.length; i++) if (Math.abs(exact[i] - reference[i]) > Math.abs(exact[k] - reference[k])) k = i;
  const e = s.outputForce(state, mseLoss.gradient(s.readout(state), target));
  const [u] = s.linearResponse(state, [e]);
  const theta = Float64Array.from(s.parameters);
  const dk = h * (theta[k] !== 0 ? Math.abs(theta[k]) : 1e-12);
  const convergence: EquilibriumConvergence[] = [equilibriumConvergence(s, f.drive, state, free)];
  const probe = Float64Array.from(theta);
  try {
    for (const sign of [1, -1]) {
      probe[k] = theta[k] + sign * dk;
      s.setParameters(probe);
      const moved = s.equilibrium(f.drive);
      convergence.push(equilibriumConvergence(s, f.drive, moved, s.hessian(moved).freeDofs));
    }
  } finally {
    s.setParameters(theta);
  }
  const lossError = Math.max(...convergence.map((c) => Math.abs(dot(c.field, u))));
  blameConvergence(failure, convergence, (3 * lossError) / dk, Math.abs(exact[k] - reference[k]));
}

const bounds: SubstrateCheck = {
  id: 'bounds',
  description: 'bounds are finite, one pair per parameter, min < max, and the parameters lie inside',
  settings: {},
  run(f) {
    const s = f.substrate;
    const { min, max } = s.bounds;
    const theta = s.parameters;
    check(theta.length === s.parameterNames.length, () => `${theta.length} parameters but ${s.parameterNames.length} parameter names`);
    check(min.length === theta.length && max.length === theta.length, () => `bounds have ${min.length}/${max.length} entries for ${theta.length} parameters`);
    for (let k = 0; k < theta.length; k++) {
      const name = s.parameterNames[k];
      check(Number.isFinite(min[k]) && Number.isFinite(max[k]), () => `bounds of '${name}' are not finite: [${min[k]}, ${max[k]}]`);
      check(min[k] < max[k], () => `bounds of '${name}' are empty: min ${min[k]} is not below max ${max[k]}`);
      check(theta[k] >= min[k] && theta[k] <= max[k], () => `'${name}' = ${theta[k]} lies outside its bounds [${min[k]}, ${max[k]}]`);
    }
  },
};

const finite: SubstrateCheck = {
  id: 'finite',
  description: 'every output of the substrate is finite at equilibrium',
  settings: {},
  run(f, rng) {
    const s = f.substrate;
    const { state, free } = equilibrate(f);
    const all = (what: string, values: ArrayLike<number>) => {
      for (let i = 0; i < values.length; i++) check(Number.isFinite(values[i]), () => `${what}[${i}] is ${values[i]}`);
    };
    check(state.length === dofCount(s), () => `the equilibrium has ${state.length} entries, expected ${dofCount(s)}`);
    all('equilibrium', state);
    all('energy', [s.energy(state, f.drive)]);
    all('residual', s.residual(state, f.drive));
    all('readout', s.readout(state));
    all('hessian values', s.hessian(state).matrix.values);
    all('parameterForce', s.parameterForce(state));
    const a = s.activationReadings(state);
    all('activationReadings', a);
    const [u] = s.linearResponse(state, [randomFree(free, state.length, 1, rng)]);
    all('linearResponse', u);
    const e = s.errorReadings(state, u);
    all('errorReadings', e);
    all('localGradient', s.localGradient(a, e));
    all('outputForce', s.outputForce(state, s.readout(state)));
    check(a.length === s.parameters.length && e.length === s.parameters.length, () => 'readings must have one entry per parameter');
  },
};

/** A random rotation matrix (row-major, dim x dim) in 2-D or 3-D. */
function randomRotation(dim: number, rng: Rng): number[] {
  if (dim === 2) {
    const a = rng.uniform(0.3, 2 * Math.PI - 0.3);
    return [Math.cos(a), -Math.sin(a), Math.sin(a), Math.cos(a)];
  }
  // Rodrigues: a random unit axis and an angle away from 0
  let n = [rng.normal(), rng.normal(), rng.normal()];
  const len = Math.hypot(n[0], n[1], n[2]) || 1;
  n = n.map((v) => v / len);
  const a = rng.uniform(0.3, Math.PI - 0.3);
  const [c, s1, c1] = [Math.cos(a), Math.sin(a), 1 - Math.cos(a)];
  const [x, y, z] = n;
  return [
    c + x * x * c1, x * y * c1 - z * s1, x * z * c1 + y * s1,
    y * x * c1 + z * s1, c + y * y * c1, y * z * c1 - x * s1,
    z * x * c1 - y * s1, z * y * c1 + x * s1, c + z * z * c1,
  ];
}

/** R·v + t applied to every node of a vector field (t = 0 for forces). */
function transform(field: Float64Array, dim: number, R: number[], t: number[]): Float64Array {
  const out = new Float64Array(field.length);
  for (let i = 0; i < field.length; i += dim) {
    for (let a = 0; a < dim; a++) {
      let v = t[a];
      for (let b = 0; b < dim; b++) v += R[a * dim + b] * field[i + b];
      out[i + a] = v;
    }
  }
  return out;
}

const rigidBody: SubstrateCheck = {
  id: 'rigid-body',
  description:
    'positions in space: a rigid rotation and translation of a strained state leaves E unchanged and rotates ∂E/∂s; the internal forces have no net force or torque',
  requires: { capability: 'vector-state', reason: "applies to positions in space only; the substrate does not declare 'vector-state'" },
  settings: { rtol: { default: 1e-9, meaning: '∂E/∂s after the rigid motion against the rotated ∂E/∂s, relative to its largest entry' } },
  run(f, rng, { rtol }) {
    const s = f.substrate;
    const dim = s.dofPerNode;
    check(dim === 2 || dim === 3, () => `a vector state needs 2 or 3 dofs per node, got ${dim}`);
    const { state } = equilibrate(f);
    const sigma = stateScale(s, state);
    // strain every spring: perturb all dofs, held ones included
    const x = state.map((v) => v + sigma * rng.uniform(-1, 1));
    const zero = zeroDrive(state.length, s.boundary.dirichlet.length);
    const e0 = s.energy(x, zero);
    check(e0 > 0, () => `E of a strained state without drive is ${e0}, expected > 0`);
    const R = randomRotation(dim, rng);
    const t = Array.from({ length: dim }, () => 10 * sigma * rng.normal());
    const moved = transform(x, dim, R, t);
    const e1 = s.energy(moved, zero);
    check(Math.abs(e1 - e0) <= 1e-10 * e0, () => `E changes under a rigid motion: ${e0} before, ${e1} after`);
    const r0 = s.residual(x, zero);
    const r1 = s.residual(moved, zero);
    expectClose(r1, transform(r0, dim, R, new Array(dim).fill(0)), { rtol }, '∂E/∂s after a rigid motion against the rotated ∂E/∂s');
    // Newton's third law: internal forces sum to zero, and so do their torques
    const scale = r0.reduce((m, v) => m + Math.abs(v), 0) * (maxAbs(x) || 1);
    check(scale > 0, () => 'no internal forces in a strained state');
    const net = new Float64Array(dim);
    const torque = new Float64Array(dim === 2 ? 1 : 3);
    for (let i = 0; i < x.length; i += dim) {
      for (let a = 0; a < dim; a++) net[a] += r0[i + a];
      if (dim === 2) torque[0] += x[i] * r0[i + 1] - x[i + 1] * r0[i];
      else {
        torque[0] += x[i + 1] * r0[i + 2] - x[i + 2] * r0[i + 1];
        torque[1] += x[i + 2] * r0[i] - x[i] * r0[i + 2];
        torque[2] += x[i] * r0[i + 1] - x[i + 1] * r0[i];
      }
    }
    check(maxAbs(net) * (maxAbs(x) || 1) <= 1e-12 * scale, () => `the internal forces have a net force [${[...net].join(', ')}]`);
    check(maxAbs(torque) <= 1e-12 * scale, () => `the internal forces have a net torque [${[...torque].join(', ')}]`);
  },
};

/** Every substrate check, in the order the suite runs them. */
export const substrateChecks: readonly SubstrateCheck[] = [
  conservation,
  stationarity,
  hessianSymmetry,
  reciprocity,
  superposition,
  parameterDerivative,
  bounds,
  finite,
  rigidBody,
];

/** The ids of the substrate checks. */
export const substrateCheckIds: readonly SubstrateCheckId[] = substrateChecks.map((c) => c.id);
