import {
  Rng,
  adjointError,
  dcActivation,
  exampleGradient,
  mseLoss,
  productRule,
  randomTopology,
  type Drive,
  type ErrorMechanism,
  type ExampleGradient,
  type Loss,
} from '@multimech/core';
import { flowFromTopology, type FlowParameter, type FlowSubstrate } from '@multimech/flow';

/** A random flow network with its drive and target, for the chemical tests. */
export interface FlowCase {
  readonly substrate: FlowSubstrate;
  readonly drive: Drive;
  readonly target: Float64Array;
}

export interface FlowShape {
  readonly nodes: number;
  readonly meanDegree: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly inputType: 'flow' | 'potential';
  readonly parameter?: FlowParameter;
  /** Initial parameters uniform in this range (default [0.5, 2]). */
  readonly spread?: readonly [number, number];
}

/**
 * A connected random flow network: parameters uniform in `spread`, input
 * values in [-1, 1], targets in [-0.5, 0.5] (so the loss is never zero).
 */
export function randomFlowNetwork(seed: number, shape: FlowShape): FlowCase {
  const rng = new Rng(seed);
  const topology = randomTopology(shape.nodes, shape.meanDegree, { inputs: shape.inputs, outputs: shape.outputs }, rng);
  const m = topology.graph.from.length;
  const [lo, hi] = shape.spread ?? [0.5, 2];
  const initial = Float64Array.from({ length: m }, () => rng.uniform(lo, hi));
  const substrate = flowFromTopology(topology, shape.inputType, {
    parameter: shape.parameter ?? 'conductance',
    initial,
    bounds: { min: 1e-6, max: 1e6 },
  });
  const drive = substrate.drive(Float64Array.from({ length: shape.inputs }, () => rng.uniform(-1, 1)));
  const target = Float64Array.from({ length: shape.outputs }, () => rng.uniform(-0.5, 0.5));
  return { substrate, drive, target };
}

/** One example through DC activation, an error mechanism and the product rule. */
export function gradientOf(c: FlowCase, error: ErrorMechanism, loss: Loss = mseLoss): ExampleGradient {
  return exampleGradient({ substrate: c.substrate, activation: dcActivation, error, rule: productRule, loss, rng: new Rng(0) }, c.drive, c.target);
}

/** The exact gradient (core's adjoint), the reference. */
export function adjointGradient(c: FlowCase, loss: Loss = mseLoss): Float64Array {
  return gradientOf(c, adjointError, loss).gradient;
}
