"""Writes the network and the task of this example (seeded: the files are reproduced exactly).

A 10 x 10 square grid flow network (180 tubes, every conductance 1; node i*10+j at row i, column j),
ground at the last node g99; five source nodes whose pressures are drawn from N(0, 1); three target
nodes and one target tube (the pressure drop across it) whose desired values are drawn from 0.3 N(0, 1):
one allosteric task, as the public coupled-learning code draws it.
"""
import numpy as np

rng = np.random.default_rng(2021)
a = b = 10
NN = a * b
EI, EJ = [], []
for i in range(b):
    for j in range(a):
        if j < a - 1:
            EI.append(i * a + j)
            EJ.append(i * a + j + 1)
        if i < b - 1:
            EI.append(i * a + j)
            EJ.append((i + 1) * a + j)
nodes = rng.choice(NN - 1, size=8, replace=False)
edge = int(rng.integers(0, len(EI)))
sources = [f"g{i}" for i in nodes[:5]]
targets = [f"g{i}" for i in nodes[5:]] + [[f"g{EI[edge]}", f"g{EJ[edge]}"]]
x = rng.standard_normal(5)
y = 0.3 * rng.standard_normal(4)

with open("tubes.csv", "w") as f:
    f.write("from,to,conductance\n")
    for i, j in zip(EI, EJ):
        f.write(f"g{i},g{j},1\n")
with open("task.csv", "w") as f:
    f.write("s1,s2,s3,s4,s5,t1,t2,t3,t4\n")
    f.write(",".join(repr(float(v)) for v in [*x, *y]) + "\n")
print("sources", sources, "targets", targets)
