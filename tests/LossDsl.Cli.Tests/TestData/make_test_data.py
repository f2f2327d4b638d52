#!/usr/bin/env python3
"""Writes the .npy files beside this script with numpy itself, so the reader is tested on files numpy really wrote.

Run from this folder: /usr/bin/python3 make_test_data.py  (Debian's python3-numpy; these were made with numpy 1.24.2).
Every array is a formula of its index, so the tests check the values without reading them from anywhere else.
"""
import numpy as np
import numpy.lib.format as npy_format

# float32 2x3: i / 4 in C order.
np.save("f4_2x3.npy", (np.arange(6, dtype="<f4") / 4).reshape(2, 3))
# float64 (3,): -1.5, 0.25, 1e300.
np.save("f8_3.npy", np.array([-1.5, 0.25, 1e300], dtype="<f8"))
# int64 labels 2x2x2: i % 3.
np.save("i8_2x2x2.npy", (np.arange(8, dtype="<i8") % 3).reshape(2, 2, 2))
# int32 (4,): i * -7.
np.save("i4_4.npy", np.arange(4, dtype="<i4") * -7)
# bool mask 1x1x2x2: i odd.
np.save("b1_1x1x2x2.npy", (np.arange(4) % 2 == 1).reshape(1, 1, 2, 2))
# uint8 (3,): 0, 1, 255.
np.save("u1_3.npy", np.array([0, 1, 255], dtype="|u1"))
# 0-d float64 scalar 2.5.
np.save("f8_scalar.npy", np.float64(2.5))
# Format version 2.0 and 3.0 headers, float32 2x3 as above.
with open("f4_2x3_v2.npy", "wb") as f:
    npy_format.write_array(f, (np.arange(6, dtype="<f4") / 4).reshape(2, 3), version=(2, 0))
with open("f4_2x3_v3.npy", "wb") as f:
    npy_format.write_array(f, (np.arange(6, dtype="<f4") / 4).reshape(2, 3), version=(3, 0))
# Rejected: Fortran order, big-endian, float16.
np.save("f4_2x3_fortran.npy", np.asfortranarray((np.arange(6, dtype="<f4") / 4).reshape(2, 3)))
np.save("f4_big_endian.npy", np.arange(3, dtype=">f4"))
np.save("f2_3.npy", np.arange(3, dtype="<f2"))
