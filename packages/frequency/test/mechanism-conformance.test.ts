import { corePlugin, createRegistries } from '@multimech/core';
import { linearFixtures, nonlinearFixtures, runMechanismConformance } from '@multimech/conformance';
import { createAcActivation, frequencyErrorRecord, frequencyPlugin } from '../src';

/**
 * Frequency propagation runs the mechanism suite. PHYSICS.md §3: on linear networks the phasor and
 * the sampled (transient) lock-in are exact at any error amplitude β; on a
 * nonlinear network with a DC activation the transient reading errs as β²
 * and the small-signal mode is the adjoint; measurement noise falls as the
 * window's length to the −½.
 */
const registries = createRegistries([corePlugin, frequencyPlugin]);
const transient = { mode: 'transient', periods: 1, samplesPerPeriod: 16 };

runMechanismConformance('frequency', {
  record: frequencyErrorRecord,
  registries,
  noisy: { noise: 0.01 },
  claims: [
    { label: 'phasor mode, linear networks: exact at any β', knob: 'amplitude', values: [1e-6, 1e-3, 1, 1e3], exact: true },
    // the lock-in's rounding grows as the error signal shrinks against the activation: 1e-10 at β = 1e-4 here
    { label: 'transient mode, linear networks: exact at any β', knob: 'amplitude', values: [1e-4, 1e-2, 1, 100], section: transient, exact: true },
    { label: 'small-signal mode, nonlinear networks: the adjoint at any β', knob: 'amplitude', values: [1e-6, 1e-2], section: { mode: 'small-signal' }, exact: true, fixtures: () => nonlinearFixtures() },
    // with β = 1 the noise, not the signal's size, sets the error: 18% at 10 periods
    { label: 'measurement noise: the error falls as the window to the −½', knob: 'periods', values: [10, 40, 160, 640], section: { noise: 0.01, amplitude: 1 }, order: -0.5, seeds: 8 },
  ],
});

runMechanismConformance('frequency, transient mode on nonlinear networks', {
  record: frequencyErrorRecord,
  registries,
  section: transient,
  fixtures: () => nonlinearFixtures(),
  noisy: { noise: 1e-3 },
  // each sample's Newton starts from the last, so a second measurement rounds differently; the 1/β of the reading magnifies it to about 1e-10
  rounding: 1e-9,
  claims: [{ label: 'a DC activation: the error falls as β² (PHYSICS.md §3.2)', knob: 'amplitude', values: [0.3, 0.1, 0.03, 0.01], order: 2 }],
});

runMechanismConformance('frequency with the AC activation', {
  record: frequencyErrorRecord,
  registries,
  activation: createAcActivation(),
  fixtures: () => linearFixtures(2),
  noisy: { noise: 0.01 },
  claims: [
    { label: 'phasor mode: exact at any β', knob: 'amplitude', values: [1e-6, 1, 1e3], exact: true },
    { label: 'transient mode: exact at any β', knob: 'amplitude', values: [1e-4, 1, 100], section: { mode: 'transient' }, exact: true },
  ],
});

runMechanismConformance('frequency, time-series readout (rule time-average)', {
  record: frequencyErrorRecord,
  registries,
  activation: createAcActivation(),
  section: { readout: 'time-series', mode: 'small-signal' },
  fixtures: () => nonlinearFixtures(3),
});
