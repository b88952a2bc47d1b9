import { significant, type DiagnosticSpec } from '@multimech/core';

/** A Péclet number above this: advection carries the chemical faster than diffusion spreads it. */
export const PECLET_LIMIT = 1;
/** A relaxation residual above this: the chemical was read well before steady state. */
export const RELAXATION_LIMIT = 0.01;

const shown = (x: number): string => significant(x, 4);

/**
 * What chemical signalling reports per measurement, and the warnings a
 * run's worst values call for:
 *
 * - `negativeCount` > 0: concentrations went negative (one species on a
 *   baseline c₀ too low for the signal): how many epochs, the most nodes in
 *   one measurement, the most negative concentration (`negativeMin`) and
 *   the fix, a baseline c₀ ≥ `requiredBaseline` or two species;
 * - `pecletMax` > 1: advection dominates diffusion in some tube (the
 *   update departs from the gradient in proportion); a larger γ lowers it;
 * - `relaxationResidual` > 0.01: the chemical was read before steady state.
 */
export const chemicalDiagnostics: readonly DiagnosticSpec[] = [
  {
    name: 'negativeCount',
    label: 'nodes whose concentration went negative',
    threshold: 0,
    warning({ worst, trained, epochsWhere, at }) {
      if (!((worst.negativeCount ?? 0) > 0)) return undefined;
      const n = epochsWhere((d) => (d.negativeCount ?? 0) > 0);
      const lowest = worst.negativeMin;
      const required = worst.requiredBaseline ?? (lowest !== undefined ? -lowest : undefined);
      return (
        `chemical concentrations went negative in ${n} of ${trained} epochs (up to ${worst.negativeCount} nodes in one measurement` +
        `${lowest !== undefined ? `, the lowest concentration ${shown(lowest)}` : ''}): unphysical, and reported rather than clipped; ` +
        `${required !== undefined ? `a baseline c₀ of at least ${shown(required)} (${at('baseline')}) covers the most negative signal` : `a higher baseline c₀ (${at('baseline')}) covers it`}` +
        `, or two species carry the two signs (${at('species')} "two")`
      );
    },
  },
  { name: 'negativeMin', label: 'lowest concentration', worstIsSmallest: true },
  { name: 'requiredBaseline', label: 'smallest baseline c₀ that keeps every concentration non-negative' },
  {
    name: 'pecletMax',
    label: 'largest Péclet number over the tubes',
    threshold: PECLET_LIMIT,
    warning({ worst, trained, epochsWhere, at }) {
      if (!((worst.pecletMax ?? 0) > PECLET_LIMIT)) return undefined;
      const n = epochsWhere((d) => (d.pecletMax ?? 0) > PECLET_LIMIT);
      return (
        `advection dominates diffusion: the Péclet number reached ${shown(worst.pecletMax)}` +
        `${worst.pecletMedian !== undefined ? ` (median over the tubes up to ${shown(worst.pecletMedian)})` : ''} in ${n} of ${trained} epochs; ` +
        `above ${PECLET_LIMIT} the flow carries the chemical faster than it spreads and the update departs from the gradient in proportion; a larger ${at('gamma')} (faster diffusion) lowers it`
      );
    },
  },
  { name: 'pecletMedian', label: 'median Péclet number over the tubes' },
  {
    name: 'relaxationResidual',
    label: 'relaxation residual (0 at steady state, 1 at the start)',
    threshold: RELAXATION_LIMIT,
    warning({ worst, at }) {
      if (!((worst.relaxationResidual ?? 0) > RELAXATION_LIMIT)) return undefined;
      return `the chemical was read before steady state: relaxation residual up to ${shown(worst.relaxationResidual)} (0 at steady state, 1 at the start); a longer ${at('relaxation.time')} brings it closer`;
    },
  },
];
