import { Boundary, EquilibriumOptions, InputFileError, InputPort, MultimechError, OutputPort, OutputProblem, OutputSpec, createGraph, outputPortProblems } from '@multimech/core';
import { SolverOptions } from '@multimech/sparse';
import { FixedElement } from '@multimech/core';
import { GROUND, Netlist, ValuedElement, normalizeNode } from './netlist';
import { netlistLaw } from './netlist-law';
import { CapacitorSpec, DiodeSpec, ResistiveSubstrate } from './resistive-substrate';

export interface NetlistOptions {
  /** File name for messages (default `netlist`). */
  readonly file?: string;
  /** Output ports by node name, in loss order. Default: none. */
  readonly outputs?: readonly OutputSpec[];
  /** Conductance bounds for every resistor. Default: [1e-3·min g, 1e3·max g]. */
  readonly bounds?: { readonly min: number; readonly max: number };
  readonly solver?: SolverOptions;
  /** Conductance in parallel with every diode and behavioural element (default 1e-12 S, SPICE's gmin). */
  readonly gmin?: number;
  /** Newton settings of the equilibrium when there are diodes. */
  readonly newton?: EquilibriumOptions;
  /**
   * What to do with the problems of the outputs (on ground or on a node a
   * voltage source holds, repeated or reversed, a difference of held nodes
   * or of a node with itself): report them in the caller's terms (a config
   * key) by throwing, or return to accept the network as it is. Without it
   * the first is thrown as a MultimechError naming the file: outputs are
   * targets.
   */
  readonly onOutputProblems?: (problems: readonly OutputProblem[]) => void;
}

/** The name of an output port: the node name, or `v(a,b)` for a difference. */
export function outputName(spec: OutputSpec): string {
  return typeof spec === 'string' ? spec : `v(${spec[0]},${spec[1]})`;
}

/**
 * A resistive substrate from a netlist. Every resistor is a trainable edge
 * (θ = 1/R). Ground (`0`) is a Dirichlet node; each voltage source must have
 * one terminal at ground and holds its other node (a Dirichlet node and a
 * potential input port whose value is that node's voltage, so `V1 0 a 5`
 * gives port value −5); each current source is a flow input port
 * `{ node: the node its current enters, ref: the node it leaves }`. Ports are
 * in netlist order, and `defaultInputs` holds the netlist's source values.
 * Each diode `D name anode cathode model` is a fixed Shockley element with
 * its `.model`'s IS and N (and gmin in parallel); with any, the substrate is
 * nonlinear. Each behavioural element `B name a b I={expression}` is a fixed
 * element with core's `expressionLaw` (the netlist's `.param` values, its
 * law range) and gmin in parallel; with any, the substrate is nonlinear too. Each capacitor `C name a b value` must have one terminal at
 * ground (a node capacitance; a floating capacitor is refused, naming its
 * line); with any, the substrate has 'dynamics'. Outputs on ground or on a
 * node a voltage source holds, repeated outputs and differences of two held
 * nodes are refused, naming the node and the source (`onOutputProblems`).
 */
