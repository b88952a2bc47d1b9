/**
 * Where a network meets the outside world. Dirichlet dofs (ground, voltage
 * or pressure sources, pinned positions) are removed from the unknowns; input
 * ports carry the drive; output ports are what the loss reads.
 */
export interface Boundary {
  /** Dofs held at imposed values, in a fixed order. */
  readonly dirichlet: Int32Array;
  /** A name per Dirichlet dof (`gnd`, `V1`, `in0`), for messages. */
  readonly dirichletNames: readonly string[];
  /** The drive's input ports, in the order an example's input vector uses. */
  readonly inputs: readonly InputPort[];
  /** The output ports, in the order targets and the loss use. */
  readonly outputs: readonly OutputPort[];
}

/**
 * An input port. A `flow` port injects its value at `node` (a current, a
 * volume flow, a force) and withdraws it at `ref` when `ref` is set. A
 * `potential` port holds Dirichlet dof number `dirichletIndex` at its value
 * (a voltage or pressure source; an imposed position).
 */
export type InputPort =
  | { readonly name: string; readonly type: 'flow'; readonly node: number; readonly ref?: number }
  | { readonly name: string; readonly type: 'potential'; readonly node: number; readonly dirichletIndex: number };

/** An output port: the value at `node`, minus the value at `ref` when set (a difference target). */
export interface OutputPort {
  readonly name: string;
  readonly node: number;
  readonly ref?: number;
}

/**
 * What drives a network: an injection per dof (current sources) and a value
 * per Dirichlet dof. Drives add and scale, which is how several signals share
 * one network.
 */
export interface Drive {
  readonly injection: Float64Array;
  readonly fixed: Float64Array;
}

export function zeroDrive(dofs: number, fixed: number): Drive {
  return { injection: new Float64Array(dofs), fixed: new Float64Array(fixed) };
}

/** a*x + b*y, a new drive. */
export function combineDrives(a: number, x: Drive, b: number, y: Drive): Drive {
  const injection = new Float64Array(x.injection.length);
  for (let i = 0; i < injection.length; i++) injection[i] = a * x.injection[i] + b * y.injection[i];
  const fixed = new Float64Array(x.fixed.length);
  for (let i = 0; i < fixed.length; i++) fixed[i] = a * x.fixed[i] + b * y.fixed[i];
  return { injection, fixed };
}

/** The drive that input values impose on scalar-potential ports (one dof per node). */
export function driveFromInputs(boundary: Boundary, dofs: number, values: ArrayLike<number>, base?: Drive): Drive {
  const drive = base
    ? { injection: Float64Array.from(base.injection), fixed: Float64Array.from(base.fixed) }
    : zeroDrive(dofs, boundary.dirichlet.length);
  boundary.inputs.forEach((port, i) => {
    const v = values[i];
    if (port.type === 'flow') {
      drive.injection[port.node] += v;
      if (port.ref !== undefined) drive.injection[port.ref] -= v;
    } else {
      drive.fixed[port.dirichletIndex] = v;
    }
  });
  return drive;
}

/** Output values of a scalar node field: s[node] - s[ref]. */
export function readScalarOutputs(boundary: Boundary, field: ArrayLike<number>): Float64Array {
  const y = new Float64Array(boundary.outputs.length);
  boundary.outputs.forEach((o, i) => {
    y[i] = field[o.node] - (o.ref !== undefined ? field[o.ref] : 0);
  });
  return y;
}

/**
 * The error force e = -dC/ds on a scalar node field, given dC/dy at the
 * outputs (the transpose of the readout).
 */
export function scalarOutputForce(boundary: Boundary, dofs: number, dCdy: ArrayLike<number>): Float64Array {
  const e = new Float64Array(dofs);
  boundary.outputs.forEach((o, i) => {
    e[o.node] -= dCdy[i];
    if (o.ref !== undefined) e[o.ref] += dCdy[i];
  });
  return e;
}

/** A problem with one output port, at its index among the outputs. */
export interface OutputProblem {
  readonly index: number;
  /** What is wrong: on a held node (`dirichletIndex` says which hold), a difference of two held nodes or of a node with itself, a repeat of an earlier output or its reverse. */
  readonly kind: 'held' | 'held-difference' | 'self' | 'repeated' | 'reversed';
  /** For `held`: the Dirichlet dof that holds the node. */
  readonly dirichletIndex?: number;
  readonly message: string;
}

/**
 * What is wrong with output ports that a user named (a netlist's outputs, a
 * flow network's `outputs`), each at its index, its message naming the
 * port (`'a' is held by ...`):
 * - a port on a node the boundary holds (ground, a source): its value is
 *   imposed, so no training can bring it to a target;
 * - a difference of two held nodes (imposed too), or of a node with itself;
 * - a port that repeats an earlier one, or reverses it: two targets on one
 *   value (or on its negative) that the loss cannot both meet.
 * `holder(d)` names what holds Dirichlet dof number d (`ground`,
 * `voltage source 'V1' (line 2)`); by default its name in `dirichletNames`.
 */
export function outputPortProblems(
  boundary: Boundary,
  nodeNames: readonly string[],
  holder: (dirichletIndex: number) => string = (d) => `'${boundary.dirichletNames[d]}'`,
): OutputProblem[] {
  const heldBy = new Map<number, number>();
  boundary.dirichlet.forEach((node, d) => {
    if (!heldBy.has(node)) heldBy.set(node, d);
  });
  const problems: OutputProblem[] = [];
  const seen = new Map<string, number>();
  boundary.outputs.forEach((port, index) => {
    const a = port.node;
    const b = port.ref;
    if (b === undefined) {
      const d = heldBy.get(a);
      if (d !== undefined) {
        problems.push({
          index,
          kind: 'held',
          dirichletIndex: d,
          message: `'${port.name}' is held by ${holder(d)}: its value is imposed, so no training can bring it to a target; choose a node the network is free to move`,
        });
      }
    } else if (a === b) {
      problems.push({ index, kind: 'self', message: `'${port.name}' compares node '${nodeNames[a]}' with itself` });
    } else {
      const [da, db] = [heldBy.get(a), heldBy.get(b)];
      if (da !== undefined && db !== undefined) {
        problems.push({
          index,
          kind: 'held-difference',
          message: `both nodes of '${port.name}' are held ('${nodeNames[a]}' by ${holder(da)}, '${nodeNames[b]}' by ${holder(db)}): their difference is imposed, so no training can bring it to a target`,
        });
      }
    }
    const key = b === undefined ? `${a}` : `${a},${b}`;
    const reversed = b === undefined ? undefined : `${b},${a}`;
    const first = seen.get(key);
    const mirror = reversed === undefined ? undefined : seen.get(reversed);
    if (first !== undefined) {
      problems.push({ index, kind: 'repeated', message: `'${port.name}' repeats outputs[${first}] ('${boundary.outputs[first].name}'): two targets on one value; give each output once` });
    } else if (mirror !== undefined && a !== b) {
      problems.push({ index, kind: 'reversed', message: `'${port.name}' is outputs[${mirror}] ('${boundary.outputs[mirror].name}') reversed: two targets on one value; give each output once` });
    }
    if (!seen.has(key)) seen.set(key, index);
  });
  return problems;
}
