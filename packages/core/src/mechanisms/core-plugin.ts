import { adjointErrorRecord } from './adjoint-error';
import { dcActivationRecord } from './dc-activation';
import { productRuleRecord } from './product-rule';
import { bindActivation, bindErrorMechanism, bindRule, definePlugin } from '../plugin/registry';

/** What every experiment has: DC activation, the exact adjoint error, the product rule. */
export const corePlugin = definePlugin(({ bind }) => {
  bindActivation(bind, dcActivationRecord);
  bindErrorMechanism(bind, adjointErrorRecord);
  bindRule(bind, productRuleRecord);
}, '@multimech/core');
