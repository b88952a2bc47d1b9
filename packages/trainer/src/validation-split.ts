import { MultimechError, type Rng, type Task } from '@multimech/core';
import { stratifiedSplit } from './tasks/stratified-split';

/**
 * The task with a validation split carved from its training examples in
 * place of its test split: `fraction` of the training examples (rounded,
 * at least one, leaving at least one to train on), stratified by class when
 * every training example has a label, otherwise drawn at random, by `rng`.
 * The task's own test examples are not reachable from the result, so a run
 * on it cannot touch them. Everything else (the loss, the encoding, the
 * classes) is the task's own.
 */
export function validationTask(task: Task, fraction: number, rng: Rng): Task {
  if (!(fraction > 0 && fraction < 1)) throw new MultimechError(`the validation fraction must lie strictly between 0 and 1, got ${fraction}`);
  const n = task.train.length;
  if (n < 2) throw new MultimechError(`a validation split needs at least 2 training examples; task '${task.kind}' has ${n}`);
  const count = Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
  const labels = task.train.map((e) => e.label);
  const split = labels.every((l): l is number => l !== undefined) ? stratifiedSplit(labels, count, rng) : randomSplit(n, count, rng);
  return Object.create(task, {
    train: { value: split.train.map((i) => task.train[i]), enumerable: true },
    test: { value: split.test.map((i) => task.train[i]), enumerable: true },
  }) as Task;
}

/** `count` of `n` indices drawn at random for the test side; both lists sorted. */
function randomSplit(n: number, count: number, rng: Rng): { train: number[]; test: number[] } {
  const order = rng.shuffle([...Array(n).keys()]);
  return { train: order.slice(count).sort((a, b) => a - b), test: order.slice(0, count).sort((a, b) => a - b) };
}
