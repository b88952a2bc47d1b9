import { MultimechError, OutputPort, OutputProblem, OutputSpec, PortNaming, Topology, boundaryFromTopology, nodeIndex, outputPortProblems } from '@multimech/core';
import { SolverOptions } from '@multimech/sparse';
import { FlowParameter, FlowSubstrate } from './flow-substrate';

/** An output: a node's pressure, or the difference of two nodes' pressures `[a, b]` = p(a) − p(b). */
export type FlowOutputSpec = OutputSpec;

export interface FlowTopologyOptions {
  /** What `initial` and the bounds are: hydraulic conductances k or tube radii r. */
  readonly parameter: FlowParameter;
  /** Initial parameter of each tube (one per edge of the topology's graph). */
  readonly initial: ArrayLike<number>;
  /** Viscosity μ, one for every tube or one per tube (default 1). */
  readonly viscosity?: number | ArrayLike<number>;
  /** Tube length L, one for every tube or one per tube (default 1). */
  readonly length?: number | ArrayLike<number>;
  /** Bounds of the parameter: the same for every tube, or one per tube. */
  readonly bounds: { readonly min: number | ArrayLike<number>; readonly max: number | ArrayLike<number> };
  /** Outputs by node name, replacing the topology's output nodes (for difference targets). */
  readonly outputs?: readonly FlowOutputSpec[];
  /**
   * What to do with the problems of `outputs` (on a reservoir or a pressure
   * input, repeated or reversed, a difference of held nodes): report them in
   * the caller's terms (a config key) by throwing, or return to accept the
   * network as it is. Without it the first is thrown as a MultimechError.
   */
  readonly onOutputProblems?: (problems: readonly OutputProblem[]) => void;
  readonly solver?: SolverOptions;
}

/** Flow ports `Q1, Q2, …`, pressure ports `P1, P2, …`, the reference reservoir `reservoir`. */
export const flowPortNaming: PortNaming = {
  input: (i, type) => (type === 'flow' ? `Q${i + 1}` : `P${i + 1}`),
  ground: (i, count) => (count === 1 ? 'reservoir' : `reservoir${i}`),
};

/** The name of an output port: the node name, or `p(a,b)` for a difference. */
export function flowOutputName(spec: FlowOutputSpec): string {
  return typeof spec === 'string' ? spec : `p(${spec[0]},${spec[1]})`;
}

/**
 * A flow network on a generated topology (core's grid, random or layered
 * generators). Its ground nodes are reservoirs at the reference pressure 0.
 * With `potential` inputs each input node is a pressure reservoir whose
 * pressure is the port's value (ports `P1`, `P2`, …); with `flow` inputs each
 * port (`Q1`, …) injects its volume flow at the input node and withdraws it
 * at the first reservoir. Outputs are the topology's output nodes, named
 * after them, unless `outputs` names nodes or pairs of nodes; those must
 * not be reservoirs or pressure inputs (held), nor repeat one another.
 */
export function flowFromTopology(topology: Topology, inputType: 'flow' | 'potential', options: FlowTopologyOptions): FlowSubstrate {
  const { graph } = topology;
  const m = graph.from.length;
  if (options.initial.length !== m) {
    throw new MultimechError(`flow network: expected ${m} initial ${options.parameter} values (one per tube), got ${options.initial.length}`);
  }
  const boundary = boundaryFromTopology(topology, inputType, flowPortNaming);
  const outputs: readonly OutputPort[] = options.outputs
    ? options.outputs.map((spec) => {
        if (typeof spec === 'string') return { name: flowOutputName(spec), node: nodeIndex(graph, spec) };
        if (spec[0] === spec[1]) throw new MultimechError(`output ${flowOutputName(spec)} compares node '${spec[0]}' with itself`);
        return { name: flowOutputName(spec), node: nodeIndex(graph, spec[0]), ref: nodeIndex(graph, spec[1]) };
      })
    : boundary.outputs;
  if (options.outputs) {
    // a target on a reservoir or on a pressure input can never be reached; two targets on one pressure conflict
    const held = (d: number) => (d < topology.groundNodes.length ? `the reservoir '${boundary.dirichletNames[d]}'` : `the pressure input '${boundary.dirichletNames[d]}'`);
    const problems = outputPortProblems({ ...boundary, outputs }, graph.nodeNames, held);
    if (problems.length > 0) {
      if (!options.onOutputProblems) throw new MultimechError(`flow network: output ${problems[0].message}`);
      options.onOutputProblems(problems);
    }
  }
  return new FlowSubstrate({
    graph,
    boundary: { ...boundary, outputs },
    parameter: options.parameter,
    parameters: options.initial,
    viscosity: options.viscosity,
    length: options.length,
    bounds: {
      min: typeof options.bounds.min === 'number' ? new Float64Array(m).fill(options.bounds.min) : Float64Array.from(options.bounds.min),
      max: typeof options.bounds.max === 'number' ? new Float64Array(m).fill(options.bounds.max) : Float64Array.from(options.bounds.max),
    },
    solver: options.solver,
  });
}
