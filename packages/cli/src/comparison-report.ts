import type { TargetLoss } from '@multimech/trainer';
import { ComparisonSummary, LEARNING_FRACTION, PairedMetric, SeedStat } from './comparison-summary';
import { diagnosticKeys } from './metrics-csv';
import { CONFIDENCE, MeanInterval, TIE_TOLERANCE, intervalSide } from './paired-statistics';

const plusMinus = (s: SeedStat | undefined, format: (x: number) => string): string =>
  s === undefined ? '-' : `${format(s.mean)} ± ${s.std === 0 ? '0' : format(s.std)}`;
const fixed4 = (x: number) => x.toFixed(4);
const precise = (x: number) => (x === 0 ? '0' : x.toPrecision(4));

/** The mechanism's name, marked when some of its runs did not learn: `lr0 (no learning: 2/2 runs)`. */
export function mechanismCell(r: ComparisonSummary): string {
  const flat = r.notLearning?.length ?? 0;
  return flat > 0 ? `${r.mechanism} (no learning: ${flat}/${r.runs} runs)` : r.mechanism;
}

/** The header and the formatted cells of the comparison table, shared by the printed table and comparison.md. */
export function comparisonCells(rows: readonly ComparisonSummary[], classification: boolean): { header: string[]; cells: string[][] } {
  const header = [
    'mechanism',
    'runs',
    ...(classification ? ['test accuracy', 'train accuracy'] : ['relative error']),
    'final loss',
    's/epoch',
    'fidelity cosine',
    'fidelity rel. error',
  ];
  const cells = rows.map((r) => [
    mechanismCell(r),
    String(r.runs),
    ...(classification ? [plusMinus(r.testAccuracy, fixed4), r.trainAccuracy ? fixed4(r.trainAccuracy.mean) : '-'] : [plusMinus(r.relativeError, precise)]),
    plusMinus(r.finalLoss, precise),
    plusMinus(r.secondsPerEpoch, (x) => x.toPrecision(2)),
    r.fidelity ? fixed4(r.fidelity.cosine) : '-',
    r.fidelity ? precise(r.fidelity.relativeError) : '-',
  ]);
  return { header, cells };
}

/** The table as aligned plain text (what `compare` prints at the end). */
export function comparisonTable(rows: readonly ComparisonSummary[], classification: boolean): string {
  const { header, cells } = comparisonCells(rows, classification);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
  const line = (row: readonly string[]) => row.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n') + '\n';
}

const mdCell = (x: string) => x.replace(/\|/g, '\\|');

const MINUS = '\u2212';

/** Numbers of a difference and its interval with one precision: three significant digits of the largest, a sign on each (`−0.0296`, `+0.0019`, `0`). */
export function formatDifferences(values: readonly number[]): string[] {
  const largest = Math.max(...values.map(Math.abs));
  const sign = (x: number, text: string) => (x > 0 ? `+${text}` : x < 0 ? `${MINUS}${text}` : '0');
  if (!(largest > 0)) return values.map(() => '0');
  if (values.every(Number.isInteger)) return values.map((x) => sign(x, String(Math.abs(x))));
  if (largest < 1e-4 || largest >= 1e6) return values.map((x) => sign(x, Math.abs(x).toExponential(1).replace('e-', `e${MINUS}`)));
  const decimals = Math.min(12, Math.max(0, 2 - Math.floor(Math.log10(largest))));
  return values.map((x) => sign(Number(x.toFixed(decimals)), Math.abs(x).toFixed(decimals)));
}

