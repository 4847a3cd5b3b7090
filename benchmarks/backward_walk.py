"""The engine's walk alone: microseconds per node of ``backward`` over a graph built once.

Two graphs on a 4-element float32 tensor, where the arrays are tiny and the time is the
engine's bookkeeping (taking the next node, routing gradients, checking saved versions):

- chain: y = tanh(tanh(... tanh(x))), N ops, each node feeding one node (a network's graph
  is mostly this: the engine's chain shortcut is for it);
- diamonds: x -> (sin x, cos x) -> sum -> ..., N/3 diamonds, so that every other node makes
  two nodes ready at once and the waiting nodes go through the heap.

Each figure is the median of REPEATS timed runs of ``y.backward(retain_graph=True)``, on the
process's CPU clock (the machine is shared). Compare two trees by running each:

    PYTHONPATH=src python benchmarks/backward_walk.py [--nodes 300]
"""

import argparse
import statistics
import time

import glassgrad

REPEATS = 15


def chain(x, n):
    for _ in range(n):
        x = x.tanh()
    return x.sum()


def diamonds(x, n):
    for _ in range(n // 3):
        x = x.sin() + x.cos()
    return x.sum()


def per_node(build, n, calls):
    x = glassgrad.rand(4, requires_grad=True)
    y = build(x, n)
    times = []
    for _ in range(REPEATS):
        start = time.process_time()
        for _ in range(calls):
            y.backward(retain_graph=True)
        times.append((time.process_time() - start) / calls / n)
    return statistics.median(times) * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=300)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    for name, build in (("chain", chain), ("diamonds", diamonds)):
        per_node(build, args.nodes, 3)  # warm-up
        print(f"{name:9s} {per_node(build, args.nodes, args.calls):6.2f} us per node")


if __name__ == "__main__":
    main()
