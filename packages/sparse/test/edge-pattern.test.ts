import { csrFindSlot, csrToDense } from '../src/csr-matrix';
import { addEdgeLaplacian, edgePattern } from '../src/edge-pattern';

describe('edgePattern', () => {
  it("a path a–b–c grounded at c: each edge's slots, -1 where an end is held, and the Laplacian assembled in place", () => {
    // nodes 0, 1, 2; node 2 held (no row)
    const p = edgePattern(2, [0, 1, -1], [0, 1], [1, 2]);
    expect(Array.from(p.slots)).toEqual([
      csrFindSlot(p.matrix, 0, 0), csrFindSlot(p.matrix, 1, 1), csrFindSlot(p.matrix, 0, 1), csrFindSlot(p.matrix, 1, 0),
      csrFindSlot(p.matrix, 1, 1), -1, -1, -1,
    ]);
    expect(Array.from(p.diagonal)).toEqual([csrFindSlot(p.matrix, 0, 0), csrFindSlot(p.matrix, 1, 1)]);
    addEdgeLaplacian(p.slots, [2, 3], p.matrix.values);
    expect(csrToDense(p.matrix)).toEqual([
      [2, -2],
      [-2, 5],
    ]);
  });

  it('blocks of d×d for springs: a pinned coordinate has no row, and every row keeps its diagonal', () => {
    // two 2-D nodes joined by one spring; node 1's y pinned
    const p = edgePattern(3, [0, 1, 2, -1], [0], [1], 2);
    expect(p.block).toBe(2);
    expect(p.slots).toHaveLength(4 * 2 * 2);
    // block (b,b), entry (y,y): the pinned coordinate
    expect(p.slots[((4 * 0 + 1) * 2 + 1) * 2 + 1]).toBe(-1);
    // block (a,b), entry (x,x): rows 0 and 2
    expect(p.slots[((4 * 0 + 2) * 2 + 0) * 2 + 0]).toBe(csrFindSlot(p.matrix, 0, 2));
    expect(p.matrix.rows).toBe(3);
    expect(Array.from(p.diagonal).every((s) => s >= 0)).toBe(true);
    // a full 3×3 pattern: the free coordinates of both nodes all couple through the spring
    expect(p.matrix.rowPtr[3]).toBe(9);
  });
});
