import { MultimechError, OutputPort, OutputProblem, OutputSpec, Topology, boundaryFromTopology, nodeIndex, outputPortProblems } from '@multimech/core';
import { SolverOptions } from '@multimech/sparse';
import { outputName } from './resistive-from-netlist';
import { CapacitorSpec, ResistiveSubstrate } from './resistive-substrate';

export interface TopologyOptions {
  /** One conductance per edge of the topology's graph. */
  readonly conductances: ArrayLike<number>;
  /** Bounds of the conductances: the same for every one, or one per edge. */
  readonly bounds: { readonly min: number | ArrayLike<number>; readonly max: number | ArrayLike<number> };
  /** Outputs by node name or pair `[a, b]` (`V(a) − V(b)`), replacing the topology's output nodes. */
  readonly outputs?: readonly OutputSpec[];
  /**
   * What to do with the problems of `outputs` (on ground or on a node a
   * voltage source holds, repeated or reversed, a difference of held
   * nodes): report them in the caller's terms by throwing, or return to
   * accept the network. Without it the first is thrown as a MultimechError.
   */
  readonly onOutputProblems?: (problems: readonly OutputProblem[]) => void;
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
 * node. Outputs are the topology's output nodes, named after them, unless
 * `outputs` names nodes or pairs of nodes (`v(a,b)`).
 */
export function resistiveFromTopology(topology: Topology, inputType: 'flow' | 'potential', options: TopologyOptions): ResistiveSubstrate {
  const m = topology.graph.from.length;
  if (options.conductances.length !== m) {
    throw new MultimechError(`resistive network: expected ${m} conductances (one per edge), got ${options.conductances.length}`);
  }
  const { graph } = topology;
  const boundary = boundaryFromTopology(topology, inputType);
  const outputs: readonly OutputPort[] = options.outputs
    ? options.outputs.map((spec) =>
        typeof spec === 'string' ? { name: outputName(spec), node: nodeIndex(graph, spec) } : { name: outputName(spec), node: nodeIndex(graph, spec[0]), ref: nodeIndex(graph, spec[1]) },
      )
    : boundary.outputs;
  if (options.outputs) {
    // a target on ground or on a node a source holds can never be reached; two targets on one voltage conflict
    const held = (d: number) => (d < topology.groundNodes.length ? `ground ('${boundary.dirichletNames[d]}')` : `voltage source '${boundary.dirichletNames[d]}'`);
    const problems = outputPortProblems({ ...boundary, outputs }, graph.nodeNames, held);
    if (problems.length > 0) {
      if (!options.onOutputProblems) throw new MultimechError(`resistive network: output ${problems[0].message}`);
      options.onOutputProblems(problems);
    }
  }
  const perEdge = (b: number | ArrayLike<number>) => (typeof b === 'number' ? new Float64Array(m).fill(b) : Float64Array.from(b));
  return new ResistiveSubstrate({
    graph,
    boundary: { ...boundary, outputs },
    conductances: options.conductances,
    bounds: { min: perEdge(options.bounds.min), max: perEdge(options.bounds.max) },
    solver: options.solver,
    capacitors: options.capacitors,
  });
}
