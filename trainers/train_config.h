// The presets of the main job and where a run's data files are.
//
//   TrainConfig config = DefaultTrainConfig();          // RNNsearch for ~15 minutes on 2 cores
//   ApplyPaperPreset(config);                           // Appendix A.2 / B sizes and recipe
//   DataFiles files = ResolveDataFiles(config.data());  // files.test_src, ...
#ifndef NMT_TRAINERS_TRAIN_CONFIG_H_
#define NMT_TRAINERS_TRAIN_CONFIG_H_

#include <string>

#include "trainers/train_config.pb.h"

namespace nmt::trainers {

// The six files of a run: explicit paths win over corpus_dir/{split}.{lang}.
struct DataFiles {
  std::string train_src, train_tgt, dev_src, dev_tgt, test_src, test_tgt;
};
DataFiles ResolveDataFiles(const DataConfig& data);

// The defaults of the main job: RNNsearch sized for ~15 minutes on 2 CPU cores.
TrainConfig DefaultTrainConfig();

// The paper's sizes and recipe over `config` (Appendix A.2.3 and B): n = n' = 1000,
// m = 620, l = 500, 30k word shortlists, Adadelta, batches of 80, no time limit.
void ApplyPaperPreset(TrainConfig& config);

}  // namespace nmt::trainers

#endif  // NMT_TRAINERS_TRAIN_CONFIG_H_
