"""Writes numpy_fixture.npz, the numpy-made file that npz_test.cc checks our reader against.

Run once with Debian's numpy: /usr/bin/python3 autograd/testdata/make_numpy_fixture.py
Members: one per supported dtype, a scalar, names with '/', and .npy versions 2.0 and 3.0
(numpy.savez itself only writes 1.0, so those two go through numpy.lib.format).
"""
import io
import os
import zipfile

import numpy as np

ARRAYS = {
    "f4": (np.array([[1.5, -2.25, 0.0], [3.0e-8, 65504.0, -1.0e10]], dtype="<f4"), None),
    "param/dec.C": (np.array([[0.1, -0.2], [1.0 / 3.0, 1.0e-300], [2.5, -7.0]], dtype="<f8"), None),
    "batch/src": (np.array([[5, 9, 2, 0], [7, 2**40, 0, 0]], dtype="<i8"), None),
    "batch/src_mask": (np.array([[True, True, True, False], [True, True, False, False]]), None),
    "i4": (np.array([-1, 2**31 - 1, 0], dtype="<i4"), None),
    "loss": (np.array(3.141592653589793, dtype="<f8"), None),
    "v2": (np.arange(6, dtype="<f4").reshape(2, 3), (2, 0)),
    "v3": (np.array([-0.5, 0.25], dtype="<f8"), (3, 0)),
}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "numpy_fixture.npz")
with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
    for name, (array, version) in ARRAYS.items():
        member = io.BytesIO()
        np.lib.format.write_array(member, array, version=version, allow_pickle=False)
        archive.writestr(name + ".npy", member.getvalue())

# numpy must read back what it wrote, with the versions asked for.
with np.load(path) as npz:
    for name, (array, _) in ARRAYS.items():
        assert npz[name].dtype == array.dtype and np.array_equal(npz[name], array), name
print(path, os.path.getsize(path), "bytes")
