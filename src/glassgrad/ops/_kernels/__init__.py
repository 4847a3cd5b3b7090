"""Private kernels: the speed (and NumPy-versus-PyTorch) tricks behind the ops, each behind
a named function, so that an op's forward and backward in ``glassgrad.ops`` read as the math.
Nothing here is public API; nothing here builds a graph.
"""
