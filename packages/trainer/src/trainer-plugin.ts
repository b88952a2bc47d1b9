import { bindTask, definePlugin } from '@multimech/core';
import { irisTaskRecord } from './tasks/iris-task';
import { regressionTaskRecord } from './tasks/regression-task';

/** The built-in tasks: Iris and linear regression. */
export const trainerPlugin = definePlugin(({ bind }) => {
  bindTask(bind, irisTaskRecord);
  bindTask(bind, regressionTaskRecord);
});
