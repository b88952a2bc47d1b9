import { resistivePlugin } from '@multimech/resistive';
import { createExperiment } from '@multimech/trainer';
import { contrastivePlugin } from '../src';

const base = {
  seed: 4,
  substrate: { kind: 'resistive', network: { generator: 'layered', hidden: [6] } },
  task: { kind: 'regression', features: 3, outputs: 2, train: 24, test: 12 },
  rule: { kind: 'contrastive' },
  optimizer: { learningRate: 0.2, batchSize: 6 },
  training: { epochs: 8 },
};

/**
 * A small regression trained end to end through createExperiment: the loss
 * must fall, and EP must follow the exact gradient's run closely.
 */
describe('training with the contrastive mechanisms', () => {
  const adjoint = createExperiment({ ...base, error: { kind: 'adjoint' }, rule: { kind: 'product' } }, [resistivePlugin]).trainer.run();

  it.each([
    ['ep (centred, β = 0.01)', { kind: 'ep' }],
    ['ep (positive, β = 0.1)', { kind: 'ep', variant: 'positive', beta: 0.1 }],
    ['cl (η = 0.1)', { kind: 'cl' }],
  ])('%s: the training loss falls', (_, error) => {
    const { trainer } = createExperiment({ ...base, error }, [resistivePlugin, contrastivePlugin]);
    const { history } = trainer.run();
    const first = history[0].trainLoss;
    const last = history[history.length - 1].trainLoss;
    expect(last).toBeLessThan(0.7 * first);
    expect(history[history.length - 1].testLoss).toBeLessThan(history[0].testLoss);
  });

  it('centred EP retraces the exact-gradient run (loss within 1e-3 relative at every epoch)', () => {
    const { history } = createExperiment({ ...base, error: { kind: 'ep' } }, [resistivePlugin, contrastivePlugin]).trainer.run();
    history.forEach((h, i) => expect(Math.abs(h.trainLoss - adjoint.history[i].trainLoss)).toBeLessThan(1e-3 * adjoint.history[i].trainLoss));
  });
});
