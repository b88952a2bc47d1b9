import { readFileSync } from 'fs';
import { join } from 'path';
import { slowestRelaxationTime } from '@multimech/core';
import { CLI_PLUGINS, logLogSlope, measureSweep } from '@multimech/cli';
import { parseSpice, resistiveFromNetlist } from '@multimech/resistive';

/**
 * Reactance (PHYSICS.md §3.3): on a diode network with node capacitances,
 * transient frequency propagation integrates the network in time and
 * updates with the in-phase part of the error response; it departs from
 * the exact (DC) gradient as (ω₂τ)², as the phasor response (H + iω₂C)⁻¹
 * predicts, and agrees with the small-signal phasor reading to the
 * integrator's own error at each ω₂.
 */
test('transient FP on an RC diode network: the error against the exact gradient grows as (ω₂τ)², as the phasor predicts', () => {
  const file = join(__dirname, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  const points = measureSweep(config, CLI_PLUGINS, { baseDir: __dirname, source: file });
  const slope = logLogSlope(points)!;
  // measured: 3.57e-5, 3.11e-4, 3.41e-3, 2.99e-2 at 100 Hz … 3 kHz, slope 1.980
  expect(slope).toBeGreaterThan(1.9);
  expect(slope).toBeLessThan(2.1);
  expect(points[0].relativeError).toBeLessThan(1e-4);
  expect(points[3].relativeError).toBeGreaterThan(1e-2);

  // the β → 0 phasor reading at the same frequencies (measured 3.39e-5 … 2.97e-2): within the integrator's error, 64 samples per period
  const phasor = measureSweep({ ...config, experiment: { ...config.experiment, error: { ...config.experiment.error, mode: 'small-signal' } } }, CLI_PLUGINS, {
    baseDir: __dirname,
    source: file,
  });
  points.forEach((p, i) => expect(Math.abs(p.relativeError / phasor[i].relativeError - 1)).toBeLessThan(0.1));

  // the slowest RC time (measured τ = 8.60 µs) sets the scale: ω₂τ from 0.0054 to 0.16 over the sweep, the error 1.14–1.22 (ω₂τ)²
  const substrate = resistiveFromNetlist(parseSpice(readFileSync(join(__dirname, 'network.cir'), 'utf8'), 'network.cir'), { outputs: ['out'] });
  const tau = slowestRelaxationTime(substrate, substrate.equilibrium(substrate.drive(substrate.defaultInputs!)));
  expect(tau).toBeGreaterThan(8.5e-6);
  expect(tau).toBeLessThan(8.7e-6);
  points.forEach((p) => {
    const x = 2 * Math.PI * p.value * tau;
    // measured 1.22, 1.19, 1.17, 1.14
    expect(p.relativeError / x ** 2).toBeGreaterThan(1.1);
    expect(p.relativeError / x ** 2).toBeLessThan(1.3);
  });
});
