import { significant, type DiagnosticSpec } from '@multimech/core';
import { MAX_NEWTON_STEPS } from './newton-nudged-solver';

/** The Newton steps a nudged or clamped state may take (the solver's limit, per state), unless a mechanism reports its own as `newtonStepsLimit`. */
export const NEWTON_STEP_LIMIT = MAX_NEWTON_STEPS;
/** Newton steps at or above this fraction of the limit are near it. */
export const NEWTON_NEAR = 0.8;

const shown = (x: number): string => significant(x, 4);

/** What EP and CL report per measurement: the Newton steps of the nudged or clamped states, and a warning when they come near the limit. */
export const contrastiveDiagnostics: readonly DiagnosticSpec[] = [
  {
    name: 'newtonSteps',
    label: "Newton steps of one example's nudged or clamped states",
    threshold: NEWTON_NEAR * NEWTON_STEP_LIMIT,
    warning({ worst }) {
      if (worst.newtonSteps === undefined) return undefined;
      const limit = worst.newtonStepsLimit ?? NEWTON_STEP_LIMIT;
      if (!(worst.newtonSteps >= NEWTON_NEAR * limit)) return undefined;
      return (
        `Newton took up to ${shown(worst.newtonSteps)} steps for one example's nudged or clamped states, near its limit of ${shown(limit)} per state; ` +
        'a smaller nudge (β, η) keeps the states closer to the free state'
      );
    },
  },
  { name: 'newtonStepsLimit', label: 'the Newton steps allowed per state' },
];
