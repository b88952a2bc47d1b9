import { InputFileError, Rng, dynamicsOf, randomTopology } from '@multimech/core';
import { Matrix, solve } from 'ml-matrix';
import { ResistiveSubstrate, parseSpice, resistiveFromNetlist, resistiveFromTopology, toNetlist, writeSpice } from '@multimech/resistive';

/** A random connected RC network: conductances in [0.5, 2] S, a capacitance in [0.1, 1]·scale F at about half the nodes. */
function randomRc(seed: number, nodes: number, scale = 1): { rc: ResistiveSubstrate; plain: ResistiveSubstrate } {
  const rng = new Rng(seed);
  const topology = randomTopology(nodes, 3.5, { inputs: 2, outputs: 2 }, rng);
  const m = topology.graph.from.length;
  const conductances = Float64Array.from({ length: m }, () => rng.uniform(0.5, 2));
  const capacitors = [...Array(nodes).keys()]
    .filter(() => rng.uniform(0, 1) < 0.5)
    .map((node) => ({ name: `C${node}`, node, capacitance: scale * rng.uniform(0.1, 1) }));
  const options = { conductances, bounds: { min: 1e-6, max: 1e6 } };
  return { rc: resistiveFromTopology(topology, 'potential', { ...options, capacitors }), plain: resistiveFromTopology(topology, 'potential', options) };
}

/** The dense 2n×2n real system [[H, −ωC], [ωC, H]] [x; y] = [f; 0] solved by ml-matrix's LU. */
function densePhasor(substrate: ResistiveSubstrate, f: Float64Array, omega: number): { real: Float64Array; imag: Float64Array } {
  const { matrix: H, freeDofs } = substrate.hessian(new Float64Array(substrate.graph.nodeNames.length));
  const n = freeDofs.length;
  const A = Matrix.zeros(2 * n, 2 * n);
  for (let i = 0; i < n; i++) {
    for (let p = H.rowPtr[i]; p < H.rowPtr[i + 1]; p++) {
      A.set(i, H.colIdx[p], H.values[p]);
      A.set(n + i, n + H.colIdx[p], H.values[p]);
    }
    const wc = omega * substrate.nodeCapacitance[freeDofs[i]];
    A.set(i, n + i, -wc);
    A.set(n + i, i, wc);
  }
  const b = Matrix.zeros(2 * n, 1);
  freeDofs.forEach((node, r) => b.set(r, 0, f[node]));
  const x = solve(A, b).getColumn(0);
  const real = new Float64Array(f.length);
  const imag = new Float64Array(f.length);
  freeDofs.forEach((node, r) => {
    real[node] = x[r];
    imag[node] = x[n + r];
  });
  return { real, imag };
}

const maxAbs = (x: ArrayLike<number>) => Array.from(x).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const diff = (a: Float64Array, b: Float64Array) => maxAbs(a.map((v, i) => v - b[i]));

