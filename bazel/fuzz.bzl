"""nmt_fuzz_target: a libFuzzer target and the test that keeps its seed corpus passing.

    load("//bazel:fuzz.bzl", "nmt_fuzz_target")
    nmt_fuzz_target(
        name = "vocabulary_fuzzer",
        srcs = ["vocabulary_fuzzer.cc"],   # defines LLVMFuzzerTestOneInput, no main
        deps = [":vocabulary", "//base:fuzz_testing"],
    )

makes
  :vocabulary_fuzzer        the fuzzer (testonly, tagged manual and fuzz_target). Under
                            --config=fuzz (clang, .bazelrc) it links libFuzzer's main;
                            otherwise //base:fuzz_replay_main, which runs the inputs
                            named on its command line, as libFuzzer does given files.
  :vocabulary_fuzzer_seeds  a cc_test replaying testdata/fuzz/vocabulary_fuzzer/ (every
                            file under it) through the same LLVMFuzzerTestOneInput, so
                            the seeds, and the crashes once found and fixed, stay
                            regression tests of ./bazelw test //... with any compiler.
bazel/run_fuzzers.sh builds every fuzz_target with --config=fuzz and runs them.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library", "cc_test")

def nmt_fuzz_target(name, srcs, deps = [], data = [], **kwargs):
    corpus = "testdata/fuzz/" + name
    library = name + "_lib"
    cc_library(
        name = library,
        testonly = True,
        srcs = srcs,
        deps = deps,
        data = data,
        alwayslink = True,
        **kwargs
    )
    cc_binary(
        name = name,
        testonly = True,
        deps = [library] + select({
            "//bazel:fuzzing": [],
            "//conditions:default": ["//base:fuzz_replay_main"],
        }),
        linkopts = select({
            "//bazel:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        tags = [
            "fuzz_target",
            "manual",
        ],
    )
    cc_test(
        name = name + "_seeds",
        size = "small",
        srcs = [],
        args = [native.package_name() + "/" + corpus],
        data = native.glob([corpus + "/**"], allow_empty = False),
        deps = [
            library,
            "//base:fuzz_replay_main",
        ],
    )
