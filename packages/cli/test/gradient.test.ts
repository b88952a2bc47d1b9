import { writeFileSync } from 'fs';
import * as path from 'path';
import { netlistGradient, parseTarget } from '../src/gradient-command';
import { runCli, tempDir } from './run-cli';

/**
 * A small network with both kinds of source: a 1.5 V source at `a`, a 2 mA
 * current source into `d`, six resistors (one bridge), two targets.
 */
const NETWORK = `bridge test network
* sources
V1 a 0 DC 1.5
I1 0 d DC 2m
* resistors
R1 a b 1k
Rab2 a c 2.2k
R3 b c 4.7k
R4 b d 3.3k
R5 c d 1.5k
R6 d 0 10k
Rgnd c 0 6.8k
.end
`;

const DIVIDER = `divider
V1 in 0 DC 2
R1 in out 1k
R2 out 0 3k
.end
`;

/** Diodes both ways, a current source, a reverse-biased junction (the mixed network of issue 3). */
const DIODES = `diode network
V1 a 0 DC 2
I1 0 d DC 0.5m
R1 a b 1k
R2 b c 2.2k
D1 b 0 dfast
D2 c d dslow
R3 c 0 4.7k
R4 d 0 3.3k
D3 0 d dfast
.model dfast D(IS=1e-14 N=1)
.model DSLOW D(IS=2n N=1.8)
.end
`;

/** The bridge with a capacitor to ground at three nodes: the slowest RC time is 39 µs, ω₂τ ≈ 0.42 at 1700 Hz. */
const RC = `bridge with capacitors
V1 a 0 DC 1.5
I1 0 d DC 2m
R1 a b 1k
R2 a c 2.2k
R3 b c 4.7k
R4 b d 3.3k
R5 c d 1.5k
R6 d 0 10k
C1 b 0 10n
C2 c 0 4.7n
C3 d 0 22n
.end
`;

/** A nonlinear network whose only nonlinear element is a B element (a cubic law). */
const CUBIC = `cubic law
V1 a 0 DC 1
R1 a b 1k
B1 b 0 I={1e-3*v^3 + 1e-4*v}
R2 b 0 2k
.end
`;

interface GradientJson {
  loss: number;
  gradient: Record<string, number>;
}

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('gradient'));
  writeFileSync(path.join(dir, 'network.cir'), NETWORK);
  writeFileSync(path.join(dir, 'divider.cir'), DIVIDER);
  writeFileSync(path.join(dir, 'diodes.cir'), DIODES);
  writeFileSync(path.join(dir, 'rc.cir'), RC);
  writeFileSync(path.join(dir, 'cubic.cir'), CUBIC);
});
afterAll(() => cleanup());

async function gradient(file: string, ...args: string[]): Promise<GradientJson> {
  const r = await runCli(['gradient', path.join(dir, file), ...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]) as GradientJson;
}

/** max_k |a_k − b_k| / max_k |b_k|. */
function relativeDifference(a: Record<string, number>, b: Record<string, number>): number {
  const keys = Object.keys(b);
  const scale = Math.max(...keys.map((k) => Math.abs(b[k])));
  return Math.max(...keys.map((k) => Math.abs(a[k] - b[k]))) / scale;
}