export function resistiveFromNetlist(netlist: Netlist, options: NetlistOptions = {}): ResistiveSubstrate {
  const file = options.file ?? 'netlist';
  const nodeNames: string[] = [];
  const index = new Map<string, number>();
  const node = (name: string) => {
    let i = index.get(name);
    if (i === undefined) {
      i = nodeNames.push(name) - 1;
      index.set(name, i);
    }
    return i;
  };
  for (const e of netlist.elements) for (const n of e.nodes) node(n);
  const resistors = netlist.elements.filter((e): e is ValuedElement => e.kind === 'R');
  if (resistors.length === 0) throw new InputFileError(file, undefined, 'the netlist has no resistors (nothing to train)');
  if (!index.has(GROUND)) throw new InputFileError(file, undefined, 'the netlist has no ground node (name one node 0 or gnd)');

  const graph = createGraph(
    nodeNames,
    resistors.map((e) => ({ name: e.name, from: index.get(e.nodes[0])!, to: index.get(e.nodes[1])! })),
  );
  const dirichlet = [index.get(GROUND)!];
  const dirichletNames = ['gnd'];
  const heldBy = new Map<number, string>();
  const sourceLine = new Map<string, number>();
  const inputs: InputPort[] = [];
  const defaults: number[] = [];
  const capacitors: CapacitorSpec[] = [];
  for (const e of netlist.elements) {
    if (e.kind === 'C') {
      if (e.nodes[0] !== GROUND && e.nodes[1] !== GROUND) {
        throw new InputFileError(
          file,
          e.line,
          `capacitor '${e.name}' floats between '${e.nodes[0]}' and '${e.nodes[1]}': only node capacitances are supported; connect one terminal to ground (0)`,
        );
      }
      capacitors.push({ name: e.name, node: index.get(e.nodes[0] === GROUND ? e.nodes[1] : e.nodes[0])!, capacitance: e.value });
      continue;
    }
    const [a, b] = e.nodes.map((n) => index.get(n)!);
    if (e.kind === 'I') {
      inputs.push({ name: e.name, type: 'flow', node: b, ref: a });
      defaults.push(e.value);
    } else if (e.kind === 'V') {
      if (e.nodes[0] !== GROUND && e.nodes[1] !== GROUND) {
        throw new InputFileError(
          file,
          e.line,
          `voltage source '${e.name}' floats between '${e.nodes[0]}' and '${e.nodes[1]}': floating voltage sources are not supported; connect one terminal to ground (0)`,
        );
      }
      const held = e.nodes[0] === GROUND ? b : a;
      const other = heldBy.get(held);
      if (other !== undefined) {
        throw new InputFileError(file, e.line, `voltage sources '${other}' and '${e.name}' both hold node '${nodeNames[held]}'`);
      }
      heldBy.set(held, e.name);
      sourceLine.set(e.name, e.line);
      inputs.push({ name: e.name, type: 'potential', node: held, dirichletIndex: dirichlet.length });
      dirichlet.push(held);
      dirichletNames.push(e.name);
      defaults.push(e.nodes[0] === GROUND ? -e.value : e.value);
    }
  }

  const lookup = (name: string): number => {
    const i = index.get(normalizeNode(name));
    if (i === undefined) {
      const known = nodeNames.slice(0, 20).join(', ') + (nodeNames.length > 20 ? ', ...' : '');
      throw new MultimechError(`${file}: output node '${name}' is not in the netlist (nodes: ${known})`);
    }
    return i;
  };
  const outputs: OutputPort[] = (options.outputs ?? []).map((spec) =>
    typeof spec === 'string'
      ? { name: outputName(spec), node: lookup(spec) }
      : { name: outputName(spec), node: lookup(spec[0]), ref: lookup(spec[1]) },
  );
  const boundary: Boundary = { dirichlet: Int32Array.from(dirichlet), dirichletNames, inputs, outputs };
  // a target on ground or on a node a source holds can never be reached; two targets on one voltage conflict
  const problems = outputPortProblems(boundary, nodeNames, (d) => (d === 0 ? 'ground' : `voltage source '${dirichletNames[d]}' (line ${sourceLine.get(dirichletNames[d])})`));
  if (problems.length > 0) {
    if (!options.onOutputProblems) throw new MultimechError(`${file}: output ${problems[0].message}`);
    options.onOutputProblems(problems);
  }

  const g = resistors.map((e) => 1 / e.value);
  const lo = options.bounds?.min ?? 1e-3 * g.reduce((a, b) => Math.min(a, b));
  const hi = options.bounds?.max ?? 1e3 * g.reduce((a, b) => Math.max(a, b));
  if (options.bounds) {
    resistors.forEach((e, k) => {
      if (g[k] < lo || g[k] > hi) {
        throw new InputFileError(file, e.line, `conductance of '${e.name}' (1/${e.value} ohm = ${g[k]} S) lies outside the bounds [${lo}, ${hi}]`);
      }
    });
  }
  const m = g.length;
  const models = new Map((netlist.models ?? []).map((model) => [model.name.toLowerCase(), model]));
  const diodes: DiodeSpec[] = netlist.elements.flatMap((e) => {
    if (e.kind !== 'D') return [];
    const model = models.get(e.model.toLowerCase());
    if (!model) throw new InputFileError(file, e.line, `diode '${e.name}' names model '${e.model}', which no .model card defines`);
    return [{ name: e.name, anode: index.get(e.nodes[0])!, cathode: index.get(e.nodes[1])!, model }];
  });
  const laws: FixedElement[] = netlist.elements.flatMap((e) =>
    e.kind === 'B'
      ? [{ name: e.name, from: index.get(e.nodes[0])!, to: index.get(e.nodes[1])!, law: netlistLaw(netlist, e, file), source: `${file}:${e.line}` }]
      : [],
  );
  try {
    return new ResistiveSubstrate({
      diodes,
      laws,
      capacitors,
      gmin: options.gmin,
      newton: options.newton,
      graph,
      boundary,
      conductances: g,
      bounds: { min: new Float64Array(m).fill(lo), max: new Float64Array(m).fill(hi) },
      solver: options.solver,
      defaultInputs: defaults,
    });
  } catch (e) {
    // e.g. ScalarNetwork's "no path to ground ... from node(s) a, b": say which file.
    if (e instanceof MultimechError && !(e instanceof InputFileError)) throw new InputFileError(file, undefined, e.message);
    throw e;
  }
}
