"""Writes huge_member_size.npz: a 222-byte .npz whose one member claims 2^62 bytes.

Run once: python3 autograd/testdata/make_huge_member_size.py
The member loss.npy (an <f8 scalar) is deflated; its zip64 extra fields, in the local
header and the central directory alike, give the true compressed size and an
uncompressed size of 2^62. NpzFile::Read must refuse it without believing the claim
(it used to allocate the claimed size first: std::bad_alloc, or ASan's
allocation-size-too-big). A copy with the fuzzer's mode byte is
testdata/fuzz/npz_fuzzer/crash_huge_member_size.
"""
import os
import struct
import zlib

header = b"{'descr': '<f8', 'fortran_order': False, 'shape': (), }"
header += b" " * (64 - 10 - len(header) - 1) + b"\n"
npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + struct.pack("<d", 3.25)
compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
data = compressor.compress(npy) + compressor.flush()
crc = zlib.crc32(npy)
name = b"loss.npy"
claimed = 1 << 62
extra = struct.pack("<HHQQ", 1, 16, claimed, len(data))  # zip64: uncompressed, compressed
local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name),
                    len(extra)) + name + extra
central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                      len(name), len(extra), 0, 0, 0, 0, 0) + name + extra
body = local + data
end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(body), 0)
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "huge_member_size.npz"), "wb") as f:
    f.write(body + central + end)
with open(os.path.join(here, "fuzz", "npz_fuzzer", "crash_huge_member_size"), "wb") as f:
    f.write(b"\x01" + body + central + end)
