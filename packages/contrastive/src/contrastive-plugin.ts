import { bindErrorMechanism, bindRule, definePlugin } from '@multimech/core';
import { contrastiveRuleRecord } from './contrastive-rule';
import { coupledLearningRecord } from './coupled-learning';
import { equilibriumPropagationRecord } from './equilibrium-propagation';

/** Registers the `ep` and `cl` error mechanisms and the `contrastive` rule. */
export const contrastivePlugin = definePlugin(({ bind }) => {
  bindErrorMechanism(bind, equilibriumPropagationRecord);
  bindErrorMechanism(bind, coupledLearningRecord);
  bindRule(bind, contrastiveRuleRecord);
}, '@multimech/contrastive');
