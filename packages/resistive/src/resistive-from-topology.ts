import { Boundary, InputPort, MultimechError, OutputPort, SolverOptions, Topology } from '@multimech/core';
import { ResistiveSubstrate } from './resistive-substrate';

export interface TopologyOptions {
  /** One conductance per edge of the topology's graph. */
  readonly conductances: ArrayLike<number>;
  /** Bounds for every conductance. */
  readonly bounds: { readonly min: number; readonly max: number };
  readonly solver?: SolverOptions;
}

/**
 * A resistive substrate on a generated topology (core's grid, random or
 * layered generators). The topology's ground nodes are held at 0. With
 * `potential` inputs each input node is held by a voltage source (port
 * `V1`, `V2`, ...); with `flow` inputs a current source (port `I1`, ...)
 * injects its value at the input node and withdraws it at the first ground
 * node. Outputs are the topology's output nodes, named after them.
 */
export function resistiveFromTopology(topology: Topology, inputType: 'flow' | 'potential', options: TopologyOptions): ResistiveSubstrate {
  const { graph } = topology;
  if (topology.groundNodes.length === 0) throw new MultimechError('resistive network: the topology has no ground node');
  const dirichlet = [...topology.groundNodes];
  const dirichletNames = topology.groundNodes.map((_, i) => (topology.groundNodes.length === 1 ? 'gnd' : `gnd${i}`));
  const inputs: InputPort[] = topology.inputNodes.map((node, i) => {
    if (inputType === 'flow') return { name: `I${i + 1}`, type: 'flow', node, ref: topology.groundNodes[0] };
    dirichlet.push(node);
    dirichletNames.push(`V${i + 1}`);
    return { name: `V${i + 1}`, type: 'potential', node, dirichletIndex: dirichlet.length - 1 };
  });
  const outputs: OutputPort[] = topology.outputNodes.map((node) => ({ name: graph.nodeNames[node], node }));
  const boundary: Boundary = { dirichlet: Int32Array.from(dirichlet), dirichletNames, inputs, outputs };
  const m = graph.from.length;
  if (options.conductances.length !== m) {
    throw new MultimechError(`resistive network: expected ${m} conductances (one per edge), got ${options.conductances.length}`);
  }
  return new ResistiveSubstrate({
    graph,
    boundary,
    conductances: options.conductances,
    bounds: { min: new Float64Array(m).fill(options.bounds.min), max: new Float64Array(m).fill(options.bounds.max) },
    solver: options.solver,
  });
}
