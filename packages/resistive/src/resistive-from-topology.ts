import { MultimechError, Topology, boundaryFromTopology, uniformBounds } from '@multimech/core';
import { SolverOptions } from '@multimech/sparse';
import { CapacitorSpec, ResistiveSubstrate } from './resistive-substrate';

export interface TopologyOptions {
  /** One conductance per edge of the topology's graph. */
  readonly conductances: ArrayLike<number>;
  /** Bounds for every conductance. */
  readonly bounds: { readonly min: number; readonly max: number };
  readonly solver?: SolverOptions;
  /** Node capacitances to ground (default none). */
  readonly capacitors?: readonly CapacitorSpec[];
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
  const m = topology.graph.from.length;
  if (options.conductances.length !== m) {
    throw new MultimechError(`resistive network: expected ${m} conductances (one per edge), got ${options.conductances.length}`);
  }
  return new ResistiveSubstrate({
    graph: topology.graph,
    boundary: boundaryFromTopology(topology, inputType),
    conductances: options.conductances,
    bounds: uniformBounds(m, options.bounds.min, options.bounds.max),
    solver: options.solver,
    capacitors: options.capacitors,
  });
}
