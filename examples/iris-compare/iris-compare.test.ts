import { run } from '@multimech/cli';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * The example's claims, from the command as a user runs it: on the Iris flow
 * network, frequency propagation and chemical signalling (D = γk) are the
 * exact gradient, centred EP is within O(β²) of it, noisy lock-in and
 * chemical transport with r² diffusivity and advection depart from it but
 * still point downhill, and every mechanism learns the task. The chemical
 * rows carry two species, so no concentration goes negative (the
 * diagnostics say so); the advection row's Péclet number above 1 is warned
 * about. Seed by seed against the adjoint, the exact mechanisms tie in every
 * seed on every figure, and the advection row's final loss is higher in
 * every seed, by an interval that excludes 0.
 */
test('multimech compare examples/iris-compare/config.json', async () => {
  const out = mkdtempSync(join(tmpdir(), 'multimech-iris-compare-'));
  try {
    let stdout = '';
    let stderr = '';
    const code = await run(['node', 'multimech', 'compare', join(__dirname, 'config.json'), '--out', out], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^mechanism\s+runs\s+test accuracy/);
    const [head, ...lines] = readFileSync(join(out, 'comparison.csv'), 'utf8').trim().split('\n');
    const columns = head.split(',');
    const rows = Object.fromEntries(
      lines.map((l) => {
        const cells = l.split(',');
        return [cells[0], Object.fromEntries(columns.slice(1).map((c, i) => [c, Number(cells[i + 1])]))];
      }),
    );
    expect(Object.keys(rows)).toEqual(['adjoint', 'frequency', 'frequency-noisy', 'chemical', 'chemical-r2-advection', 'ep', 'cl']);
    const exact = rows.adjoint;
    for (const m of ['frequency', 'chemical']) {
      expect(Math.abs(rows[m].final_loss_mean - exact.final_loss_mean)).toBeLessThan(1e-9 * exact.final_loss_mean);
      expect(rows[m].test_accuracy_mean).toBe(exact.test_accuracy_mean);
      expect(rows[m].fidelity_relative_error).toBeLessThan(1e-9);
      // seed by seed against the adjoint (the reference): the same run in every seed, on every figure
      for (const figure of ['test_accuracy', 'final_loss', 'epochs_to_target']) {
        expect([rows[m][`${figure}_wins`], rows[m][`${figure}_ties`], rows[m][`${figure}_losses`]]).toEqual([0, 3, 0]);
      }
      expect(stdout).toContain(`\n${m} is the same as adjoint on test accuracy in every seed (0 wins, 3 ties, 0 losses).\n`);
    }
    // r² diffusivity with advection: a higher final loss than the adjoint's in every seed, and the 95% interval of the difference excludes 0
    expect(rows['chemical-r2-advection'].final_loss_losses).toBe(3);
    expect(rows['chemical-r2-advection'].final_loss_diff_low).toBeGreaterThan(0);
    expect(stdout).toMatch(/\nchemical-r2-advection is .* on test accuracy: .*; and worse on final loss: \+\S+ \[\+\S+, \+\S+\], 0 wins, 0 ties, 3 losses\.\n/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.reference).toBe('adjoint');
    expect(summary.verdicts).toHaveLength(6);
    // the physical departures are departures, and still point downhill
    for (const m of ['frequency-noisy', 'chemical-r2-advection']) {
      expect(rows[m].fidelity_relative_error).toBeGreaterThan(1e-3);
      expect(rows[m].fidelity_cosine).toBeGreaterThan(0.9);
    }
    expect(rows.ep.fidelity_cosine).toBeGreaterThan(0.9999);
    expect(rows.ep.fidelity_relative_error).toBeLessThan(0.01);
    expect(rows.cl.fidelity_cosine).toBeGreaterThan(0.95);
    // two species on the zero baseline: no concentration went negative in any epoch of any seed (one species went to -1.45)
    for (const m of ['chemical', 'chemical-r2-advection']) {
      expect([rows[m].diag_negativeCount, rows[m].diag_negativeMin, rows[m].diag_requiredBaseline]).toEqual([0, 0, 0]);
    }
    // advection with γ = 1 dominates diffusion in some tubes, and the comparison says so
    expect(rows['chemical-r2-advection'].diag_pecletMax).toBeGreaterThan(1);
    expect(stderr.split('\n').filter((l) => l.startsWith('multimech: warning: '))).toEqual([
      expect.stringMatching(/^multimech: warning: chemical-r2-advection \(worst of seeds 1, 2, 3\): advection dominates diffusion: the Péclet number reached \d\.\d+ /),
    ]);
    for (const m of Object.keys(rows)) {
      expect(rows[m].runs).toBe(3);
      expect(rows[m].not_learning).toBe(0);
      expect(rows[m].test_accuracy_mean).toBeGreaterThanOrEqual(0.85);
      expect(rows[m].final_loss_mean).toBeLessThan(0.3);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
