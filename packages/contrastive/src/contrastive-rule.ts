import * as t from 'io-ts';
import { type ConfigOf, type WrittenSection, strictObject, type LearningRule, type RuleRecord } from '@multimech/core';

/**
 * The contrastive rule: the error mechanism (equilibrium propagation,
 * coupled learning) already contrasted each edge's ∂E/∂θ between two
 * states, so its readings are the gradient estimate; Δθ = −α·estimate.
 */
export const contrastiveRule: LearningRule = {
  kind: 'contrastive',
  consumes: 'contrastive',
  gradient(_substrate, _activation, error) {
    return Float64Array.from(error.readings);
  },
};

export const contrastiveRuleRecord: RuleRecord<{}> = {
  kind: 'contrastive',
  description: "the contrastive difference of ∂E/∂θ between two states, as measured by the 'ep' or 'cl' error mechanism",
  configCodec: strictObject('a contrastive rule ({ "kind": "contrastive" })', {}) as t.Type<{}, unknown, unknown>,
  consumes: 'contrastive',
  create: () => contrastiveRule,
};

/** The `rule` section of the contrastive rule as written (`{ "kind": "contrastive" }`: no settings). */
export type ContrastiveRuleSection = WrittenSection<'contrastive', ConfigOf<typeof contrastiveRuleRecord.configCodec>>;
