import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Rng, dcActivation, mseLoss, stateLoss } from '@multimech/core';
import { parseSpice, resistiveFromNetlist } from '@multimech/resistive';
import { randomDiodeNetlist } from '../../resistive/test/random-netlist';
import { createFrequencyError } from '../src';

/**
 * Transient frequency propagation on diode networks with node capacitances,
 * against ngspice, a circuit simulator nobody here wrote: the same circuit,
 * its DC sources as the activation and the error current β·e·cos(ω₂t) at
 * the output as a SPICE SIN source (phase 90°: a cosine), integrated by
 * ngspice's own Gear-2 method on a finer grid, and both records demodulated
 * the same way over the window after the start-up transient. CI installs
 * ngspice (a Debian package).
 */
const hasNgspice = spawnSync('ngspice', ['-v'], { encoding: 'utf8' }).status === 0;

const F2 = 1700; // Hz
const PERIODS = 2; // the lock-in window, in periods of ω₂
const SAMPLES_PER_PERIOD = 512;
const SETTLE = 3; // windows integrated before the one read (τ·ω₂ ≲ 0.5 here: e^(−3·2·2π/0.5) is far below the tolerance)

/** Node voltages of an ngspice transient on the grid t = j·h, j = 0, 1, ... (linearised onto it). */
function ngspiceTransient(text: string, nodes: readonly string[], h: number, stop: number): Map<string, Float64Array> {
  const dir = mkdtempSync(path.join(tmpdir(), 'multimech-ngspice-tran-'));
  try {
    const file = path.join(dir, 'circuit.cir');
    const data = path.join(dir, 'out.txt');
    const vectors = nodes.map((n) => `v(${n})`).join(' ');
    writeFileSync(
      file,
      `${text.replace(/\.end\s*$/i, '')}` +
        `.options method=gear maxord=2 reltol=1e-8 abstol=1e-16 vntol=1e-13 chgtol=1e-20 gmin=1e-12\n` +
        `.control\nset wr_singlescale\nset wr_vecnames\noption numdgt=15\ntran ${h / 8} ${stop} 0 ${h / 8}\nlinearize ${vectors}\n` +
        `wrdata ${data} ${vectors}\n.endc\n.end\n`,
    );
    const run = spawnSync('ngspice', ['-b', file], { encoding: 'utf8', cwd: dir });
    let lines: string[];
    try {
      lines = readFileSync(data, 'utf8').trim().split('\n');
    } catch {
      throw new Error(`ngspice wrote no data:\n${run.stdout}\n${run.stderr}`);
    }
    const header = lines[0].trim().split(/\s+/);
    const rows = lines.slice(1).map((l) => l.trim().split(/\s+/).map(Number));
    const time = rows.map((r) => r[0]);
    // resample onto t = j·h (linearize used the tran step h/8: every 8th point)
    const out = new Map<string, Float64Array>();
    nodes.forEach((n) => {
      const column = header.indexOf(`v(${n})`);
      if (column < 0) throw new Error(`ngspice did not write v(${n}): ${header.join(' ')}`);
      const count = Math.floor(stop / h + 1e-9) + 1;
      const series = new Float64Array(count);
      let r = 0;
      for (let j = 0; j < count; j++) {
        const t = j * h;
        while (r + 1 < time.length - 1 && time[r + 1] <= t) r++;
        const w = (t - time[r]) / (time[r + 1] - time[r]);
        series[j] = rows[r][column] * (1 - w) + rows[r + 1][column] * w;
      }
      out.set(n, series);
    });
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const title = `transient FP coefficients of 3 random diode-and-capacitor networks agree with an ngspice transient to 1e-4${hasNgspice ? '' : ' (ngspice not installed: skipped)'}`;

describe('transient frequency propagation against ngspice', () => {
  (hasNgspice ? it : it.skip)(title, () => {
    const rng = new Rng(11);
    let worstDc = 0;
    let worstHarmonic = 0;
    for (let trial = 0; trial < 3; trial++) {
      const nodes = 6 + rng.int(8);
      const base = randomDiodeNetlist(rng, nodes, { voltages: 1, currents: 1, outputs: 1, diodes: 2 + rng.int(3) }, { volts: 1 });
      const capacitors = base.netlist.elements
        .flatMap((e) => e.nodes)
        .filter((n, i, all) => n !== '0' && all.indexOf(n) === i)
        .map((n, i) => `C${i + 1} ${n} 0 ${(1e-8 * 10 ** rng.next()).toPrecision(6)}`);
      const text = base.text.replace(/\n?$/, '\n') + capacitors.join('\n') + '\n.end\n';
      const s = resistiveFromNetlist(parseSpice(text, 'rc-diodes.cir'), { outputs: base.outputs });
      const drive = s.drive(s.defaultInputs!);
      const activation = dcActivation.activate(s, drive);
      const y = s.readout(activation.state);
      const target = Float64Array.from(y, (v) => v + 0.05);
      const loss = stateLoss(s, mseLoss, target);
      const { force } = loss.evaluate(activation.state);
      const beta = 1e-3;
      const mechanism = createFrequencyError({ mode: 'transient', frequency: F2, amplitude: beta, periods: PERIODS, samplesPerPeriod: SAMPLES_PER_PERIOD, settle: SETTLE });
      const reading = mechanism.measure({ substrate: s, activation, errorForce: force, loss, rng: new Rng(1) });

      // the same error current in ngspice: β·e at the output node, a cosine
      const out = s.boundary.outputs[0];
      const amplitude = beta * force[out.node];
      const spice = text.replace(/\.end\s*$/i, `Ierr 0 ${s.graph.nodeNames[out.node]} SIN(0 ${amplitude} ${F2} 0 0 90)\n.end\n`);
      const N = PERIODS * SAMPLES_PER_PERIOD;
      const T = PERIODS / F2;
      const h = T / N;
      const named = s.graph.nodeNames.filter((n) => n !== '0');
      const voltages = ngspiceTransient(spice, named, h, (SETTLE + 1) * T);
      const at = (node: number, j: number) => (s.graph.nodeNames[node] === '0' ? 0 : voltages.get(s.graph.nodeNames[node])![j]);
      const { from, to } = s.graph;
      const dc = new Float64Array(from.length);
      const harmonic = new Float64Array(from.length);
      for (let n = 0; n < N; n++) {
        const j = SETTLE * N + n;
        const c = Math.cos((2 * Math.PI * ((PERIODS * n) % N)) / N);
        for (let k = 0; k < from.length; k++) {
          const drop = at(from[k], j) - at(to[k], j);
          dc[k] += drop / N;
          harmonic[k] += (2 / N) * drop * c;
        }
      }
      const maxAbs = (x: ArrayLike<number>) => Math.max(...Array.from(x, Math.abs));
      const errDc = maxAbs(Array.from(dc, (v, k) => v - reading.activationReadings![k])) / maxAbs(dc);
      const errHarmonic = maxAbs(Array.from(harmonic, (v, k) => v / beta - reading.readings[k])) / maxAbs(Array.from(harmonic, (v) => v / beta));
      worstDc = Math.max(worstDc, errDc);
      worstHarmonic = Math.max(worstHarmonic, errHarmonic);
      // the capacitors matter: the reading has a quadrature part of a few per cent or more
      expect(reading.diagnostics!.quadratureRms).toBeGreaterThan(1e-2);
    }
    console.log(`multimech vs ngspice transient: DC part ${worstDc.toExponential(2)}, first harmonic at ω₂ / β ${worstHarmonic.toExponential(2)} (worst edge, relative to the largest)`);
    expect(worstDc).toBeLessThanOrEqual(1e-4);
    expect(worstHarmonic).toBeLessThanOrEqual(1e-4);
  });
});
