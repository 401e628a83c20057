"""cuda_library: CUDA C++ (.cu) compiled by nvcc, wrapped as a cc_library. The one place
that knows how the project runs nvcc.

    cuda_library(
        name = "cuda_device_kernels",
        srcs = ["elementwise.cu", "rnn.cu"],    # each becomes one object file
        hdrs = ["launch.h"],                    # what the .cu files and their users include
        deps = ["//base:random"],               # cc_library deps of the wrapper
        cu_hdrs = ["//base:random.h"],          # other headers the .cu files include
    )

nvcc is CUDA 13.0's at /usr/local/cuda (not a Debian package; BUILDING.md). Each .cu is
compiled by a genrule with `-c -Xcompiler -fPIC` into one .o holding SASS for sm_90
(H100/H200) and PTX for compute_90, which the driver JIT-compiles for newer GPUs. The
objects become the srcs of a cc_library whose linkopts add the CUDA runtime with an
rpath, so a binary built here finds /usr/local/cuda/lib64 without LD_LIBRARY_PATH (a GPU
machine without that directory sets LD_LIBRARY_PATH: ops/kernels/cuda/check_gpu.sh).
Compiling needs no GPU, so CI compiles every kernel: a compile error fails the build.

Device code sees only the .cu files, `hdrs` and `cu_hdrs` (the genrule's inputs), so
keep what .cu files include free of Abseil and protobuf: host-side glue belongs in
ordinary cc_library sources compiled by the C++ toolchain.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")

NVCC = "/usr/local/cuda/bin/nvcc"

# sm_90 machine code plus compute_90 PTX (the issue's -gencode pair).
CUDA_ARCH_FLAGS = [
    "-gencode arch=compute_90,code=sm_90",
    "-gencode arch=compute_90,code=compute_90",
]

CUDA_COPTS = [
    "-std=c++17",
    "-O3",
    "-Xcompiler -fPIC",
    "-Xcompiler -O2",
    # Device code may call constexpr host functions (base/random.h's SplitMix64At), so the
    # dropout hash is the CPU's own definition, not a copy.
    "--expt-relaxed-constexpr",
    "-Werror all-warnings",
    # The genrule runs in the execution root, where workspace-relative includes resolve.
    "-I.",
]

def cuda_library(name, srcs, hdrs = [], cu_hdrs = [], deps = [], copts = [], linkopts = [], **kwargs):
    """A cc_library of nvcc-compiled objects, one per .cu in srcs."""
    objects = []
    for src in srcs:
        if not src.endswith(".cu"):
            fail("cuda_library %s: %s is not a .cu file" % (name, src))
        obj = "_cuda_objs/%s/%s.o" % (name, src[:-len(".cu")])
        native.genrule(
            name = "%s_%s_nvcc" % (name, src[:-len(".cu")].replace("/", "_")),
            srcs = [src] + hdrs + cu_hdrs,
            outs = [obj],
            cmd = " ".join([NVCC] + CUDA_ARCH_FLAGS + CUDA_COPTS + copts + [
                "-c",
                "$(location %s)" % src,
                "-o",
                "$@",
            ]),
            message = "nvcc %s" % src,
            visibility = ["//visibility:private"],
        )
        objects.append(obj)
    cc_library(
        name = name,
        srcs = objects,
        hdrs = hdrs,
        deps = deps + ["@cuda//:headers"],
        linkopts = linkopts + [
            "-L/usr/local/cuda/lib64",
            "-Wl,-rpath,/usr/local/cuda/lib64",
            "-lcudart",
        ],
        **kwargs
    )
