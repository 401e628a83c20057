"""The source files of a package, for the checks in //bazel that read every file."""

# Every package with C++ sources; //bazel:layering_test and //bazel:format_test read them.
# A new package goes here, calls package_sources(), and takes its layer in
# check_layering.py's LAYERS and bazel/BUILD's package groups.
CHECKED_PACKAGES = [
    "//apps",
    "//autograd",
    "//base",
    "//datasets",
    "//metrics",
    "//models",
    "//models/layers",
    "//ops",
    "//ops/kernels",
    "//ops/kernels/cpu",
    "//ops/kernels/cuda",
    "//tools",
    "//trainers",
]

def package_sources():
    """Declares :sources, the calling package's C++ and CUDA sources, visible to //bazel."""
    native.filegroup(
        name = "sources",
        srcs = native.glob(["*.h", "*.cc", "*.cu", "*.cuh"]),
        visibility = ["//bazel:__pkg__"],
    )
