/**
 * Fill-reducing orderings for sparse Cholesky.
 *
 * `amdOrdering` is an approximate minimum degree ordering on a quotient
 * graph, after Amestoy, Davis & Duff, "An approximate minimum degree ordering
 * algorithm", SIAM J. Matrix Anal. Appl. 17(4), 1996: eliminated nodes become
 * elements, elements adjacent to a pivot are absorbed into the new element,
 * degrees are bounded by the approximate external degree, indistinguishable
 * nodes are merged into supervariables (found by hashing), nodes whose degree
 * drops to zero are mass-eliminated with the pivot, and dense rows are
 * postponed to the end.
 *
 * A permutation `perm` lists pivots: `perm[k]` is the original index of the
 * k-th pivot.
 */

import { CsrMatrix } from './csr-matrix';
import { Adjacency, symmetricAdjacency } from './graph-adjacency';
import { NestedDissectionOptions, nestedDissection } from './nested-dissection';

/** Which fill-reducing ordering to use. */
export type OrderingMethod = 'amd' | 'natural' | 'nested-dissection';

/** Options of {@link amdOrdering}. */
export interface AmdOptions {
  /**
   * Rows with more than `max(16, dense * sqrt(n))` neighbours are treated as
   * dense and ordered last. Default 10; a negative value disables this.
   */
  readonly dense?: number;
}

/** Computes a fill-reducing permutation of the symmetric pattern of `A`. */
export function computeOrdering(A: CsrMatrix, method: OrderingMethod = 'amd'): Int32Array {
  if (A.rows !== A.cols) throw new Error(`ordering: matrix must be square, got ${A.rows}x${A.cols}`);
  switch (method) {
    case 'natural':
      return naturalOrdering(A.rows);
    case 'amd':
      return amdOrdering(A);
    case 'nested-dissection':
      return nestedDissectionOrdering(A);
    default:
      throw new Error(`ordering: unknown method '${String(method)}'`);
  }
}

/** The identity permutation of size `n`. */
export function naturalOrdering(n: number): Int32Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  return perm;
}

/** Inverse of a permutation: `inv[perm[k]] = k`. */
export function invertPermutation(perm: Int32Array): Int32Array {
  const inv = new Int32Array(perm.length);
  for (let k = 0; k < perm.length; k++) inv[perm[k]] = k;
  return inv;
}

/** True when `perm` holds each of `0 .. n - 1` exactly once. */
export function isPermutation(perm: ArrayLike<number>, n: number): boolean {
  if (perm.length !== n) return false;
  const seen = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = perm[k];
    if (!Number.isInteger(i) || i < 0 || i >= n || seen[i]) return false;
    seen[i] = 1;
  }
  return true;
}

/**
 * Approximate minimum degree ordering of the pattern of `A + A^T` (the
 * diagonal and the values are ignored).
 */
export function amdOrdering(A: CsrMatrix, options: AmdOptions = {}): Int32Array {
  if (A.rows !== A.cols) throw new Error(`amdOrdering: matrix must be square, got ${A.rows}x${A.cols}`);
  return amdOnGraph(symmetricAdjacency(A), options);
}

/** Approximate minimum degree ordering of a graph given as symmetric adjacency lists without self loops. */
export function amdOnGraph(adjacency: Adjacency, options: AmdOptions = {}): Int32Array {
  const n = adjacency.ptr.length - 1;
  if (n <= 0) return new Int32Array(0);
  const graph = new QuotientGraph(adjacency.ptr, adjacency.idx, denseThreshold(n, options.dense ?? 10));
  graph.eliminateAll();
  return graph.permutation();
}

/** Nested dissection of the pattern of `A + A^T`, with AMD on the small pieces. */
export function nestedDissectionOrdering(A: CsrMatrix, options: NestedDissectionOptions = {}): Int32Array {
  if (A.rows !== A.cols) throw new Error(`nestedDissectionOrdering: matrix must be square, got ${A.rows}x${A.cols}`);
  return nestedDissection(symmetricAdjacency(A), (leaf) => amdOnGraph(leaf), options);
}

function denseThreshold(n: number, dense: number): number {
  if (dense < 0) return n;
  return Math.min(n, Math.max(16, Math.floor(dense * Math.sqrt(n))));
}

/** Encodes a node index as a negative number (and back): -2 - i. */
function flip(i: number): number {
  return -i - 2;
}

/**
 * The quotient graph of AMD. Node `i` is a variable (not yet eliminated), an
 * element (an eliminated pivot that represents the clique it created), or
 * dead (absorbed into another variable or element; `pe[i] = flip(owner)`).
 *
 * Storage: the list of node `i` lives in `iw[pe[i] .. pe[i] + len[i] - 1]`;
 * for a variable the first `elen[i]` entries are elements and the rest are
 * variables. `nv[i]` is the number of original nodes in supervariable `i`
 * (negated while `i` is in the pivot element being built). Variables sit in
 * doubly linked degree lists `head/next/last`.
 */