describe('multimech gradient --json', () => {
  const targets = ['--target', 'b=0.9', '--target', 'D=1.2'];

  test('adjoint, finite differences and frequency propagation (phasor and transient) agree to 1e-6', async () => {
    const adjoint = await gradient('network.cir', ...targets, '--method', 'adjoint');
    const fd = await gradient('network.cir', ...targets, '--method', 'finite-difference');
    const phasor = await gradient('network.cir', ...targets, '--method', 'frequency', '--mode', 'phasor');
    const transient = await gradient('network.cir', ...targets, '--method', 'frequency', '--mode', 'transient', '--amplitude', '0.01', '--periods', '4');

    expect(Object.keys(adjoint.gradient)).toEqual(['R1', 'Rab2', 'R3', 'R4', 'R5', 'R6', 'Rgnd']);
    for (const other of [fd, phasor, transient]) {
      expect(Object.keys(other.gradient)).toEqual(Object.keys(adjoint.gradient));
      expect(Math.abs(other.loss - adjoint.loss)).toBeLessThanOrEqual(1e-12 * adjoint.loss);
    }
    // the gradient is not trivially zero: the targets are away from the operating point
    expect(adjoint.loss).toBeGreaterThan(1e-3);
    expect(Math.max(...Object.values(adjoint.gradient).map(Math.abs))).toBeGreaterThan(1);
    expect(relativeDifference(fd.gradient, adjoint.gradient)).toBeLessThan(1e-6);
    expect(relativeDifference(phasor.gradient, adjoint.gradient)).toBeLessThan(1e-6);
    expect(relativeDifference(transient.gradient, adjoint.gradient)).toBeLessThan(1e-6);
  });

  test('the adjoint gradient of a divider matches the hand-derived dC/dG1, dC/dG2', async () => {
    // V_out = G1·Vs/(G1+G2); C = ½(V_out − y)²
    // dV_out/dG1 = G2·Vs/(G1+G2)²,  dV_out/dG2 = −G1·Vs/(G1+G2)²
    const Vs = 2;
    const G1 = 1 / 1000;
    const G2 = 1 / 3000;
    const y = 0.3;
    const vOut = (G1 * Vs) / (G1 + G2); // 1.5 V
    const loss = 0.5 * (vOut - y) ** 2;
    const dG1 = ((vOut - y) * G2 * Vs) / (G1 + G2) ** 2;
    const dG2 = (-(vOut - y) * G1 * Vs) / (G1 + G2) ** 2;

    const r = await gradient('divider.cir', '--target', `out=${y}`, '--method', 'adjoint');
    expect(r.loss).toBeCloseTo(loss, 12);
    expect(Object.keys(r.gradient)).toEqual(['R1', 'R2']);
    expect(Math.abs(r.gradient.R1 - dG1)).toBeLessThan(1e-9 * Math.abs(dG1));
    expect(Math.abs(r.gradient.R2 - dG2)).toBeLessThan(1e-9 * Math.abs(dG2));
    // raising G1 pulls V_out further above the target: positive gradient
    expect(r.gradient.R1).toBeGreaterThan(0);
    expect(r.gradient.R2).toBeLessThan(0);
  });

  test('without --json it prints a readable table with every resistor', async () => {
    const r = await runCli(['gradient', path.join(dir, 'divider.cir'), '-t', 'out=0.3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/method: adjoint/);
    // C = ½ (1.5 − 0.3)² = 0.72; dC/dG1 = 1.2·(2/3000)/(4/3000)² = 450; dC/dG2 = −3·450
    expect(r.stdout).toMatch(/loss C = .*: 7\.200000e-1$/m);
    expect(r.stdout).toMatch(/^R1\s+ 4\.500000e\+2$/m);
    expect(r.stdout).toMatch(/^R2\s+-1\.350000e\+3$/m);
  });
});

describe('multimech gradient on a diode netlist', () => {
  const targets = ['--target', 'c=0.3', '--target', 'd=0.2'];

  test('the adjoint (with the diodes’ conductances in H) equals finite differences to 1e-6', async () => {
    const adjoint = await gradient('diodes.cir', ...targets, '--method', 'adjoint');
    const fd = await gradient('diodes.cir', ...targets, '--method', 'finite-difference');
    expect(Object.keys(adjoint.gradient)).toEqual(['R1', 'R2', 'R3', 'R4']);
    expect(adjoint.loss).toBeGreaterThan(1e-4);
    expect(Math.abs(fd.loss - adjoint.loss)).toBeLessThanOrEqual(1e-12 * adjoint.loss);
    expect(relativeDifference(fd.gradient, adjoint.gradient)).toBeLessThan(1e-6);
  });

  test('frequency propagation: small-signal is the adjoint to 1e-9; transient errs as B²', async () => {
    const adjoint = await gradient('diodes.cir', ...targets, '--method', 'adjoint');
    // --mode small-signal through the command's function (the flag's choices are main.ts's)
    const report = netlistGradient(DIODES, 'diodes.cir', [parseTarget('c=0.3'), parseTarget('d=0.2')], { method: 'frequency', mode: 'small-signal' });
    expect(report.names).toEqual(['R1', 'R2', 'R3', 'R4']);
    expect(Math.abs(report.loss - adjoint.loss)).toBeLessThanOrEqual(1e-12 * adjoint.loss);
    const smallSignal = Object.fromEntries(report.names.map((n, k) => [n, report.gradient[k]]));
    expect(relativeDifference(smallSignal, adjoint.gradient)).toBeLessThan(1e-9);
    // transient: an error current of B·(value − V) A/V at each target, sampled over one period of ω₂
    const transient = async (B: number) =>
      relativeDifference(
        (await gradient('diodes.cir', ...targets, '--method', 'frequency', '--mode', 'transient', '--amplitude', String(B), '--periods', '1', '--samples-per-period', '16')).gradient,
        adjoint.gradient,
      );
    // (measured: 6.7e-9 at B = 1e-4, 6.7e-11 at 1e-5; beyond B ≈ 3e-4 the error current swings D3 out of its small-signal range)
    const [coarse, fine] = [await transient(1e-4), await transient(1e-5)];
    expect(coarse).toBeGreaterThan(1e-9); // the nonlinearity is visible ...
    expect(fine).toBeLessThan(1e-9); // ... and B²-small at small B
    expect(coarse / fine).toBeGreaterThan(70); // 10× less B: ~100× less error (B², not B)
    expect(coarse / fine).toBeLessThan(140);
  });

  test('frequency without --mode chooses the β → 0 limit for a nonlinear network and says so; --mode phasor is refused, saying why', async () => {
    const adjoint = await gradient('diodes.cir', ...targets, '--method', 'adjoint');
    const chosen = await runCli(['gradient', path.join(dir, 'diodes.cir'), ...targets, '--method', 'frequency', '--json']);
    expect(chosen.code).toBe(0);
    expect(chosen.stderr).toContain('mode small-signal (the β → 0 limit: the exact adjoint), chosen because the network is nonlinear');
    expect(relativeDifference((JSON.parse(chosen.stdout) as GradientJson).gradient, adjoint.gradient)).toBeLessThan(1e-9);
    const table = await runCli(['gradient', path.join(dir, 'diodes.cir'), ...targets, '--method', 'frequency']);
    expect(table.stdout).toMatch(/^mode small-signal .* chosen because the network is nonlinear/m);
    const phasor = await runCli(['gradient', path.join(dir, 'diodes.cir'), ...targets, '--method', 'frequency', '--mode', 'phasor']);
    expect(phasor.code).toBe(1);
    expect(phasor.stdout).toBe('');
    expect(phasor.stderr).toContain("--method frequency: --mode: 'phasor' is the ideal lock-in of a linear network (exact at any β), and this substrate is nonlinear");
    expect(phasor.stderr).toContain("use 'small-signal' (the β → 0 limit, u = H(s*)⁻¹e at the free state) or 'transient'");
    expect(phasor.stderr).toContain('diodes.cir has diodes (D1, D2, D3), so the network is nonlinear');
  });

  test('EP by Newton on the nudged states: centred errs as β², positive as β; CL with one target points along the gradient', async () => {
    const adjoint = await gradient('diodes.cir', ...targets, '--method', 'adjoint');
    const err = async (beta: number, variant: string) =>
      relativeDifference((await gradient('diodes.cir', ...targets, '--method', 'ep', '--beta', String(beta), '--variant', variant)).gradient, adjoint.gradient);
    const [c1, c2] = [await err(1e-5, 'centred'), await err(1e-6, 'centred')];
    const [p1, p2] = [await err(1e-5, 'positive'), await err(1e-6, 'positive')];
    expect(Math.log10(c1 / c2)).toBeGreaterThan(1.8);
    expect(Math.log10(c1 / c2)).toBeLessThan(2.2);
    expect(Math.log10(p1 / p2)).toBeGreaterThan(0.8);
    expect(Math.log10(p1 / p2)).toBeLessThan(1.2);
    expect(relativeDifference((await gradient('diodes.cir', ...targets, '--method', 'ep')).gradient, adjoint.gradient)).toBeLessThan(1e-4);
    const one = ['--target', 'c=0.3'];
    const single = await gradient('diodes.cir', ...one, '--method', 'adjoint');
    const cl = await gradient('diodes.cir', ...one, '--method', 'cl', '--eta', '0.0001');
    const keys = Object.keys(single.gradient);
    const dot = keys.reduce((s, k) => s + cl.gradient[k] * single.gradient[k], 0);
    const norm = (x: Record<string, number>) => Math.sqrt(keys.reduce((s, k) => s + x[k] ** 2, 0));
    expect(dot / (norm(cl.gradient) * norm(single.gradient))).toBeGreaterThan(0.9999);
  });
});

describe('multimech gradient on a netlist with capacitors', () => {
  const targets = ['--target', 'b=0.9', '--target', 'd=1.2'];
  const frequency = (...args: string[]) => gradient('rc.cir', ...targets, '--method', 'frequency', ...args);

  test('--mode transient integrates the network in time: it converges on the in-phase phasor reading at second order in the step, away from the DC gradient', async () => {
    const adjoint = await gradient('rc.cir', ...targets);
    const phasor = await frequency('--mode', 'phasor');
    const transient = async (samples: number) => relativeDifference((await frequency('--mode', 'transient', '--periods', '2', '--samples-per-period', String(samples))).gradient, phasor.gradient);
    const [coarse, fine] = [await transient(32), await transient(128)];
    // measured: 4.4e-3 and 2.5e-4, a ratio of 17.5 for 4× the samples (BDF2: h², 16)
    expect(coarse / fine).toBeGreaterThan(12);
    expect(coarse / fine).toBeLessThan(20);
    expect(fine).toBeLessThan(5e-4);
    // the capacitors matter at ω₂τ ≈ 0.4 (measured 0.15 from the DC gradient): a memoryless sampling would have given the DC gradient
    expect(relativeDifference(phasor.gradient, adjoint.gradient)).toBeGreaterThan(0.1);
  });

  test('the table reports the quadrature relative to the in-phase reading, and the settling it chose', async () => {
    const phasor = await runCli(['gradient', path.join(dir, 'rc.cir'), ...targets, '--method', 'frequency']);
    const transient = await runCli(['gradient', path.join(dir, 'rc.cir'), ...targets, '--method', 'frequency', '--mode', 'transient', '--periods', '2', '--samples-per-period', '128']);
    for (const r of [phasor, transient]) expect(r.code).toBe(0);
    const quadrature = (out: string) => Number(/^quadrature, rms relative to the in-phase reading\s+(\S+)$/m.exec(out)?.[1]);
    // ω₂τ ≈ 0.4: a quadrature of 43 % in both modes (the same measure), to the integrator's error
    expect(quadrature(phasor.stdout)).toBeGreaterThan(0.3);
    expect(quadrature(phasor.stdout)).toBeLessThan(0.6);
    expect(Math.abs(quadrature(transient.stdout) / quadrature(phasor.stdout) - 1)).toBeLessThan(2e-3);
    expect(transient.stdout).toMatch(/^windows integrated before the one read\s+1$/m);
    expect(transient.stdout).toMatch(/^slowest relaxation time τ \(s\)\s+3\.93\d\de-5$/m);
  });

  test('--settle sets the windows integrated before the reading; a negative one is refused in terms of the flag', async () => {
    const settled = await frequency('--mode', 'transient', '--periods', '2', '--samples-per-period', '64', '--settle', '4');
    const chosen = await frequency('--mode', 'transient', '--periods', '2', '--samples-per-period', '64');
    const unsettled = await frequency('--mode', 'transient', '--periods', '2', '--samples-per-period', '64', '--settle', '0');
    // the chosen settle (1 window = 30 τ) already leaves the start-up transient below 1e-7 ...
    expect(relativeDifference(settled.gradient, chosen.gradient)).toBeLessThan(1e-7);
    // ... and none leaves it in the reading (measured 2.7e-2)
    expect(relativeDifference(unsettled.gradient, chosen.gradient)).toBeGreaterThan(1e-3);
    const bad = await runCli(['gradient', path.join(dir, 'rc.cir'), ...targets, '--method', 'frequency', '--mode', 'transient', '--settle', '-1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--method frequency: --settle: expected a non-negative integer, got -1');
    const misplaced = await runCli(['gradient', path.join(dir, 'rc.cir'), ...targets, '--settle', '2']);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('--settle applies only to --method frequency (the method is adjoint)');
  });

  test('a netlist whose only nonlinear element is a B element names it in the phasor refusal', async () => {
    const r = await runCli(['gradient', path.join(dir, 'cubic.cir'), '--target', 'b=0.3', '--method', 'frequency', '--mode', 'phasor']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cubic.cir has a B element (B1), so the network is nonlinear');
  });
});

describe('multimech gradient --method ep | cl', () => {
  const targets = ['--target', 'b=0.9', '--target', 'D=1.2'];
  const cosine = (a: Record<string, number>, b: Record<string, number>) => {
    const keys = Object.keys(b);
    const dot = keys.reduce((s, k) => s + a[k] * b[k], 0);
    const norm = (x: Record<string, number>) => Math.sqrt(keys.reduce((s, k) => s + x[k] ** 2, 0));
    return dot / (norm(a) * norm(b));
  };

  test("centred EP's error falls as β² and positive EP's as β", async () => {
    const adjoint = await gradient('network.cir', ...targets);
    const err = async (beta: number, variant: string) =>
      relativeDifference((await gradient('network.cir', ...targets, '--method', 'ep', '--beta', String(beta), '--variant', variant)).gradient, adjoint.gradient);
    // β is a conductance here: small against the kΩ network's 1/R
    const [c1, c2] = [await err(1e-4, 'centred'), await err(1e-5, 'centred')];
    const [p1, p2] = [await err(1e-4, 'positive'), await err(1e-5, 'positive')];
    expect(Math.log10(c1 / c2)).toBeGreaterThan(1.8);
    expect(Math.log10(c1 / c2)).toBeLessThan(2.2);
    expect(Math.log10(p1 / p2)).toBeGreaterThan(0.8);
    expect(Math.log10(p1 / p2)).toBeLessThan(1.2);
    expect(c2).toBeLessThan(1e-3);
  });

  test('coupled learning points along the gradient for one target, and its estimate is printed under the same keys', async () => {
    const one = ['--target', 'b=0.9'];
    const adjoint = await gradient('network.cir', ...one);
    const cl = await gradient('network.cir', ...one, '--method', 'cl', '--eta', '0.0001');
    expect(Object.keys(cl.gradient)).toEqual(Object.keys(adjoint.gradient));
    expect(cl.loss).toBeCloseTo(adjoint.loss, 12);
    expect(cosine(cl.gradient, adjoint.gradient)).toBeGreaterThan(0.9999);
  });

  test('a flag of another method is a usage error', async () => {
    const r = await runCli(['gradient', path.join(dir, 'network.cir'), ...targets, '--method', 'adjoint', '--beta', '0.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--beta applies only to --method ep (the method is adjoint)');
    const s = await runCli(['gradient', path.join(dir, 'network.cir'), ...targets, '--method', 'cl', '--eta', '2']);
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/--method cl: --eta: /);
  });
});

test('without --beta, EP nudges with β small against the netlist (1e-3 × its median conductance) and lands near the gradient', async () => {
  const targets = ['--target', 'b=0.9', '--target', 'D=1.2'];
  const adjoint = await gradient('network.cir', ...targets);
  const ep = await gradient('network.cir', ...targets, '--method', 'ep');
  expect(relativeDifference(ep.gradient, adjoint.gradient)).toBeLessThan(1e-4);
});
