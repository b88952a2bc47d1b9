import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Rng } from '@multimech/core';
import { resistiveFromNetlist } from '@multimech/resistive';
import { randomDiodeNetlist } from './random-netlist';

/** ngspice is the reference simulator; CI installs it (a Debian package). */
const hasNgspice = spawnSync('ngspice', ['-v'], { encoding: 'utf8' }).status === 0;

/** Node voltages of a DC operating point by ngspice, with tolerances far below the comparison's. */
function ngspiceOperatingPoint(netlistText: string): Map<string, number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'multimech-ngspice-'));
  try {
    const file = path.join(dir, 'circuit.cir');
    const body = netlistText.replace(/\.end\s*$/i, '');
    writeFileSync(
      file,
      `${body}.options reltol=1e-9 abstol=1e-15 vntol=1e-12 gmin=1e-12\n.control\nset numdgt=15\nop\nprint all\n.endc\n.end\n`,
    );
    const run = spawnSync('ngspice', ['-b', file], { encoding: 'utf8', cwd: dir });
    const out = `${run.stdout}\n${run.stderr}`;
    const values = new Map<string, number>();
    for (const m of out.matchAll(/^\s*([a-z0-9_]+)\s*=\s*([-+0-9.e]+)\s*$/gim)) values.set(m[1].toLowerCase(), Number(m[2]));
    if (values.size === 0) throw new Error(`ngspice printed no node voltages:\n${out}`);
    return values;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const title = `equilibrium node voltages of 6 random diode networks agree with ngspice .op to 1e-5 relative${hasNgspice ? '' : ' (ngspice not installed: skipped)'}`;

describe('cross-check against ngspice', () => {
  (hasNgspice ? it : it.skip)(title, () => {
    const rng = new Rng(7);
    let worst = 0;
    for (let t = 0; t < 6; t++) {
      const nodes = 6 + rng.int(20);
      const { text, netlist, outputs } = randomDiodeNetlist(rng, nodes, { voltages: 1 + rng.int(2), currents: 1 + rng.int(2), outputs: 1, diodes: 2 + rng.int(6) });
      const s = resistiveFromNetlist(netlist, { outputs });
      const V = s.equilibrium(s.drive(s.defaultInputs!));
      const reference = ngspiceOperatingPoint(text);
      let compared = 0;
      s.graph.nodeNames.forEach((name, i) => {
        if (name === '0') return;
        const ref = reference.get(name);
        expect(ref).toBeDefined();
        const error = Math.abs(V[i] - ref!) / Math.max(Math.abs(ref!), 1e-3);
        worst = Math.max(worst, error);
        expect(error).toBeLessThanOrEqual(1e-5);
        compared++;
      });
      expect(compared).toBe(nodes - 1);
    }
    console.log(`multimech vs ngspice .op: worst relative difference ${worst.toExponential(2)} (relative to max(|V|, 1 mV))`);
  });
});
