import { Matrix, solve } from 'ml-matrix';
import { Rng, boundaryFromTopology, randomTopology, uniformBounds, type Drive, type Substrate } from '@multimech/core';
import { csrToDense } from '@multimech/sparse';
import { ResistiveSubstrate } from '@multimech/resistive';

/** A random resistive network with its drive and target, for the contrastive tests. */
export interface NetworkCase {
  readonly substrate: ResistiveSubstrate;
  readonly drive: Drive;
  readonly target: Float64Array;
}

export interface NetworkShape {
  readonly nodes: number;
  readonly meanDegree: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly inputType: 'flow' | 'potential';
  /** Read each output as the difference of its node and another output's node (the first output against ground). */
  readonly difference?: boolean;
}

/**
 * A connected random resistive network: conductances in [0.5, 2], input
 * values in [-1, 1], targets in [-0.5, 0.5] (so the loss is never zero).
 */
export function randomNetwork(seed: number, shape: NetworkShape): NetworkCase {
  const rng = new Rng(seed);
  const topology = randomTopology(shape.nodes, shape.meanDegree, { inputs: shape.inputs, outputs: shape.outputs }, rng);
  const m = topology.graph.from.length;
  const conductances = Float64Array.from({ length: m }, () => rng.uniform(0.5, 2));
  const base = boundaryFromTopology(topology, shape.inputType);
  const outputs = shape.difference
    ? base.outputs.map((o, i) => ({ name: `d${i}`, node: o.node, ref: i === 0 ? topology.groundNodes[0] : base.outputs[i - 1].node }))
    : base.outputs;
  const substrate = new ResistiveSubstrate({ graph: topology.graph, boundary: { ...base, outputs }, conductances, bounds: uniformBounds(m, 1e-6, 1e6) });
  const drive = substrate.drive(Float64Array.from({ length: shape.inputs }, () => rng.uniform(-1, 1)));
  const target = Float64Array.from({ length: shape.outputs }, () => rng.uniform(-0.5, 0.5));
  return { substrate, drive, target };
}

/** The readout O restricted to the free dofs, densely (o × free). */
export function denseReadout(substrate: Substrate, freeDofs: Int32Array): Matrix {
  const index = new Map<number, number>();
  freeDofs.forEach((d, i) => index.set(d, i));
  const O = new Matrix(substrate.boundary.outputs.length, freeDofs.length);
  substrate.boundary.outputs.forEach((port, j) => {
    if (index.has(port.node)) O.set(j, index.get(port.node)!, 1);
    if (port.ref !== undefined && index.has(port.ref)) O.set(j, index.get(port.ref)!, -1);
  });
  return O;
}

/**
 * The MSE-nudged state by a direct dense solve of the nudged system on the
 * free dofs: (H + β OᵀO) δ = β Oᵀ(t − y*), s^β = s* + δ.
 */
export function denseNudgedState(substrate: Substrate, free: Float64Array, target: ArrayLike<number>, beta: number): Float64Array {
  const { matrix, freeDofs } = substrate.hessian(free);
  const H = new Matrix(csrToDense(matrix));
  const O = denseReadout(substrate, freeDofs);
  const y = substrate.readout(free);
  const misfit = Matrix.columnVector(Array.from(y, (v, j) => target[j] - v));
  const delta = solve(H.add(O.transpose().mmul(O).mul(beta)), O.transpose().mmul(misfit).mul(beta));
  const s = Float64Array.from(free);
  freeDofs.forEach((d, i) => (s[d] += delta.get(i, 0)));
  return s;
}

/** ‖a − b‖∞ / ‖b‖∞. */
export function relativeMaxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    n = Math.max(n, Math.abs(b[i]));
  }
  return d / n;
}

export { logLogSlope } from '@multimech/core';
