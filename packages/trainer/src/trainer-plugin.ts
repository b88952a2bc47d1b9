import { bindTask, definePlugin } from '@multimech/core';
import { allosteryTaskRecord } from './tasks/allostery-task';
import { irisTaskRecord } from './tasks/iris-task';
import { regressionTaskRecord } from './tasks/regression-task';

/** The built-in tasks: Iris, linear regression and allostery. */
export const trainerPlugin = definePlugin(({ bind }) => {
  bindTask(bind, irisTaskRecord);
  bindTask(bind, regressionTaskRecord);
  bindTask(bind, allosteryTaskRecord);
}, '@multimech/trainer');
