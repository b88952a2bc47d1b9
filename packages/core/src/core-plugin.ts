import { adjointErrorRecord } from './mechanisms/adjoint-error';
import { dcActivationRecord } from './mechanisms/dc-activation';
import { productRuleRecord } from './mechanisms/product-rule';
import { bindActivation, bindErrorMechanism, bindRule, definePlugin } from './registry';

/** What every experiment has: DC activation, the exact adjoint error, the product rule. */
export const corePlugin = definePlugin(({ bind }) => {
  bindActivation(bind, dcActivationRecord);
  bindErrorMechanism(bind, adjointErrorRecord);
  bindRule(bind, productRuleRecord);
});
