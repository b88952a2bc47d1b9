import { significant, type DiagnosticSpec } from '@multimech/core';

/** A quadrature component above this fraction of the in-phase one: the run is far from quasi-static. */
export const QUADRATURE_LIMIT = 0.1;
/** A drive frequency above this fraction of the lowest resonance (ω/ω₀): the response is no longer quasi-static. */
export const RESONANCE_LIMIT = 0.5;

const shown = (x: number): string => significant(x, 4);

/**
 * What frequency propagation reports per measurement, in the order tables
 * show it (the quadrature first: it says how far from quasi-static the
 * reading is), and the warnings a run's worst values call for:
 *
 * - `quadratureRms` > 0.1 (relative to the in-phase reading, or over
 *   `inPhaseRms` where that is reported): the drive is too fast for the
 *   network's capacitance, the run is not quasi-static;
 * - `resonanceRatio` (ω/ω₀) ≥ 0.5: the drive is near or above the lowest resonance.
 */
export const frequencyDiagnostics: readonly DiagnosticSpec[] = [
  {
    name: 'quadratureRms',
    label: 'quadrature, rms relative to the in-phase reading',
    threshold: QUADRATURE_LIMIT,
    warning({ worst, at }) {
      if (worst.quadratureRms === undefined) return undefined;
      const ratio = worst.inPhaseRms !== undefined ? (worst.inPhaseRms > 0 ? worst.quadratureRms / worst.inPhaseRms : 0) : worst.quadratureRms;
      if (!(ratio > QUADRATURE_LIMIT)) return undefined;
      return (
        `the quadrature component reached ${shown(ratio)} of the in-phase one: the error frequency is not slow against the network's relaxation, ` +
        `so the in-phase reading departs from the gradient (about as the square of that); a lower frequency (${at('frequency')}) brings it back to quasi-static`
      );
    },
  },
  {
    name: 'resonanceRatio',
    label: 'ω₂/ω₀ (lowest resonance)',
    threshold: RESONANCE_LIMIT,
    warning({ worst }) {
      const r = worst.resonanceRatio ?? 0;
      if (!(r >= RESONANCE_LIMIT)) return undefined;
      return (
        `the drive frequency is ${r >= 1 ? 'above' : 'near'} the network's lowest resonance (ω/ω₀ up to ${shown(r)}): ` +
        'the response is no longer quasi-static; a frequency well below ω₀ (ω/ω₀ < 0.5) is needed'
      );
    },
  },
  { name: 'samples', label: 'samples in the window' },
  { name: 'window', label: 'lock-in window (s)' },
  { name: 'settleWindows', label: 'windows integrated before the one read' },
  { name: 'relaxationTime', label: 'slowest relaxation time τ (s)' },
  { name: 'transientNewtonMax', label: 'most Newton iterations in a time step' },
  { name: 'instants', label: 'instants of the activation period read' },
];
