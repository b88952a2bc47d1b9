import { Rng, randomTopology, type Drive } from '@multimech/core';
import { resistiveFromTopology, type ResistiveSubstrate } from '@multimech/resistive';

/** A random resistive network with its drive and target, for the frequency tests. */
export interface NetworkCase {
  readonly substrate: ResistiveSubstrate;
  readonly drive: Drive;
  readonly target: Float64Array;
}

/**
 * A connected random resistive network: conductances in [0.5, 2], input
 * values in [-1, 1], targets in [-0.5, 0.5] (so the loss is never zero).
 */
export function randomNetwork(
  seed: number,
  shape: { nodes: number; meanDegree: number; inputs: number; outputs: number; inputType: 'flow' | 'potential' },
): NetworkCase {
  const rng = new Rng(seed);
  const topology = randomTopology(shape.nodes, shape.meanDegree, { inputs: shape.inputs, outputs: shape.outputs }, rng);
  const m = topology.graph.from.length;
  const conductances = Float64Array.from({ length: m }, () => rng.uniform(0.5, 2));
  const substrate = resistiveFromTopology(topology, shape.inputType, { conductances, bounds: { min: 1e-6, max: 1e6 } });
  const drive = substrate.drive(Float64Array.from({ length: shape.inputs }, () => rng.uniform(-1, 1)));
  const target = Float64Array.from({ length: shape.outputs }, () => rng.uniform(-0.5, 0.5));
  return { substrate, drive, target };
}
