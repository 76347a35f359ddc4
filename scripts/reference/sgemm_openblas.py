#!/usr/bin/env python3
"""OpenBLAS sgemm through numpy: GFLOP/s for the shapes of backend-cpu/bench SgemmBenchmark (OP_MxNxK).

Usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/reference/sgemm_openblas.py NN_512x512x512,NT_768x384x128 [ROUNDS]
With one thread the rate is per second of the thread's CPU time (time.thread_time), so time slicing by other
processes does not count (compare with backend-cpu measured the same way); otherwise wall clock. Best and median of
ROUNDS (default 7) rounds of ~2 GFLOP each, after 2 warm-up rounds. See backend-cpu/BENCHMARKS.md.
"""
import os, sys, time
import numpy as np
shapes = sys.argv[1].split(",")
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 7
for sh in shapes:
    op, dims = sh.split("_")
    m, n, k = map(int, dims.split("x"))
    rng = np.random.default_rng(42)
    a = rng.random((k, m) if op[0] == "T" else (m, k), dtype=np.float32)
    b = rng.random((n, k) if op[1] == "T" else (k, n), dtype=np.float32)
    A = a.T if op[0] == "T" else a
    B = b.T if op[1] == "T" else b
    c = np.empty((m, n), dtype=np.float32)
    flops = 2.0 * m * n * k
    calls = max(1, int(2e9 / flops))
    best = []
    for r in range(reps + 2):
        clock = time.thread_time if os.environ.get('OPENBLAS_NUM_THREADS') == '1' else time.perf_counter
        t = clock()
        for _ in range(calls):
            np.matmul(A, B, out=c)
        best.append(flops * calls / (clock() - t) / 1e9)
    best = sorted(best[2:])
    print(f"{sh} threads={os.environ.get('OPENBLAS_NUM_THREADS')} best {best[-1]:.1f} median {best[len(best)//2]:.1f}")
