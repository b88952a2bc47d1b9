import * as t from 'io-ts';
import { type ConfigOf, type WrittenSection, strictObject } from '../config/codecs';
import type { LearningRule, RuleRecord } from '../contracts/learning-rule';

/**
 * Δθ_k ∝ −(activation reading)·(error reading), through the substrate's
 * mixed derivative ∂²e_k/∂θ∂Δs (PHYSICS.md §2, §3.1). When the error
 * mechanism measured the activation itself (a joint lock-in run), the edge
 * uses what it measured.
 */
export const productRule: LearningRule = {
  kind: 'product',
  consumes: 'product',
  gradient(substrate, activation, error) {
    return substrate.localGradient(error.activationReadings ?? activation.readings, error.readings);
  },
};

export const productRuleRecord: RuleRecord<{}> = {
  kind: 'product',
  description: 'product of the activation and error readings on each edge',
  configCodec: strictObject('a product rule ({ "kind": "product" })', {}) as t.Type<{}, unknown, unknown>,
  consumes: 'product',
  create: () => productRule,
};

/** The `rule` section of the product rule as written (`{ "kind": "product" }`: no settings). */
export type ProductRuleSection = WrittenSection<'product', ConfigOf<typeof productRuleRecord.configCodec>>;
