"""Stand-in for rules_cc as it was in Bazel 4's time: each rule forwards to the native one.

@bazel_tools//tools/cpp:BUILD loads cc_library, cc_toolchain and cc_toolchain_suite from here,
so those must exist as well as the rules the project uses.
"""

def cc_binary(**kwargs):
    native.cc_binary(**kwargs)

def cc_library(**kwargs):
    native.cc_library(**kwargs)

def cc_test(**kwargs):
    native.cc_test(**kwargs)

def cc_proto_library(**kwargs):
    native.cc_proto_library(**kwargs)

def cc_toolchain(**kwargs):
    native.cc_toolchain(**kwargs)

def cc_toolchain_suite(**kwargs):
    native.cc_toolchain_suite(**kwargs)

def objc_library(**kwargs):
    native.objc_library(**kwargs)