class QuotientGraph {
  private readonly n: number;
  private iw: Int32Array;
  private free: number;
  private readonly pe: Int32Array;
  private readonly len: Int32Array;
  private readonly elen: Int32Array;
  private readonly nv: Int32Array;
  private readonly degree: Int32Array;
  /** For elements: `|Le \ Lk| + mark` during a step; 0 for absorbed elements. */
  private readonly w: Int32Array;
  private readonly head: Int32Array;
  private readonly next: Int32Array;
  private readonly last: Int32Array;
  private readonly hashHead: Int32Array;
  /** Pivot step of each node that became an element, -1 otherwise. */
  private readonly stepOf: Int32Array;
  /** Nodes postponed as dense, in the order found. */
  private readonly denseNodes: number[] = [];
  private steps = 0;
  private mark = 0;
  private lemax = 0;
  private mindeg = 0;
  private nel = 0;
  // The pivot element under construction: iw[pk1 .. pk2 - 1], degree dk.
  private pk1 = 0;
  private pk2 = 0;
  private dk = 0;
  private nvk = 0;

  constructor(ptr: Int32Array, idx: Int32Array, dense: number) {
    const n = ptr.length - 1;
    this.n = n;
    const nz = idx.length;
    this.iw = new Int32Array(nz + Math.floor(nz / 5) + 2 * n + 1);
    this.iw.set(idx);
    this.free = nz;
    this.pe = ptr.slice(0, n);
    this.len = new Int32Array(n);
    this.elen = new Int32Array(n);
    this.nv = new Int32Array(n).fill(1);
    this.degree = new Int32Array(n);
    this.w = new Int32Array(n).fill(1);
    this.head = new Int32Array(n + 1).fill(-1);
    this.next = new Int32Array(n).fill(-1);
    this.last = new Int32Array(n).fill(-1);
    this.hashHead = new Int32Array(n).fill(-1);
    this.stepOf = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      this.len[i] = ptr[i + 1] - ptr[i];
      this.degree[i] = this.len[i];
    }
    this.mark = this.clearMarks(0);
    this.initialiseDegreeLists(dense);
  }

  /** Puts every node in its degree list; isolated and dense nodes are settled now. */
  private initialiseDegreeLists(dense: number): void {
    const { n, degree, elen, pe, w, nv, head, next, last } = this;
    for (let i = 0; i < n; i++) {
      const d = degree[i];
      if (d === 0) {
        // Isolated: an element with an empty list right away.
        elen[i] = -2;
        pe[i] = -1;
        w[i] = 0;
        this.stepOf[i] = this.steps++;
        this.nel++;
      } else if (d > dense) {
        // Dense: removed from the graph (nv = 0 hides it from every list) and ordered last.
        nv[i] = 0;
        elen[i] = -1;
        pe[i] = -1;
        this.denseNodes.push(i);
        this.nel++;
      } else {
        if (head[d] !== -1) last[head[d]] = i;
        next[i] = head[d];
        head[d] = i;
      }
    }
  }

  /** Runs the elimination until every node is ordered. */
  eliminateAll(): void {
    while (this.nel < this.n) {
      const k = this.selectPivot();
      const elenk = this.elen[k];
      this.nvk = this.nv[k];
      this.nel += this.nvk;
      this.stepOf[k] = this.steps++;
      if (elenk > 0 && this.free + this.mindeg >= this.iw.length) this.compact();
      this.buildElement(k, elenk);
      this.computeSetDifferences();
      this.updateDegrees(k);
      this.degree[k] = this.dk;
      this.lemax = Math.max(this.lemax, this.dk);
      this.mark = this.clearMarks(this.mark + this.lemax);
      this.detectSupervariables();
      this.finalizeElement(k, elenk);
    }
  }

  /** Removes and returns a variable of minimum approximate degree. */
  private selectPivot(): number {
    const { head, next, last, n } = this;
    let k = -1;
    while (this.mindeg < n && (k = head[this.mindeg]) === -1) this.mindeg++;
    if (k < 0) throw new Error('amdOrdering: internal error, no pivot left');
    if (next[k] !== -1) last[next[k]] = -1;
    head[this.mindeg] = next[k];
    return k;
  }

  /** Removes variable `i` from its degree list. */
  private unlinkDegree(i: number): void {
    const { next, last, head } = this;
    if (next[i] !== -1) last[next[i]] = last[i];
    if (last[i] !== -1) next[last[i]] = next[i];
    else head[this.degree[i]] = next[i];
  }

  /**
   * Garbage collection: slides every live list to the front of `iw`. The
   * first entry of each live list is swapped for `flip(owner)` so that a
   * linear scan can find list starts.
   */
  private compact(): void {
    const { n, pe, len } = this;
    let iw = this.iw;
    for (let j = 0; j < n; j++) {
      const p = pe[j];
      if (p >= 0 && len[j] > 0) {
        pe[j] = iw[p];
        iw[p] = flip(j);
      }
    }
    let q = 0;
    for (let p = 0; p < this.free; ) {
      const j = flip(iw[p++]);
      if (j < 0) continue;
      iw[q] = pe[j];
      pe[j] = q++;
      for (let t = 1; t < len[j]; t++) iw[q++] = iw[p++];
    }
    this.free = q;
    if (this.free + this.n >= iw.length) {
      // Still tight: grow the workspace.
      const bigger = new Int32Array(iw.length + (iw.length >> 1) + this.n);
      bigger.set(iw.subarray(0, this.free));
      iw = bigger;
      this.iw = iw;
    }
  }

  /**
   * Forms the pivot element Lk: the union of the variables of k and of the
   * elements adjacent to k, which are absorbed. Members get nv negated.
   */
  private buildElement(k: number, elenk: number): void {
    const { pe, len, nv, w } = this;
    const iw = this.iw;
    let dk = 0;
    nv[k] = -this.nvk;
    let p = pe[k];
    // Without adjacent elements, Lk fits in place of k's own list.
    const pk1 = elenk === 0 ? p : this.free;
    let pk2 = pk1;
    for (let k1 = 1; k1 <= elenk + 1; k1++) {
      let e: number;
      let pj: number;
      let ln: number;
      if (k1 > elenk) {
        e = k;
        pj = p;
        ln = len[k] - elenk;
      } else {
        e = iw[p++];
        pj = pe[e];
        ln = len[e];
      }
      for (let k2 = 0; k2 < ln; k2++) {
        const i = iw[pj++];
        const nvi = nv[i];
        if (nvi <= 0) continue; // already in Lk, or dead
        dk += nvi;
        nv[i] = -nvi;
        iw[pk2++] = i;
        this.unlinkDegree(i);
      }
      if (e !== k) {
        pe[e] = flip(k); // absorb element e into k
        w[e] = 0;
      }
    }
    if (elenk !== 0) this.free = pk2;
    this.degree[k] = dk;
    pe[k] = pk1;
    len[k] = pk2 - pk1;
    this.elen[k] = -2;
    this.pk1 = pk1;
    this.pk2 = pk2;
    this.dk = dk;
  }

  /** For each element e adjacent to Lk, sets w[e] - mark = |Le \ Lk|. */
  private computeSetDifferences(): void {
    const { pe, elen, nv, w, degree } = this;
    const iw = this.iw;
    const mark = this.mark;
    for (let pk = this.pk1; pk < this.pk2; pk++) {
      const i = iw[pk];
      const eln = elen[i];
      if (eln <= 0) continue;
      const nvi = -nv[i];
      const wnvi = mark - nvi;
      const end = pe[i] + eln;
      for (let p = pe[i]; p < end; p++) {
        const e = iw[p];
        const we = w[e];
        if (we >= mark) w[e] = we - nvi;
        else if (we !== 0) w[e] = degree[e] + wnvi; // first visit of live element e
      }
    }
  }

  /**
   * Approximate external degrees of the members of Lk. Prunes their lists,
   * absorbs elements contained in Lk (aggressive absorption), mass-eliminates
   * members with no outside neighbours, and hashes the rest for supervariable
   * detection.
   */
  private updateDegrees(k: number): void {
    const { pe, elen, len, nv, w, degree, n, next, last, hashHead } = this;
    const iw = this.iw;
    const mark = this.mark;
    for (let pk = this.pk1; pk < this.pk2; pk++) {
      const i = iw[pk];
      const p1 = pe[i];
      const p2 = p1 + elen[i] - 1;
      let pn = p1;
      let h = 0;
      let d = 0;
      for (let p = p1; p <= p2; p++) {
        const e = iw[p];
        if (w[e] === 0) continue; // absorbed
        const dext = w[e] - mark;
        if (dext > 0) {
          d += dext;
          iw[pn++] = e;
          h += e;
        } else {
          pe[e] = flip(k); // Le is a subset of Lk
          w[e] = 0;
        }
      }
      elen[i] = pn - p1 + 1; // elements, plus k which is added below
      const p3 = pn;
      const p4 = p1 + len[i];
      for (let p = p2 + 1; p < p4; p++) {
        const j = iw[p];
        const nvj = nv[j];
        if (nvj <= 0) continue; // in Lk (now covered by element k) or dead
        d += nvj;
        iw[pn++] = j;
        h += j;
      }
      if (d === 0) {
        // Mass elimination: i is adjacent to nothing outside Lk.
        pe[i] = flip(k);
        const nvi = -nv[i];
        this.dk -= nvi;
        this.nvk += nvi;
        this.nel += nvi;
        nv[i] = 0;
        elen[i] = -1;
      } else {
        degree[i] = Math.min(degree[i], d);
        iw[pn] = iw[p3]; // first variable moves to the end
        iw[p3] = iw[p1]; // first element moves to the end of the elements
        iw[p1] = k; // k becomes the first element
        len[i] = pn - p1 + 1;
        const bucket = h % n;
        next[i] = hashHead[bucket];
        hashHead[bucket] = i;
        last[i] = bucket;
      }
    }
  }

  /** Merges members of Lk with identical lists (same hash bucket) into one supervariable. */
  private detectSupervariables(): void {
    const { pe, elen, len, nv, w, next, last, hashHead } = this;
    const iw = this.iw;
    for (let pk = this.pk1; pk < this.pk2; pk++) {
      let i = iw[pk];
      if (nv[i] >= 0) continue; // dead
      const bucket = last[i];
      i = hashHead[bucket];
      hashHead[bucket] = -1;
      for (; i !== -1 && next[i] !== -1; i = next[i], this.mark++) {
        const ln = len[i];
        const eln = elen[i];
        const mark = this.mark;
        for (let p = pe[i] + 1; p < pe[i] + ln; p++) w[iw[p]] = mark;
        let jlast = i;
        for (let j = next[i]; j !== -1; ) {
          let same = len[j] === ln && elen[j] === eln;
          for (let p = pe[j] + 1; same && p < pe[j] + ln; p++) {
            if (w[iw[p]] !== mark) same = false;
          }
          if (same) {
            pe[j] = flip(i); // j joins supervariable i
            nv[i] += nv[j];
            nv[j] = 0;
            elen[j] = -1;
            j = next[j];
            next[jlast] = j;
          } else {
            jlast = j;
            j = next[j];
          }
        }
      }
    }
  }

  /** Restores the members of Lk to the degree lists with their final degrees. */
  private finalizeElement(k: number, elenk: number): void {
    const { pe, len, nv, w, degree, head, next, last, n } = this;
    const iw = this.iw;
    const dk = this.dk;
    let p = this.pk1;
    for (let pk = this.pk1; pk < this.pk2; pk++) {
      const i = iw[pk];
      const nvi = -nv[i];
      if (nvi <= 0) continue; // dead
      nv[i] = nvi;
      const d = Math.min(degree[i] + dk - nvi, n - this.nel - nvi);
      if (head[d] !== -1) last[head[d]] = i;
      next[i] = head[d];
      last[i] = -1;
      head[d] = i;
      if (d < this.mindeg) this.mindeg = d;
      degree[i] = d;
      iw[p++] = i;
    }
    nv[k] = this.nvk;
    len[k] = p - this.pk1;
    if (len[k] === 0) {
      pe[k] = -1; // k is a root of the assembly tree
      w[k] = 0;
    }
    if (elenk !== 0) this.free = p;
  }

  /** Resets the marks when `mark` would overflow; returns a fresh mark. */
  private clearMarks(mark: number): number {
    if (mark < 2 || mark + this.lemax + this.n > 0x3fffffff) {
      const w = this.w;
      for (let k = 0; k < this.n; k++) if (w[k] !== 0) w[k] = 1;
      return 2;
    }
    return mark;
  }

  /**
   * The final order: pivots by step, each followed by the nodes merged into
   * it (supervariables, mass elimination), then the dense nodes.
   */
  permutation(): Int32Array {
    const { n, pe, stepOf } = this;
    const owner = new Int32Array(n);
    for (let i = 0; i < n; i++) owner[i] = stepOf[i] >= 0 ? i : -1;
    for (const i of this.denseNodes) owner[i] = i;
    for (let i = 0; i < n; i++) {
      if (owner[i] >= 0) continue;
      // Follow the absorption chain to the pivot, then compress the path.
      let j = i;
      while (owner[j] < 0) j = flip(pe[j]);
      const root = owner[j];
      for (let t = i; owner[t] < 0; ) {
        const up = flip(pe[t]);
        owner[t] = root;
        t = up;
      }
    }
    // Counting sort by the pivot step of the owner; dense nodes go last.
    const steps = this.steps;
    const start = new Int32Array(steps + 2);
    const key = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const s = stepOf[owner[i]];
      key[i] = s >= 0 ? s : steps;
      start[key[i] + 1]++;
    }
    for (let s = 0; s <= steps; s++) start[s + 1] += start[s];
    const perm = new Int32Array(n);
    // Pivot first within its group.
    for (let i = 0; i < n; i++) if (owner[i] === i) perm[start[key[i]]++] = i;
    for (let i = 0; i < n; i++) if (owner[i] !== i) perm[start[key[i]]++] = i;
    return perm;
  }
}
