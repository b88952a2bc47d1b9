import { Matrix, solve } from 'ml-matrix';
import {
  Rng,
  createGraph,
  mseLoss,
  newtonMinimize,
  stateLoss,
  type Drive,
  type OutputSpec,
  type StateLoss,
  type Substrate,
} from '@multimech/core';
import { csrToDense } from '@multimech/sparse';
import { ElasticSubstrate, elasticFromTopology, randomSpringNetwork, triangularLattice, type ElasticParameter } from '@multimech/elastic';
import { parseSpice, resistiveFromNetlist, type ResistiveSubstrate } from '@multimech/resistive';
import { randomDiodeNetlist } from '../../resistive/test/random-netlist';

/** A nonlinear network with the drive of its inputs and a target the loss pulls towards. */
export interface NonlinearCase<S extends Substrate = Substrate> {
  readonly substrate: S;
  /** The input values the drive imposes. */
  readonly inputs: Float64Array;
  readonly drive: Drive;
  readonly target: Float64Array;
  readonly free: Float64Array;
  readonly loss: StateLoss;
}

function withTarget<S extends Substrate>(substrate: S, inputs: Float64Array, offset: () => number): NonlinearCase<S> {
  const drive = substrate.drive(inputs);
  const free = substrate.equilibrium(drive);
  const target = Float64Array.from(substrate.readout(free), (y) => y + offset());
  return { substrate, inputs, drive, target, free, loss: stateLoss(substrate, mseLoss, target) };
}

export interface DiodeCase extends NonlinearCase<ResistiveSubstrate> {
  /** The SPICE text the network was read from. */
  readonly text: string;
  readonly outputs: readonly OutputSpec[];
}

/**
 * A random diode network (resistive's randomDiodeNetlist: 100 Ω .. 10 kΩ,
 * four diodes, two voltage sources of up to ±2 V and a current source),
 * with `outputs` node outputs, or, with `difference`, the first read against
 * the second; targets half a volt or so off the free outputs.
 */
export function diodeCase(seed: number, outputs: number, difference = false): DiodeCase {
  const rng = new Rng(seed);
  const made = randomDiodeNetlist(rng, 8 + rng.int(6), { voltages: 2, currents: 1, outputs: Math.max(outputs, difference ? 2 : 1), diodes: 4 }, { volts: 2, minIS: 1e-12 });
  const specs: OutputSpec[] = difference ? [[made.outputs[0], made.outputs[1]], ...made.outputs.slice(2)] : made.outputs.slice(0, outputs);
  const substrate = resistiveFromNetlist(made.netlist, { outputs: specs });
  const c = withTarget(substrate, substrate.defaultInputs!, () => rng.uniform(-0.5, 0.5));
  return { ...c, text: made.text, outputs: specs };
}

/** The netlist with extra lines, as a substrate for its equilibrium (no outputs: the extra sources may hold the output nodes, which as targets would be refused). */
function extended(c: DiodeCase, lines: readonly string[]): ResistiveSubstrate {
  return resistiveFromNetlist(parseSpice(`${c.text}${lines.join('\n')}\n`, 'extended.cir'), {});
}

/** The node values of `state` of `from` at the nodes of `to`, by name. */
function byName(from: Substrate, state: Float64Array, to: Substrate): Float64Array {
  const index = new Map(from.graph.nodeNames.map((n, i) => [n, i]));
  return Float64Array.from(to.graph.nodeNames, (n) => state[index.get(n)!]);
}

/**
 * The MSE-nudged state of a diode network found independently: E + β·½Σ(V_o − t_o)²
 * is the energy of the same network with a resistor of conductance β from
 * each output node to a node a voltage source holds at t_o, so the
 * substrate's own equilibrium of that network is s^β (β > 0, node outputs).
 */
export function diodeNudgedByResistors(c: DiodeCase, beta: number): Float64Array {
  const lines = c.outputs.flatMap((o, j) => [`Rnudge${j} ${o as string} tnudge${j} ${1 / beta}`, `Vnudge${j} tnudge${j} 0 DC ${c.target[j]}`]);
  const net = extended(c, lines);
  return byName(net, net.equilibrium(net.drive(net.defaultInputs!)), c.substrate);
}

/** The clamped state of a diode network found independently: a voltage source holds each output node at its value. */
export function diodeClampedBySources(c: DiodeCase, values: ArrayLike<number>): Float64Array {
  const lines = c.outputs.map((o, j) => `Vclamp${j} ${o as string} 0 DC ${values[j]}`);
  const net = extended(c, lines);
  return byName(net, net.equilibrium(net.drive(net.defaultInputs!)), c.substrate);
}

