import { Boundary, Drive, Graph, InputPort, MultimechError, OutputPort } from '@multimech/core';

/**
 * An input port. `force`: a force of the port's value on `node` along
 * `axis`, and the opposite force on `ref` along the same axis when set (a
 * force dipole). `displacement`: the dof (node, axis) is held at its
 * reference position plus the port's value (an imposed position).
 * `strain`: a strained source pair; every dof of `a` and `b` is held, each
 * node moved by half the port's value along the pair's reference axis ê =
 * (X_b − X_a)/|X_b − X_a|, away from the other, so the pair's distance is
 * its reference distance plus the value (its extension, a length).
 */
export type ElasticInput =
  | { readonly type: 'force'; readonly node: number; readonly axis: number; readonly ref?: number; readonly name?: string }
  | { readonly type: 'displacement'; readonly node: number; readonly axis: number; readonly name?: string }
  | { readonly type: 'strain'; readonly a: number; readonly b: number; readonly name?: string };

/**
 * An output. `displacement`: x[node·dim + axis] minus its reference value.
 * `distance`: |x_a − x_b| minus the pair's reference distance (the change
 * of distance, the allostery form; a nonlinear readout).
 */
export type ElasticOutput =
  | { readonly type: 'displacement'; readonly node: number; readonly axis: number; readonly name?: string }
  | { readonly type: 'distance'; readonly a: number; readonly b: number; readonly name?: string };

const AXES = ['x', 'y', 'z'];

/** `name.x` for a dof (dof = node·dim + axis). */
export function dofName(graph: Graph, dim: number, dof: number): string {
  return `${graph.nodeNames[Math.floor(dof / dim)]}.${AXES[dof % dim]}`;
}

/**
 * Where a spring network is held and driven: the held dofs (pins first,
 * then displacement and strain inputs, each refused when held twice), the
 * free dofs, the input and output ports of its `Boundary`, and the drive
 * that port values impose. Dirichlet values in a Drive are absolute
 * positions: the reference position of each held dof, moved by the inputs
 * that hold it.
 */
export class ElasticBoundary {
  readonly boundary: Boundary;
  /** Pinned nodes. */
  readonly pins: readonly number[];
  readonly inputs: readonly ElasticInput[];
  readonly outputs: readonly ElasticOutput[];
  readonly freeDofs: Int32Array;
  /** freeIndex[dof] = row of the dof among the free ones, or -1 for a held dof. */
  readonly freeIndex: Int32Array;
  /** heldIndex[dof] = position of the dof among the held ones, or -1 for a free dof. */
  readonly heldIndex: Int32Array;
  readonly heldDofs: Int32Array;
  /** Per input: the held values it moves, fixed[index] += weight · value. */
  private readonly inputHolds: { readonly index: number; readonly weight: number }[][] = [];

