#!/usr/bin/env python3
"""Writes the example arrays docs/cli.md evaluates: logits and a mask for 2 images of 1 channel, 4x4.

Made with numpy 1.24.2 (Debian's python3-numpy): cd examples/cli && /usr/bin/python3 make_arrays.py
"""
import numpy as np

rng = np.random.default_rng(0)
np.save("pred.npy", rng.normal(scale=2.0, size=(2, 1, 4, 4)).astype(np.float32))
np.save("mask.npy", (rng.random((2, 1, 4, 4)) > 0.5).astype(np.float32))
# A side output at half the size, for deep supervision (drawn after the two above, so they keep their values).
np.save("side.npy", rng.normal(scale=2.0, size=(2, 1, 2, 2)).astype(np.float32))