export interface SpringShape {
  readonly network: 'triangular' | 'random-2d' | 'random-3d';
  readonly parameter: ElasticParameter;
  readonly outputs: 'distance' | 'displacement';
  readonly targets?: number;
}

/**
 * A spring network (a 5×4 triangular lattice, or a random 2-D or 3-D
 * network) with force-dipole inputs, stiffness in [0.5, 2], rest lengths
 * within 5% of the reference lengths (prestressed), inputs of 0.1 to 0.3,
 * and targets 0.05 or so off the free outputs.
 */
export function springCase(seed: number, shape: SpringShape): NonlinearCase<ElasticSubstrate> {
  const rng = new Rng(seed);
  const counts = { sources: 2, targets: shape.targets ?? 2 };
  const topology =
    shape.network === 'triangular'
      ? triangularLattice(5, 4, counts)
      : shape.network === 'random-2d'
        ? randomSpringNetwork({ dimension: 2, nodes: 20, coordination: 5 }, counts, rng)
        : randomSpringNetwork({ dimension: 3, nodes: 16, coordination: 8 }, counts, rng);
  const m = topology.graph.from.length;
  const s = elasticFromTopology(topology, {
    parameter: shape.parameter,
    stiffness: Float64Array.from({ length: m }, () => rng.uniform(0.5, 2)),
    stiffnessBounds: { min: 0.01, max: 10 },
    restLengthBounds: { min: 0.5, max: 1.5 },
    inputs: 'force',
    outputs: shape.outputs,
  });
  const theta = Float64Array.from(s.parameters);
  const restStart = shape.parameter === 'both' ? m : shape.parameter === 'rest-length' ? 0 : theta.length;
  for (let j = restStart; j < theta.length; j++) theta[j] *= rng.uniform(0.95, 1.05);
  s.setParameters(theta);
  const inputs = Float64Array.from(s.boundary.inputs, () => rng.uniform(0.1, 0.3) * (rng.next() < 0.5 ? -1 : 1));
  return withTarget(s, inputs, () => 0.05 * rng.uniform(-1, 1));
}

/** The same springs (and pins and inputs) with extra springs and extra inputs; the extra springs' stiffness is not trained. */
function withSprings(s: ElasticSubstrate, extra: { springs?: { from: number; to: number; k: number; rest: number }[]; inputs?: ElasticSubstrate['inputs'] }): ElasticSubstrate {
  const springs = extra.springs ?? [];
  const edges = [
    ...s.graph.edgeNames.map((name, k) => ({ name, from: s.graph.from[k], to: s.graph.to[k] })),
    ...springs.map((sp, i) => ({ name: `extra${i}`, from: sp.from, to: sp.to })),
  ];
  const stiffness = [...s.stiffness, ...springs.map((sp) => sp.k)];
  return new ElasticSubstrate({
    dimension: s.dofPerNode,
    graph: createGraph(s.graph.nodeNames, edges),
    positions: s.reference,
    stiffness,
    restLength: [...s.restLength, ...springs.map((sp) => sp.rest)],
    parameter: 'stiffness',
    bounds: { min: Float64Array.from(stiffness, (k) => k / 2), max: Float64Array.from(stiffness, (k) => 2 * k) },
    pins: s.pins,
    inputs: [...s.inputs, ...(extra.inputs ?? [])],
    outputs: s.outputs,
  });
}

/**
 * The MSE-nudged state of a spring network with pair-distance outputs found
 * independently: β·½(|x_a − x_b| − d₀ − t)² is a spring of stiffness β and
 * rest length d₀ + t between a and b, so the substrate's own equilibrium of
 * the network with those springs is s^β (β > 0).
 */
export function springNudgedBySprings(c: NonlinearCase<ElasticSubstrate>, beta: number): Float64Array {
  const s = c.substrate;
  const d = s.dofPerNode;
  const springs = s.outputs.map((o, j) => {
    if (o.type !== 'distance') throw new Error('distance outputs only');
    let d0 = 0;
    for (let a = 0; a < d; a++) d0 += (s.reference[o.a * d + a] - s.reference[o.b * d + a]) ** 2;
    return { from: o.a, to: o.b, k: beta, rest: Math.sqrt(d0) + c.target[j] };
  });
  const net = withSprings(s, { springs });
  return net.equilibrium(net.drive(c.inputs));
}

