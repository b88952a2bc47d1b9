"""Writes the network, the data and the sample order of this example (seeded: the files are reproduced exactly).

A random 4-regular flow network of 64 nodes (every tube's conductance 1), three source nodes,
two target nodes and the ground node n63; a linear teacher y = A x on inputs x drawn from N(0, 1);
40 training and 20 test examples; 4,000 training indices drawn uniformly with replacement, one per step.
"""
import numpy as np

rng = np.random.default_rng(2021)
N, D = 64, 4


def random_regular(n, d):
    # the configuration model, drawn again until it has no self-loop, no repeated edge and is connected
    while True:
        stubs = rng.permutation(np.repeat(np.arange(n), d))
        pairs = stubs.reshape(-1, 2)
        edges = {tuple(sorted(p)) for p in pairs}
        if any(a == b for a, b in pairs) or len(edges) != len(pairs):
            continue
        seen, todo = {0}, [0]
        while todo:
            u = todo.pop()
            for a, b in edges:
                v = b if a == u else a if b == u else None
                if v is not None and v not in seen:
                    seen.add(v)
                    todo.append(v)
        if len(seen) == n:
            return sorted(edges)


edges = random_regular(N, D)
nodes = rng.choice(N - 1, size=5, replace=False)
sources, targets = [f"n{i}" for i in nodes[:3]], [f"n{i}" for i in nodes[3:]]
A = np.array([[0.30, 0.10, 0.20], [0.15, 0.25, 0.10]])
x = rng.standard_normal((60, 3))
y = x @ A.T
order = rng.integers(0, 40, size=4000)

with open("tubes.csv", "w") as f:
    f.write("from,to,conductance\n")
    for a, b in edges:
        f.write(f"n{a},n{b},1\n")
for name, rows in (("train.csv", slice(0, 40)), ("test.csv", slice(40, 60))):
    with open(name, "w") as f:
        f.write("x1,x2,x3,y1,y2\n")
        for xi, yi in zip(x[rows], y[rows]):
            f.write(",".join(repr(float(v)) for v in [*xi, *yi]) + "\n")
with open("order.txt", "w") as f:
    f.write("\n".join(str(i) for i in order) + "\n")
print("sources", sources, "targets", targets)
