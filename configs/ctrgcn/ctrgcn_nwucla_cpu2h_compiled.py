# ctrgcn_nwucla_cpu2h.py with the recognizer's forward compiled by torch.compile (inductor;
# the CompileForwardHook of configs/_base_/default_runtime.py, `compile_forward`). On this 2-core
# CPU the whole training loop ran 2.17x the authors' main.py loop against 1.86x for the eager
# config in the same benchmark run (docs/benchmarks/ctrgcn_speed.md, "torch.compile on top").
# It pays its compilation first: 143 s in a fresh process (about 40 s with inductor's on-disk
# cache warm: 8 first steps of 5.2 s against 0.57), and a recompilation for the epoch's last,
# shorter batch (~20 s) and for evaluation (ctrgcn_speed.md).
# The same function up to rounding (float64: 2e-9); not the config of the study in
# docs/results.md, whose runs are eager.
_base_ = './ctrgcn_nwucla_cpu2h.py'
compile_forward = True