/**
 * The clamped state of a spring network with displacement outputs found
 * independently: each output dof held (a displacement input) at its value.
 */
export function springClampedByHolds(c: NonlinearCase<ElasticSubstrate>, values: ArrayLike<number>): Float64Array {
  const s = c.substrate;
  const holds = s.outputs.map((o) => {
    if (o.type !== 'displacement') throw new Error('displacement outputs only');
    return { type: 'displacement' as const, node: o.node, axis: o.axis };
  });
  const net = withSprings(s, { inputs: holds });
  const state = net.equilibrium(net.drive([...c.inputs, ...Array.from(values)]));
  return state.subarray(0, s.reference.length);
}

/**
 * The MSE-nudged state found independently by core's damped Newton on the
 * whole of E + βC in every free dof, with the dense Hessian H + βOᵀO (node
 * and displacement outputs: C's Hessian is OᵀO), converged to max |∇| ≤ tolerance.
 */
export function nudgedByDenseNewton(c: NonlinearCase, beta: number, tolerance: number): Float64Array {
  const { substrate, drive, loss } = c;
  const { freeDofs } = substrate.hessian(c.free);
  const o = substrate.boundary.outputs.length;
  const rows = Array.from({ length: o }, (_, j) => {
    const dCdy = new Float64Array(o);
    dCdy[j] = -1;
    const f = substrate.outputForce(c.free, dCdy); // = Oᵀe_j
    return Array.from(freeDofs, (dof) => f[dof]);
  });
  const O = new Matrix(rows);
  const full = (x: Float64Array) => {
    const s = Float64Array.from(c.free);
    freeDofs.forEach((dof, i) => (s[dof] = x[i]));
    return s;
  };
  const result = newtonMinimize(
    {
      size: freeDofs.length,
      energy: (x) => substrate.energy(full(x), drive) + beta * loss.evaluate(full(x)).value,
      gradient: (x) => {
        const s = full(x);
        const r = substrate.residual(s, drive);
        const e = loss.evaluate(s).force;
        return Float64Array.from(freeDofs, (dof) => r[dof] - beta * e[dof]);
      },
      solve: (x, g) => {
        const H = new Matrix(csrToDense(substrate.hessian(full(x)).matrix)).add(O.transpose().mmul(O).mul(beta));
        return Float64Array.from(solve(H, Matrix.columnVector(Array.from(g))).getColumn(0));
      },
    },
    Float64Array.from(freeDofs, (dof) => c.free[dof]),
    { tolerance },
  );
  return full(result.x);
}

/** max |∂E/∂s − βe| over the free dofs, relative to max |βe| there: the stationarity of E + βC. */
export function stationarity(c: NonlinearCase, state: Float64Array, beta: number): number {
  const r = c.substrate.residual(state, c.drive);
  const e = c.loss.evaluate(state).force;
  const held = new Set(c.substrate.boundary.dirichlet);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < state.length; i++) {
    if (held.has(i)) continue;
    worst = Math.max(worst, Math.abs(r[i] - beta * e[i]));
    scale = Math.max(scale, Math.abs(beta * e[i]));
  }
  return worst / scale;
}

/** ‖a − b‖∞ / ‖b − reference‖∞: how far a is from b against how far b moved. */
export function relativeTo(a: ArrayLike<number>, b: ArrayLike<number>, reference: ArrayLike<number>): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    n = Math.max(n, Math.abs(b[i] - reference[i]));
  }
  return d / n;
}

/** The output response G = O H⁻¹ Oᵀ at a state (o×o, dense), through the substrate's own linear response. */
export function outputResponse(substrate: Substrate, state: Float64Array): number[][] {
  const o = substrate.boundary.outputs.length;
  const forces = Array.from({ length: o }, (_, j) => {
    const dCdy = new Float64Array(o);
    dCdy[j] = 1;
    return substrate.outputForce(state, dCdy);
  });
  const responses = substrate.linearResponse(state, forces);
  return responses.map((v) => forces.map((f) => v.reduce((s, x, i) => s + x * f[i], 0)));
}

/** The largest eigenvalue of a small symmetric positive matrix (power iteration). */
export function largestEigenvalue(A: number[][]): number {
  let x = A.map(() => 1);
  let lambda = 0;
  for (let it = 0; it < 200; it++) {
    const y = A.map((row) => row.reduce((s, a, j) => s + a * x[j], 0));
    lambda = Math.sqrt(y.reduce((s, v) => s + v * v, 0));
    x = y.map((v) => v / lambda);
  }
  return lambda;
}
