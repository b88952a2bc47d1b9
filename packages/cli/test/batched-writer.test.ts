import { BatchedWriter } from '../src/batched-writer';

describe('text written in batches', () => {
  test('the first text at once, the next ones together once the interval has passed, the rest by the timer', async () => {
    const writes: string[] = [];
    let t = 0;
    const w = new BatchedWriter((text) => writes.push(text), 50, () => t);
    w.add('a');
    w.add('b');
    t = 20;
    w.add('c');
    expect(writes).toEqual(['a']);
    t = 50;
    w.add('d');
    expect(writes).toEqual(['a', 'bcd']);
    w.add('e');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(writes).toEqual(['a', 'bcd', 'e']);
    w.flush();
    expect(writes).toHaveLength(3); // nothing left: no empty write
  });

  test('a write that fails in the timer is thrown by the next call, and what was discarded is never written', async () => {
    let fail = false;
    const writes: string[] = [];
    const w = new BatchedWriter(
      (text) => {
        if (fail) throw new Error('disk full');
        writes.push(text);
      },
      30,
    );
    w.add('first');
    w.add('second');
    w.discard();
    w.add('third');
    fail = true;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(() => w.add('fourth')).toThrow('disk full');
    fail = false;
    w.add('fifth');
    w.flush();
    // 'second' discarded, 'third' lost with the failed write, 'fourth' refused with the failure
    expect(writes).toEqual(['first', 'fifth']);
  });
});
