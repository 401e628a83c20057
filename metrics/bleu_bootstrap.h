// Paired bootstrap resampling of corpus BLEU (Koehn 2004, "Statistical Significance Tests
// for Machine Translation Evaluation"; sacreBLEU's --paired-bs): is system b better than
// system a on these segments, or only on this sample of them?
//
//   std::vector<BleuStats> a = *CorpusSegmentStats(hyps_a, refs), b = *CorpusSegmentStats(hyps_b, refs);
//   BootstrapInterval d = PairedBootstrap(a, b, /*samples=*/1000, /*seed=*/1234);
//   // d.delta = BLEU(b) − BLEU(a); [d.low, d.high] its 95% interval
#ifndef NMT_METRICS_BLEU_BOOTSTRAP_H_
#define NMT_METRICS_BLEU_BOOTSTRAP_H_

#include <cstdint>

#include "absl/types/span.h"
#include "metrics/bleu.h"

namespace nmt::metrics {

struct BootstrapInterval {
  double delta = 0;           // BLEU(b) − BLEU(a) on the whole set
  double low = 0;             // 2.5th percentile of the resampled differences
  double high = 0;            // 97.5th percentile
  double p_b_not_better = 0;  // share of resamplings where b does not beat a
  int samples = 0;
};

// `samples` resamplings of the segments, with replacement, each scoring both systems
// on the same segment indices. a and b: the segment statistics of two systems on the
// same segments (CorpusSegmentStats); the same seed resamples the same way.
BootstrapInterval PairedBootstrap(absl::Span<const BleuStats> a, absl::Span<const BleuStats> b, int samples,
                                  uint64_t seed);

}  // namespace nmt::metrics

#endif  // NMT_METRICS_BLEU_BOOTSTRAP_H_
