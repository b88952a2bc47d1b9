import { MultimechError } from '../support/errors';
import { Graph, connectedComponents } from '../graph/graph';
import { CsrMatrix, edgePattern } from '@multimech/sparse';
import type { FixedElement } from './two-terminal-law';

/**
 * Where the unknowns of a scalar network are and where each edge writes in
 * its Hessian: the free nodes (every node that no Dirichlet value holds),
 * and the CSR pattern of H on them, built once, with the four value slots
 * each edge and each fixed element writes. It refuses a node held twice, an
 * element that names a node that does not exist or joins a node to itself,
 * and nodes with no path to a held node (H would be singular).
 */
export class ScalarPattern {
  /** freeIndex[node] = row of the node in H, or -1 for a Dirichlet node. */
  readonly freeIndex: Int32Array;
  /** freeNodes[row] = node of that row. */
  readonly freeNodes: Int32Array;
  /** dirichletIndex[node] = position in the Dirichlet list, or -1. */
  readonly dirichletIndex: Int32Array;
  /** H's pattern on the free nodes; its values are the assembly's to write. */
  readonly matrix: CsrMatrix;
  /** Per edge: slots of (a,a), (b,b), (a,b), (b,a) in matrix.values, -1 when absent. */
  readonly edgeSlots: Int32Array;
  /** Per element: slots as for edges. */
  readonly elementSlots: Int32Array;

  constructor(
    readonly graph: Graph,
    readonly dirichlet: Int32Array,
    readonly elements: readonly FixedElement[],
  ) {
    const n = graph.nodeNames.length;
    this.dirichletIndex = new Int32Array(n).fill(-1);
    dirichlet.forEach((node, i) => {
      if (this.dirichletIndex[node] >= 0) throw new MultimechError(`node '${graph.nodeNames[node]}' is held twice`);
      this.dirichletIndex[node] = i;
    });
    this.freeIndex = new Int32Array(n).fill(-1);
    const free: number[] = [];
    for (let i = 0; i < n; i++) if (this.dirichletIndex[i] < 0) this.freeIndex[i] = free.push(i) - 1;
    this.freeNodes = Int32Array.from(free);
    this.checkElements();
    this.checkGrounded();

    const m = graph.from.length;
    const pattern = edgePattern(
      free.length,
      this.freeIndex,
      [...graph.from, ...elements.map((e) => e.from)],
      [...graph.to, ...elements.map((e) => e.to)],
    );
    this.matrix = pattern.matrix;
    this.edgeSlots = pattern.slots.subarray(0, 4 * m);
    this.elementSlots = pattern.slots.subarray(4 * m);
  }

  private checkElements(): void {
    const n = this.graph.nodeNames.length;
    const names = new Set(this.graph.edgeNames);
    for (const e of this.elements) {
      if (names.has(e.name)) throw new MultimechError(`duplicate element name '${e.name}'`);
      names.add(e.name);
      for (const end of [e.from, e.to]) {
        if (!Number.isInteger(end) || end < 0 || end >= n) {
          throw new MultimechError(`element '${e.name}' refers to node index ${end}, but there are ${n} nodes`);
        }
      }
      if (e.from === e.to) throw new MultimechError(`element '${e.name}' joins node '${this.graph.nodeNames[e.from]}' to itself`);
    }
  }

  private checkGrounded(): void {
    const g = this.graph;
    const withElements: Graph =
      this.elements.length > 0
        ? {
            nodeNames: g.nodeNames,
            edgeNames: [...g.edgeNames, ...this.elements.map((e) => e.name)],
            from: Int32Array.from([...g.from, ...this.elements.map((e) => e.from)]),
            to: Int32Array.from([...g.to, ...this.elements.map((e) => e.to)]),
          }
        : g;
    const comp = connectedComponents(withElements);
    const held = new Set<number>();
    for (const d of this.dirichlet) held.add(comp[d]);
    const floating: string[] = [];
    for (let i = 0; i < comp.length; i++) if (!held.has(comp[i])) floating.push(this.graph.nodeNames[i]);
    if (floating.length > 0) {
      const list = floating.slice(0, 10).join(', ') + (floating.length > 10 ? `, ... (${floating.length} in all)` : '');
      throw new MultimechError(`no path to ground (or to any source that holds a value) from node(s) ${list}`);
    }
  }

  /** The node field with the free values x and, when given, the Dirichlet values `fixed` (zero there otherwise). */
  scatter(x: Float64Array, fixed: ArrayLike<number> | undefined): Float64Array {
    const s = new Float64Array(this.graph.nodeNames.length);
    for (let r = 0; r < x.length; r++) s[this.freeNodes[r]] = x[r];
    if (fixed) this.dirichlet.forEach((node, i) => (s[node] = fixed[i]));
    return s;
  }

  /** The free rows of a node field. */
  gather(field: ArrayLike<number>): Float64Array {
    return Float64Array.from(this.freeNodes, (node) => field[node]);
  }
}