/** A mean difference and its interval: `−0.0296 [−0.0574, −0.0019]`; the mean alone without an interval; `-` without a mean. */
export function differenceText(d: MeanInterval | undefined): string {
  if (d === undefined || !Number.isFinite(d.mean)) return '-';
  if (d.low === undefined || d.high === undefined) return formatDifferences([d.mean])[0];
  const [mean, low, high] = formatDifferences([d.mean, d.low, d.high]);
  return `${mean} [${low}, ${high}]`;
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** `1 win, 0 ties, 2 losses`. */
export function winsTiesLosses(p: PairedMetric): string {
  const c = p.comparison;
  return `${count(c.wins, 'win', 'wins')}, ${count(c.ties, 'tie', 'ties')}, ${count(c.losses, 'loss', 'losses')}`;
}

/** Better or worse by the sign of a difference, in the figure's words (faster or slower for a time). */
function direction(p: PairedMetric, side: -1 | 1): string {
  const better = side > 0 === p.higherIsBetter;
  return p.key === 'epochs_to_target' ? (better ? 'faster' : 'slower') : better ? 'better' : 'worse';
}

/**
 * The answer to "is this mechanism distinguishable from the reference?", in
 * one sentence: on the task's figure (test accuracy or relative error),
 * whether the 95% t-interval of the paired difference excludes 0 and in which
 * direction, with the difference, its interval and the wins, ties and
 * losses; then, in the same sentence, the other figures (final loss, epochs
 * to the target loss) on which it is distinguishable. Undefined for the
 * reference itself.
 */
export function verdictSentence(r: ComparisonSummary): string | undefined {
  const paired = r.paired;
  const reference = r.reference;
  if (paired === undefined || paired.length === 0 || reference === undefined) return undefined;
  const [main, ...others] = paired;
  const c = main.comparison;
  const on = `on ${main.label}`;
  let sentence: string;
  if (c.n === 0) sentence = `${r.mechanism} and ${reference} have no seed in common`;
  else if (c.ties === c.n) sentence = `${r.mechanism} is the same as ${reference} ${on} in every seed (${winsTiesLosses(main)})`;
  else if (c.n === 1) sentence = `${r.mechanism} against ${reference} ${on}: ${differenceText(c.difference)} with one seed, so no interval (${winsTiesLosses(main)})`;
  else {
    const side = intervalSide(c.difference);
    sentence =
      side === 0
        ? `${r.mechanism} is not distinguishable from ${reference} ${on}: ${differenceText(c.difference)}, ${winsTiesLosses(main)}`
        : `${r.mechanism} is ${direction(main, side)} than ${reference} ${on}: ${differenceText(c.difference)}, ${winsTiesLosses(main)}`;
  }
  const more = others.flatMap((p) => {
    const side = intervalSide(p.comparison.difference);
    // a time that one of the two never reached: no difference, but the count says it
    if (p.key === 'epochs_to_target' && p.comparison.difference === undefined && p.comparison.ties < p.comparison.n && r.epochsToTarget) {
      const missed = r.runs - r.epochsToTarget.reached;
      return [
        missed > 0
          ? `did not reach the target loss in ${missed} of ${r.runs} runs (${winsTiesLosses(p)})`
          : `reached the target loss in every run, where ${reference} did not always (${winsTiesLosses(p)})`,
      ];
    }
    if (side === 0 || p.comparison.ties === p.comparison.n) return [];
    const what = p.key === 'epochs_to_target' ? `${direction(p, side)} to the target loss` : `${direction(p, side)} on ${p.label}`;
    return [`${what}: ${differenceText(p.comparison.difference)}, ${winsTiesLosses(p)}`];
  });
  return `${sentence}${more.length > 0 ? `; and ${more.join('; and ')}` : ''}.`;
}

/** The sentences of every mechanism but the reference, in the table's order. */
export function verdicts(rows: readonly ComparisonSummary[]): string[] {
  return rows.map(verdictSentence).filter((v): v is string => v !== undefined);
}

/** What the target loss is, in words: `half the initial training loss`, `0.1 × the initial training loss`, `a training loss of 0.2`. */
export function targetLossText(target: TargetLoss): string {
  if (target.value !== undefined) return `a training loss of ${target.value}`;
  return target.fraction === 0.5 ? 'half the initial training loss' : `${target.fraction} × the initial training loss`;
}

/** The lines printed after the table: what the differences are, then a sentence per mechanism. None with one mechanism. */
export function verdictLines(rows: readonly ComparisonSummary[], seeds: readonly number[]): string[] {
  const sentences = verdicts(rows);
  const reference = rows.find((r) => r.reference !== undefined)?.reference;
  if (sentences.length === 0 || reference === undefined) return [];
  const over = seeds.length === 1 ? `seed ${seeds[0]} only: no interval` : `seeds ${seeds.join(', ')}; mean difference and its ${CONFIDENCE * 100}% t-interval`;
  return [`against ${reference}, seed by seed (mechanism − ${reference}, ${over}):`, ...sentences];
}

const timeCell = (r: ComparisonSummary) =>
  r.epochsToTarget === undefined ? '-' : r.epochsToTarget.mean === undefined ? `not reached (0/${r.runs})` : `${Number(r.epochsToTarget.mean.toFixed(1))} (${r.epochsToTarget.reached}/${r.runs})`;

/** The paired table in Markdown: per mechanism, each paired figure's difference to the reference with its interval, and its wins/ties/losses. */
export function pairedMarkdownTable(rows: readonly ComparisonSummary[], target: TargetLoss): string {
  const labels = rows.find((r) => r.paired && r.paired.length > 0)?.paired?.map((p) => p.label) ?? [];
  const reference = rows.find((r) => r.reference !== undefined)?.reference ?? '';
  const header = ['mechanism', `epochs to ${targetLossText(target)} (runs that reached it)`, ...labels.flatMap((l) => [`${l} − ${reference} [${CONFIDENCE * 100}% CI]`, 'W / T / L'])];
  const cells = rows.map((r) => [
    mdCell(mechanismCell(r)),
    timeCell(r),
    ...labels.flatMap((label) => {
      if (r.mechanism === r.reference) return ['reference', ''];
      const p = r.paired?.find((x) => x.label === label);
      return p ? [differenceText(p.comparison.difference), `${p.comparison.wins} / ${p.comparison.ties} / ${p.comparison.losses}`] : ['-', '-'];
    }),
  ]);
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, c) => (c === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...cells.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

/**
 * comparison.md's section on the paired comparison: how the differences and
 * their intervals are computed, a sentence per mechanism, the paired table.
 * No lines when there is one mechanism.
 */
export function pairedMarkdown(rows: readonly ComparisonSummary[], seeds: readonly number[], target: TargetLoss): string[] {
  const sentences = verdicts(rows);
  const reference = rows.find((r) => r.reference !== undefined)?.reference;
  if (sentences.length === 0 || reference === undefined) return [];
  const how =
    seeds.length === 1
      ? `With one seed there is one difference per mechanism and no interval: add seeds to tell mechanisms apart.`
      : `Each figure is the mean over the ${seeds.length} seeds of the mechanism's value minus ${reference}'s at the same seed ` +
        `(every mechanism sees the same split, initial network and minibatch order at a seed), with its ${CONFIDENCE * 100}% confidence interval ` +
        `from Student's t with ${seeds.length - 1} ${seeds.length === 2 ? 'degree' : 'degrees'} of freedom (mean ± t(0.975, ${seeds.length - 1}) · s/√${seeds.length}, s the standard deviation of the differences). ` +
        `A mechanism is distinguishable from ${reference} on a figure when the interval excludes 0.`;
  return [
    `## Against ${reference}, seed by seed`,
    '',
    how,
    '',
    `A seed is a win when the mechanism's value is better (higher accuracy; lower relative error, loss or epochs), a tie when the two differ by at most ${TIE_TOLERANCE.toExponential()} of the larger (rounding), a loss otherwise. ` +
      `The target loss is ${targetLossText(target)}; a run that never reached it loses to one that did.`,
    '',
    ...sentences.map((v) => `- ${v}`),
    '',
    pairedMarkdownTable(rows, target),
    '',
  ];
}

/** comparison.md's lines on the runs that did not learn; none when every run learned. */
export function learningMarkdown(rows: readonly ComparisonSummary[]): string[] {
  const warnings = rows.flatMap((r) => (r.learningWarning ? [r.learningWarning] : []));
  if (warnings.length === 0) return [];
  return [
    `Runs whose training loss fell by less than ${LEARNING_FRACTION * 100}% of its initial value are marked "no learning" in the table:`,
    '',
    ...warnings.map((w) => `- **Warning:** ${mdCell(w.replace(/^warning: /, ''))}`),
    '',
  ];
}

/** The table in Markdown. */
export function comparisonMarkdownTable(rows: readonly ComparisonSummary[], classification: boolean): string {
  const { header, cells } = comparisonCells(rows, classification);
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, c) => (c === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...cells.map((row) => `| ${row.map(mdCell).join(' | ')} |`),
  ].join('\n');
}

/** What comparison.md says about the comparison besides its table. */
export interface ComparisonReportInfo {
  readonly name: string;
  readonly description?: string;
  readonly substrate: string;
  readonly task: string;
  readonly parameters: number;
  readonly seeds: readonly number[];
  readonly epochs: number;
  readonly workers: number;
  readonly fidelityExamples: number;
  /** The target loss the runs are timed to (default: half the initial loss). */
  readonly targetLoss?: TargetLoss;
  /** Per mechanism, in the table's order: `activation / error / rule` kinds. */
  readonly kinds: readonly { readonly activation: string; readonly error: string; readonly rule: string }[];
  /** Plots as [file stem, caption]; each has an .svg and a .png. */
  readonly plots: readonly (readonly [string, string])[];
  readonly files: readonly string[];
}

const diagnosticCell = (x: number | undefined) => (x === undefined ? '-' : x === 0 ? '0' : String(Number(x.toPrecision(4))));

/**
 * comparison.md's Diagnostics section: the worst value over the seeds and
 * epochs of each diagnostic a mechanism reports (a row per mechanism that
 * reports any), then the warnings they raise, or that there are none. No
 * lines when no mechanism reports a diagnostic.
 */
export function diagnosticsMarkdown(rows: readonly ComparisonSummary[]): string[] {
  const keys = diagnosticKeys(rows);
  if (keys.length === 0) return [];
  const reporting = rows.filter((r) => Object.keys(r.diagnostics).length > 0);
  const warnings = rows.flatMap((r) => r.warnings);
  return [
    '## Diagnostics',
    '',
    'What each error mechanism reported, its worst value over every seed and epoch (the smallest for a name ending in `Min`, else the largest; `diag_…` in comparison.csv, per epoch in runs.csv).',
    '',
    `| mechanism | ${keys.join(' | ')} |`,
    `| --- |${keys.map(() => ' ---: ').join('|')}|`,
    ...reporting.map((r) => `| ${mdCell(r.mechanism)} | ${keys.map((k) => diagnosticCell(r.diagnostics[k])).join(' | ')} |`),
    '',
    ...(warnings.length > 0 ? warnings.map((w) => `- **Warning:** ${mdCell(w.replace(/^warning: /, ''))}`) : ['No diagnostic is beyond its warning threshold.']),
    '',
  ];
}

/** comparison.md: what was compared, the table, the mechanisms' kinds, the diagnostics and their warnings, the plots. */
export function comparisonMarkdown(rows: readonly ComparisonSummary[], classification: boolean, info: ComparisonReportInfo): string {
  return [
    `# ${info.name}`,
    '',
    ...(info.description ? [info.description, ''] : []),
    `- substrate: ${info.substrate} (${info.parameters} trainable parameters); task: ${info.task}`,
    `- seeds: ${info.seeds.join(', ')}; ${info.epochs} epochs per run; ${rows.length * info.seeds.length} runs in ${info.workers === 1 ? 'one thread' : `${info.workers} worker threads`}` +
      ' (seconds per epoch are measured while the runs share the machine)',
    `- figures: mean ± standard deviation over the seeds (n − 1; 0 for one seed), after the last epoch; the loss is the training loss`,
    `- fidelity: at the initial parameters of seed ${info.seeds[0]}, mean over ${info.fidelityExamples} training examples of the cosine and of ‖estimate − exact‖/‖exact‖ against the exact (adjoint) gradient`,
    '',
    comparisonMarkdownTable(rows, classification),
    '',
    ...learningMarkdown(rows),
    ...pairedMarkdown(rows, info.seeds, info.targetLoss ?? { fraction: 0.5 }),
    '| mechanism | activation | error | rule |',
    '| --- | --- | --- | --- |',
    ...rows.map((r, i) => `| ${mdCell(r.mechanism)} | ${info.kinds[i].activation} | ${info.kinds[i].error} | ${info.kinds[i].rule} |`),
    '',
    ...diagnosticsMarkdown(rows),
    ...info.plots.flatMap(([stem, caption]) => [`![${caption}](${stem}.svg)`, '']),
    `Files: ${info.files.map((f) => `[${f}](${f})`).join(', ')}.`,
    '',
  ].join('\n');
}