describe('node capacitances', () => {
  it('solve (H + iωC)⁻¹f as the dense complex solve does (1e-10 relative) on random RC networks over four decades of ω', () => {
    let worst = 0;
    for (const seed of [1, 2, 3]) {
      const { rc } = randomRc(seed, 40);
      const rng = new Rng(100 + seed);
      const forces = [0, 1].map(() => Float64Array.from({ length: 40 }, () => rng.uniform(-1, 1)));
      for (const omega of [1e-3, 1e-1, 1, 10, 100]) {
        const got = rc.phasorResponse(new Float64Array(40), forces, omega);
        forces.forEach((f, j) => {
          const ref = densePhasor(rc, f, omega);
          const scale = Math.max(maxAbs(ref.real), maxAbs(ref.imag));
          worst = Math.max(worst, diff(got.real[j], ref.real) / scale, diff(got.imag[j], ref.imag) / scale);
          expect(diff(got.real[j], ref.real) / scale).toBeLessThan(1e-10);
          expect(diff(got.imag[j], ref.imag) / scale).toBeLessThan(1e-10);
          // the quadrature part is a real effect: far above rounding once ωRC is not tiny
          if (omega >= 1) expect(maxAbs(ref.imag) / scale).toBeGreaterThan(1e-3);
        });
      }
    }
    expect(worst).toBeLessThan(1e-10); // measured 1.2e-13
  });

  it("keep 'linear', add 'dynamics', and change nothing at DC (equilibria, H⁻¹ and ω = 0)", () => {
    const { rc, plain } = randomRc(7, 30);
    expect([...rc.capabilities].sort()).toEqual(['dynamics', 'linear', 'scalar-potential']);
    expect(plain.capabilities.has('dynamics')).toBe(false);
    expect(dynamicsOf(rc)).toBe(rc);
    expect(dynamicsOf(plain)).toBeUndefined();
    const drive = rc.drive([0.7, -0.3]);
    const s = rc.equilibrium(drive);
    expect(Array.from(s)).toEqual(Array.from(plain.equilibrium(drive)));
    const f = Float64Array.from({ length: 30 }, (_, i) => Math.sin(i + 1));
    const [u] = plain.linearResponse(s, [f]);
    const at0 = rc.phasorResponse(s, [f], 0);
    expect(diff(at0.real[0], u) / maxAbs(u)).toBeLessThan(1e-11);
    expect(maxAbs(at0.imag[0])).toBe(0);
  });

  it('read and write C from SPICE (round-trip), as node capacitances of the substrate', () => {
    const text = ['rc', 'V1 in 0 DC 1', 'R1 in a 1k', 'R2 a 0 2k', 'C1 a 0 4.7u', 'C2 0 in 1n', '.end', ''].join('\n');
    const netlist = parseSpice(text, 'rc.cir');
    expect(netlist.elements.filter((e) => e.kind === 'C')).toEqual([
      { kind: 'C', name: 'C1', nodes: ['a', '0'], value: 4.7e-6, line: 5 },
      { kind: 'C', name: 'C2', nodes: ['0', 'in'], value: 1e-9, line: 6 },
    ]);
    const written = writeSpice(netlist);
    expect(written).toContain('C1 a 0 0.0000047');
    expect(parseSpice(written, 'w.cir')).toEqual(netlist);
    const substrate = resistiveFromNetlist(netlist, { file: 'rc.cir' });
    expect(substrate.capabilities.has('dynamics')).toBe(true);
    const a = substrate.graph.nodeNames.indexOf('a');
    expect(substrate.nodeCapacitance[a]).toBe(4.7e-6);
    const back = toNetlist(substrate);
    expect(back.elements.filter((e) => e.kind === 'C').map((e) => [e.name, e.nodes, 'value' in e ? e.value : NaN])).toEqual([
      ['C1', ['a', '0'], 4.7e-6],
      ['C2', ['in', '0'], 1e-9],
    ]);
    // One pole: V(a)/V(in) = R2 / (R1 + R2 + iω R1 R2 C1); the phasor response of the held input's pull gives it.
    const omega = 2 * Math.PI * 50;
    const force = new Float64Array(substrate.graph.nodeNames.length);
    force[a] = 1 / 1000; // the pull of V(in) = 1 V through R1
    const { real, imag } = substrate.phasorResponse(new Float64Array(force.length), [force], omega);
    const den = { re: 1 + 0.5, im: omega * 1000 * 4.7e-6 };
    const mag2 = den.re ** 2 + den.im ** 2;
    expect(real[0][a]).toBeCloseTo(den.re / mag2, 12);
    expect(imag[0][a]).toBeCloseTo(-den.im / mag2, 12);
  });

  it('refuse a floating capacitor, a non-positive capacitance and a DC keyword, naming the line', () => {
    const floating = parseSpice('t\nV1 in 0 1\nR1 in a 1k\nR2 a 0 1k\nCx in a 1u\n', 'f.cir');
    expect(() => resistiveFromNetlist(floating, { file: 'f.cir' })).toThrow(
      new InputFileError('f.cir', 5, "capacitor 'Cx' floats between 'in' and 'a': only node capacitances are supported; connect one terminal to ground (0)"),
    );
    expect(() => parseSpice('t\nR1 a 0 1k\nC1 a 0 -1u\n', 'n.cir')).toThrow(/n\.cir:3.*capacitance of 'C1' must be positive, got -1u/);
    expect(() => parseSpice('t\nR1 a 0 1k\nC1 a 0 DC 1u\n', 'd.cir')).toThrow(/d\.cir:3.*expected 'Cname node node value'/);
  });
});