  constructor(
    readonly graph: Graph,
    readonly dim: number,
    /** Reference positions, node-major. */
    readonly reference: Float64Array,
    pins: readonly number[],
    inputs: readonly ElasticInput[],
    outputs: readonly ElasticOutput[],
  ) {
    const d = dim;
    const dofs = reference.length;
    const heldIndex = new Int32Array(dofs).fill(-1);
    const held: number[] = [];
    const heldNames: string[] = [];
    const hold = (dof: number, name: string) => {
      if (heldIndex[dof] >= 0) throw new MultimechError(`dof ${this.dofName(dof)} is held twice (as '${heldNames[heldIndex[dof]]}' and '${name}')`);
      heldIndex[dof] = held.push(dof) - 1;
      heldNames.push(name);
      return heldIndex[dof];
    };
    this.pins = [...pins];
    for (const node of pins) {
      this.checkNode(node, 'pin');
      for (let a = 0; a < d; a++) hold(node * d + a, `pin:${this.dofName(node * d + a)}`);
    }
    this.inputs = inputs;
    const inputPorts: InputPort[] = this.inputs.map((p, i) => {
      this.inputHolds.push([]);
      if (p.type === 'strain') {
        this.checkNode(p.a, `input ${i}`);
        this.checkNode(p.b, `input ${i}`);
        const name = p.name ?? `e${i + 1}(${graph.nodeNames[p.a]},${graph.nodeNames[p.b]})`;
        if (p.a === p.b) throw new MultimechError(`input '${name}' strains node '${graph.nodeNames[p.a]}' against itself`);
        let len = 0;
        for (let a = 0; a < d; a++) len += (reference[p.b * d + a] - reference[p.a * d + a]) ** 2;
        len = Math.sqrt(len);
        for (let a = 0; a < d; a++) {
          const e = (reference[p.b * d + a] - reference[p.a * d + a]) / len;
          this.inputHolds[i].push({ index: hold(p.a * d + a, `${name}:${this.dofName(p.a * d + a)}`), weight: -e / 2 });
          this.inputHolds[i].push({ index: hold(p.b * d + a, `${name}:${this.dofName(p.b * d + a)}`), weight: e / 2 });
        }
        return { name, type: 'potential', node: p.b * d, dirichletIndex: this.inputHolds[i][1].index };
      }
      this.checkNode(p.node, `input ${i}`);
      this.checkAxis(p.axis, `input ${i}`);
      const dof = p.node * d + p.axis;
      if (p.type === 'force') {
        const name = p.name ?? `f${i + 1}`;
        if (p.ref === undefined) return { name, type: 'flow', node: dof };
        this.checkNode(p.ref, `input '${name}' ref`);
        if (p.ref === p.node) throw new MultimechError(`input '${name}' pushes node '${graph.nodeNames[p.node]}' against itself`);
        return { name, type: 'flow', node: dof, ref: p.ref * d + p.axis };
      }
      if (p.type !== 'displacement') throw new MultimechError(`input ${i}: type must be 'force' or 'displacement', got ${JSON.stringify((p as { type: unknown }).type)}`);
      const name = p.name ?? `u${i + 1}`;
      const index = hold(dof, name);
      this.inputHolds[i].push({ index, weight: 1 });
      return { name, type: 'potential', node: dof, dirichletIndex: index };
    });
    this.outputs = outputs;
    const outputPorts: OutputPort[] = this.outputs.map((o, i) => {
      if (o.type === 'displacement') {
        this.checkNode(o.node, `output ${i}`);
        this.checkAxis(o.axis, `output ${i}`);
        return { name: o.name ?? this.dofName(o.node * d + o.axis), node: o.node * d + o.axis };
      }
      if (o.type !== 'distance') throw new MultimechError(`output ${i}: type must be 'displacement' or 'distance', got ${JSON.stringify((o as { type: unknown }).type)}`);
      this.checkNode(o.a, `output ${i}`);
      this.checkNode(o.b, `output ${i}`);
      if (o.a === o.b) throw new MultimechError(`output ${i} measures the distance of node '${graph.nodeNames[o.a]}' to itself`);
      return { name: o.name ?? `d(${graph.nodeNames[o.a]},${graph.nodeNames[o.b]})`, node: o.a, ref: o.b };
    });
    this.heldDofs = Int32Array.from(held);
    this.heldIndex = heldIndex;
    this.boundary = { dirichlet: this.heldDofs, dirichletNames: heldNames, inputs: inputPorts, outputs: outputPorts };
    this.freeIndex = new Int32Array(dofs).fill(-1);
    const free: number[] = [];
    for (let i = 0; i < dofs; i++) if (heldIndex[i] < 0) this.freeIndex[i] = free.push(i) - 1;
    this.freeDofs = Int32Array.from(free);
  }

  /** `name.x` for a dof. */
  dofName(dof: number): string {
    return dofName(this.graph, this.dim, dof);
  }

  private checkNode(node: number, what: string): void {
    if (!(Number.isInteger(node) && node >= 0 && node < this.graph.nodeNames.length)) {
      throw new MultimechError(`${what}: node index ${node} is unknown (there are ${this.graph.nodeNames.length} nodes)`);
    }
  }

  private checkAxis(axis: number, what: string): void {
    if (!(Number.isInteger(axis) && axis >= 0 && axis < this.dim)) {
      throw new MultimechError(`${what}: axis must be 0..${this.dim - 1} in ${this.dim}-D, got ${axis}`);
    }
  }

  /** The drive that port values impose: forces at their dofs, held dofs at their reference positions moved by the inputs that hold them. */
  drive(values: ArrayLike<number>): Drive {
    const ports = this.boundary.inputs;
    if (values.length !== ports.length) {
      throw new MultimechError(`expected ${ports.length} input values (${ports.map((p) => p.name).join(', ')}), got ${values.length}`);
    }
    const injection = new Float64Array(this.reference.length);
    const fixed = Float64Array.from(this.heldDofs, (dof) => this.reference[dof]);
    ports.forEach((port, i) => {
      const v = values[i];
      if (!Number.isFinite(v)) throw new MultimechError(`input '${port.name}' is not finite (${v})`);
      if (port.type === 'flow') {
        injection[port.node] += v;
        if (port.ref !== undefined) injection[port.ref] -= v;
      } else for (const { index, weight } of this.inputHolds[i]) fixed[index] += weight * v;
    });
    return { injection, fixed };
  }

  /** The state with free dofs from x and held dofs from `fixed`. */
  scatter(x: Float64Array, fixed: ArrayLike<number>): Float64Array {
    const s = new Float64Array(this.reference.length);
    this.freeDofs.forEach((dof, i) => (s[dof] = x[i]));
    this.heldDofs.forEach((dof, i) => (s[dof] = fixed[i]));
    return s;
  }

  /** The free dofs of a force (one value per dof); `what` names the caller in the message for a wrong length. */
  onFreeDofs(f: Float64Array, what: string): Float64Array {
    if (f.length !== this.reference.length) throw new MultimechError(`${what}: expected a force of ${this.reference.length} dof values, got ${f.length}`);
    return Float64Array.from(this.freeDofs, (dof) => f[dof]);
  }

  /** A field on every dof from its free values (zero on held dofs). */
  fromFreeDofs(x: Float64Array): Float64Array {
    const u = new Float64Array(this.reference.length);
    this.freeDofs.forEach((dof, i) => (u[dof] = x[i]));
    return u;
  }
}
