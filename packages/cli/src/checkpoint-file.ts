import { InputFileError, MultimechError } from '@multimech/core';
import { REFUSED_CHECKPOINT_KEYS, TrainerCheckpoint, TrainerParts, checkCheckpoint, refusedKeyIn } from '@multimech/trainer';
import { parseJsonText, readInputFile } from './read-input-file';

/**
 * A checkpoint's text as JSON, parsed with a reviver that refuses the keys
 * `__proto__`, `constructor` and `prototype` wherever they appear (named by
 * their path: `history[3].__proto__`). A syntax error, or a key given
 * twice, is reported with its line, as for a config.
 */
export function parseCheckpointText(text: string, file: string): unknown {
  // a syntax error or a key given twice: with its line, as for a config
  parseJsonText(text, file);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let refused = false;
  const value: unknown = JSON.parse(text, (key: string, v: unknown) => {
    if (REFUSED_CHECKPOINT_KEYS.includes(key)) refused = true;
    return v;
  });
  if (refused) {
    const where = refusedKeyIn(value) ?? REFUSED_CHECKPOINT_KEYS.join(', ');
    throw new InputFileError(file, undefined, `${where}: a key no checkpoint has (${REFUSED_CHECKPOINT_KEYS.join(', ')} are refused wherever they appear)`);
  }
  return value;
}

/** What the command line expects of a checkpoint besides its fit to the trainer: the experiment (its config's hash) and the seed. */
export interface CheckpointIdentity {
  readonly experiment: string;
  readonly seed: number;
  /** Where the expected values come from, for messages (`the run's config.json`). */
  readonly source: string;
}

/**
 * Reads a checkpoint file and checks it whole (`checkCheckpoint`), and that
 * it belongs to the experiment and seed given; any problem is one line
 * naming the file and the key (`checkpoint.json: parameters[12]: expected a
 * value in [0.0001, 10], got 57`).
 */
export async function readCheckpoint(file: string, parts: Parameters<typeof checkCheckpoint>[1], identity: CheckpointIdentity): Promise<TrainerCheckpoint> {
  const value = parseCheckpointText(await readInputFile(file, 'a training checkpoint'), file);
  let checkpoint: TrainerCheckpoint;
  try {
    checkpoint = checkCheckpoint(value, parts);
  } catch (e) {
    if (e instanceof MultimechError) throw new InputFileError(file, undefined, e.message);
    throw e;
  }
  if (checkpoint.seed !== undefined && checkpoint.seed !== identity.seed) {
    throw new InputFileError(file, undefined, `seed: expected ${identity.seed} (the seed of ${identity.source}), got ${checkpoint.seed}: the checkpoint was written by a run with another seed`);
  }
  if (checkpoint.experiment !== undefined && checkpoint.experiment !== identity.experiment) {
    throw new InputFileError(
      file,
      undefined,
      `experiment: expected ${identity.experiment} (the hash of ${identity.source}), got ${checkpoint.experiment}: the checkpoint was written by a run of another config`,
    );
  }
  return checkpoint;
}
