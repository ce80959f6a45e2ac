"""Everything that loads a model (torch, transformers, peft), imported inside functions.

Importing this package makes OpenMP threads sleep, rather than spin, while they wait
(`OMP_WAIT_POLICY=PASSIVE`, unless the variable is already set). It must happen before torch
loads. On a 2-core machine where another process keeps a core busy, spinning threads wait for
each other at every parallel region: a SmolLM2 decoding step at batch 32 took 6.9 s instead of
0.23 s (bench/README.md, "Generation").
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
