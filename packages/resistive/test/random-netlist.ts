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

/**
 * A random connected diode network as SPICE text: resistors of 100 ohm ..
 * 10 kohm on a random graph and two more from random nodes to ground, `diodes` diodes between random node pairs
 * (either orientation) with one of three models (IS log-uniform in
 * [minIS, 1e6·minIS], default [1e-15, 1e-9] A, N in [1, 2]), `voltages`
 * grounded voltage sources of up to ±volts (default 5 V), `currents` current
 * sources of up to ±0.4 mA per volt, and `outputs` output nodes. Ground is
 * written `0` (so ngspice reads the same text).
 */
export function randomDiodeNetlist(
  rng: Rng,
  nodes: number,
  ports: { voltages: number; currents: number; outputs: number; diodes: number },
  scale: { volts?: number; minIS?: number } = {},
): { text: string; netlist: Netlist; outputs: string[] } {
  const volts = scale.volts ?? 5;
  const minIS = scale.minIS ?? 1e-15;
  const meanDegree = Math.min(nodes - 1, 2 + 2 * rng.next());
  const topo = randomTopology(nodes, meanDegree, { inputs: ports.voltages + ports.currents, outputs: ports.outputs }, rng);
  const ground = topo.groundNodes[0];
  const name = (i: number) => (i === ground ? '0' : `n${i}`);
  const lines = [`random diode network, ${nodes} nodes`];
  for (let k = 0; k < topo.graph.from.length; k++) {
    lines.push(`R${k + 1} ${name(topo.graph.from[k])} ${name(topo.graph.to[k])} ${100 * 100 ** rng.next()}`);
  }
  // two more resistors to ground, so that current flows between the sources and ground
  for (let k = 1; k <= 2; k++) lines.push(`Rg${k} n${(ground + 1 + rng.int(nodes - 1)) % nodes} 0 ${100 * 100 ** rng.next()}`);
  for (let d = 0; d < ports.diodes; d++) {
    const a = rng.int(nodes);
    let b = rng.int(nodes);
    if (b === a) b = (a + 1) % nodes;
    lines.push(`D${d + 1} ${name(a)} ${name(b)} dm${rng.int(3)}`);
  }
  topo.inputNodes.forEach((node, i) => {
    if (i < ports.voltages) {
      const v = rng.uniform(-volts, volts);
      lines.push(rng.next() < 0.5 ? `V${i + 1} ${name(node)} 0 DC ${v}` : `V${i + 1} 0 ${name(node)} DC ${v}`);
    } else {
      let other = rng.int(nodes);
      if (other === node || topo.inputNodes.slice(0, ports.voltages).includes(other)) other = ground;
      lines.push(`I${i + 1} ${name(other)} ${name(node)} DC ${rng.uniform(-4e-4, 4e-4) * volts}`);
    }
  });
  for (let m = 0; m < 3; m++) lines.push(`.model dm${m} D(IS=${minIS * 1e6 ** rng.next()} N=${rng.uniform(1, 2)})`);
  const text = lines.join('\n') + '\n';
  return { text, netlist: parseSpice(text, `random-diodes-${nodes}.cir`), outputs: topo.outputNodes.map((node) => `n${node}`) };
}
