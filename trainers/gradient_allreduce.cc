#include "trainers/gradient_allreduce.h"

#include <algorithm>

#include "base/check.h"

namespace nmt::trainers {
namespace {

// Below this many elements a copy loop runs on one thread: forking a team costs more
// than it saves.
constexpr int64_t kParallelCopyThreshold = 1 << 15;

// `size` floats of one gradient that sit in the buffer; `memory` is the gradient's.
struct Piece {
  float* grad;
  int64_t size;
  DeviceMemory* memory;
};

}  // namespace

GradientAllReducer::GradientAllReducer(Communicator& communicator, int64_t bucket_floats)
    : communicator_(communicator), bucket_floats_(bucket_floats) {
  NMT_CHECK(communicator.memory() == Communicator::Memory::kHost)
      << "GradientAllReducer: gradients are on the host; the communicator sums device memory";
  NMT_CHECK(bucket_floats > 0) << "GradientAllReducer: bucket of " << bucket_floats << " floats";
}

absl::Status GradientAllReducer::AllReduce(const NamedParameters& parameters, float scale, absl::Span<float> scalars) {
  NMT_CHECK(static_cast<int64_t>(scalars.size()) <= bucket_floats_)
      << "GradientAllReducer: " << scalars.size() << " scalars do not fit a bucket of " << bucket_floats_;
  int64_t total = static_cast<int64_t>(scalars.size());
  for (const auto& [name, param] : parameters) {
    if (param->grad().defined()) total += param->grad().size();
  }
  buffer_.resize(std::min(total, bucket_floats_));

  // Fills the buffer with gradient pieces, sums it, copies the sums back; repeats.
  std::vector<Piece> pieces;
  int64_t used = 0;
  auto flush = [&](bool last) -> absl::Status {
    if (last) {
      std::copy(scalars.begin(), scalars.end(), buffer_.begin() + used);
      used += static_cast<int64_t>(scalars.size());
    }
    if (used == 0) return absl::OkStatus();
    ++calls_;
    if (absl::Status s = communicator_.AllReduceSum(absl::MakeSpan(buffer_.data(), used)); !s.ok()) return s;
    const float* sum = buffer_.data();
    for (const Piece& piece : pieces) {
      if (piece.memory->device() == Device::kCPU) {
        std::copy(sum, sum + piece.size, piece.grad);
      } else {  // back to the device the gradient lives on
        piece.memory->Copy(piece.grad, piece.memory->device(), sum, Device::kCPU, piece.size * sizeof(float));
      }
      sum += piece.size;
    }
    if (last) std::copy(sum, sum + scalars.size(), scalars.begin());
    pieces.clear();
    used = 0;
    return absl::OkStatus();
  };
  const int64_t room_for_scalars = static_cast<int64_t>(scalars.size());
  for (const auto& [name, param] : parameters) {
    Tensor& grad = param->grad();
    if (!grad.defined()) continue;
    float* data = grad.data();
    DeviceMemory& memory = *grad.memory();
    for (int64_t offset = 0; offset < grad.size();) {
      if (used == bucket_floats_) {
        if (absl::Status s = flush(/*last=*/false); !s.ok()) return s;
      }
      const int64_t size = std::min(grad.size() - offset, bucket_floats_ - used);
      float* out = buffer_.data() + used;
      const float* in = data + offset;
      if (memory.device() == Device::kCPU) {
#pragma omp parallel for simd schedule(static) if (size >= kParallelCopyThreshold)
        for (int64_t i = 0; i < size; ++i) out[i] = in[i] * scale;
      } else {  // an explicit copy to the host buffer, scaled there
        memory.Copy(out, Device::kCPU, in, memory.device(), size * sizeof(float));
#pragma omp parallel for simd schedule(static) if (size >= kParallelCopyThreshold)
        for (int64_t i = 0; i < size; ++i) out[i] *= scale;
      }
      pieces.push_back({data + offset, size, &memory});
      used += size;
      offset += size;
    }
  }
  if (used + room_for_scalars > bucket_floats_) {
    if (absl::Status s = flush(/*last=*/false); !s.ok()) return s;
  }
  return flush(/*last=*/true);
}

}  // namespace nmt::trainers
