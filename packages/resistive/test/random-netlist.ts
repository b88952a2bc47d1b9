import { Drive, Rng, randomTopology } from '@multimech/core';
import { Matrix, solve } from 'ml-matrix';
import { Netlist, ResistiveSubstrate, parseSpice } from '@multimech/resistive';

/**
 * A random connected netlist: `nodes` nodes (one of them ground), resistors
 * of 100 ohm .. 10 kohm on a random graph, `voltages` grounded voltage
 * sources (either orientation), `currents` current sources (between two
 * nodes, or to ground), and `outputs` output nodes, some as difference pairs.
 */
export function randomNetlist(
  rng: Rng,
  nodes: number,
  ports: { voltages: number; currents: number; outputs: number },
): { netlist: Netlist; outputs: (string | [string, string])[] } {
  const meanDegree = Math.min(nodes - 1, 2 + 2 * rng.next());
  const topo = randomTopology(nodes, meanDegree, { inputs: ports.voltages + ports.currents, outputs: ports.outputs }, rng);
  const ground = topo.groundNodes[0];
  const name = (i: number) => (i === ground ? (rng.next() < 0.5 ? '0' : 'gnd') : `n${i}`);
  const lines = [`random ${nodes}`];
  const add = (kind: 'R' | 'I' | 'V', n: string, a: string, b: string, value: number) =>
    lines.push(`${n} ${a} ${b} ${kind === 'R' ? '' : 'DC '}${value}`);
  for (let k = 0; k < topo.graph.from.length; k++) {
    add('R', `R${k + 1}`, name(topo.graph.from[k]), name(topo.graph.to[k]), 100 * 100 ** rng.next());
  }
  topo.inputNodes.forEach((node, i) => {
    if (i < ports.voltages) {
      const v = rng.uniform(-5, 5);
      if (rng.next() < 0.5) add('V', `V${i + 1}`, name(node), '0', v);
      else add('V', `V${i + 1}`, '0', name(node), v);
    } else {
      let other = rng.int(nodes);
      if (other === node || topo.inputNodes.slice(0, ports.voltages).includes(other)) other = ground;
      add('I', `I${i + 1}`, name(other), name(node), rng.uniform(-2e-3, 2e-3));
    }
  });
  const outputs = topo.outputNodes.map((node, i): string | [string, string] =>
    i % 3 === 2 ? [`N${node}`, `n${topo.outputNodes[0]}`] : `n${node}`,
  );
  return { netlist: parseSpice(lines.join('\n'), `random-${nodes}.cir`), outputs };
}

/** The equilibrium by a dense solve of the grounded Laplacian L_FF x = q_F − L_FD v_D (ml-matrix). */
export function denseEquilibrium(s: ResistiveSubstrate, drive: Drive): Float64Array {
  const n = s.graph.nodeNames.length;
  const L = Matrix.zeros(n, n);
  const g = s.parameters;
  for (let k = 0; k < g.length; k++) {
    const a = s.graph.from[k];
    const b = s.graph.to[k];
    L.set(a, a, L.get(a, a) + g[k]);
    L.set(b, b, L.get(b, b) + g[k]);
    L.set(a, b, L.get(a, b) - g[k]);
    L.set(b, a, L.get(b, a) - g[k]);
  }
  const held = new Map<number, number>();
  s.boundary.dirichlet.forEach((node, i) => held.set(node, drive.fixed[i]));
  const free = [...Array(n).keys()].filter((i) => !held.has(i));
  const A = new Matrix(free.length, free.length);
  const rhs = new Matrix(free.length, 1);
  free.forEach((i, r) => {
    let b = drive.injection[i];
    for (const [d, v] of held) b -= L.get(i, d) * v;
    rhs.set(r, 0, b);
    free.forEach((j, c) => A.set(r, c, L.get(i, j)));
  });
  const x = solve(A, rhs);
  const state = new Float64Array(n);
  for (const [d, v] of held) state[d] = v;
  free.forEach((i, r) => (state[i] = x.get(r, 0)));
  return state;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
