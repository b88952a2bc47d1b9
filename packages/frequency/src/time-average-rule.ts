import * as t from 'io-ts';
import { type ConfigOf, type WrittenSection, MultimechError, strictObject, type LearningRule, type RuleRecord } from '@multimech/core';

/**
 * The AC-activation rule of PHYSICS.md §3.2: each edge averages over time
 * the instantaneous product of its activation drop and its error response,
 * ⟨(∂²e_k/∂θ∂Δs)(Δs(t)) · Δu(t)⟩, the gradient of the time-averaged loss.
 * It consumes 'time-series' readings (frequency propagation's
 * `"readout": "time-series"`); it is its own rule, chosen explicitly, never
 * a stand-in for the product of the two lock-in coefficients.
 */
export const timeAverageRule: LearningRule = {
  kind: 'time-average',
  consumes: 'time-series',
  gradient(substrate, _activation, error) {
    const series = error.series;
    if (!series || series.activation.length === 0 || series.activation.length !== series.error.length) {
      throw new MultimechError("rule 'time-average' needs the error mechanism's time series (frequency propagation with \"readout\": \"time-series\")");
    }
    const g = new Float64Array(substrate.parameters.length);
    const M = series.activation.length;
    for (let j = 0; j < M; j++) {
      const local = substrate.localGradient(series.activation[j], series.error[j]);
      for (let k = 0; k < g.length; k++) g[k] += local[k] / M;
    }
    return g;
  },
};

export const timeAverageRuleRecord: RuleRecord<{}> = {
  kind: 'time-average',
  description: "time average of each edge's instantaneous activation × error product: the gradient of the time-averaged loss (an AC activation on a nonlinear network)",
  configCodec: strictObject('a time-average rule ({ "kind": "time-average" })', {}) as t.Type<{}, unknown, unknown>,
  consumes: 'time-series',
  create: () => timeAverageRule,
};

/** The `rule` section of the time-average rule as written (`{ "kind": "time-average" }`: no settings). */
export type TimeAverageRuleSection = WrittenSection<'time-average', ConfigOf<typeof timeAverageRuleRecord.configCodec>>;
