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
