// NMT_CHECK lives in base/check.h, below every package (datasets uses it without
// depending on autograd). This header only forwards there, so that the files that still
// include it keep building; new code includes base/check.h.
#ifndef NMT_AUTOGRAD_CHECK_H_
#define NMT_AUTOGRAD_CHECK_H_

#include "base/check.h"

#endif  // NMT_AUTOGRAD_CHECK_H_
