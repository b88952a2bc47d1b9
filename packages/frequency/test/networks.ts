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

/**
 * A random 30-node RC network whose time constants are about x/ω₂ at
 * ω₂ = 2π·f₂: conductances in [0.5, 2] S and a node capacitance
 * x·[0.5, 1.5]/ω₂ F at every free node (the same network for every x).
 */
export function rcNetwork(x: number, f2 = 1700): ResistiveSubstrate {
  const rng = new Rng(5);
  const topology = randomTopology(30, 3.5, { inputs: 3, outputs: 2 }, rng);
  const m = topology.graph.from.length;
  const conductances = Float64Array.from({ length: m }, () => rng.uniform(0.5, 2));
  const ground = new Set(topology.groundNodes);
  const capacitors = [...Array(30).keys()]
    .filter((node) => !ground.has(node))
    .map((node) => ({ name: `C${node}`, node, capacitance: (x * rng.uniform(0.5, 1.5)) / (2 * Math.PI * f2) }));
  return resistiveFromTopology(topology, 'potential', { conductances, bounds: { min: 1e-6, max: 1e6 }, capacitors });
}
