#include "models/layers/module.h"

#include <cmath>
#include <random>

#include "base/check.h"

namespace nmt::layers {

void Module::Collect(const std::string& prefix, std::vector<std::pair<std::string, const Entry*>>& out) const {
  for (const Entry& e : entries_) {
    if (e.child != nullptr) {
      e.child->Collect(e.name.empty() ? prefix : prefix + e.name + ".", out);
    } else {
      out.emplace_back(prefix + e.name, &e);
    }
  }
}

std::vector<NamedParameter> Module::NamedParameters() const {
  std::vector<std::pair<std::string, const Entry*>> entries;
  Collect("", entries);
  std::vector<NamedParameter> out;
  out.reserve(entries.size());
  for (auto& [name, e] : entries) out.emplace_back(name, e->parameter.get());
  return out;
}

std::vector<Parameter*> Module::Parameters() const {
  std::vector<Parameter*> out;
  for (auto& [name, p] : NamedParameters()) out.push_back(p);
  return out;
}

Parameter* Module::FindParameter(const std::string& path) const {
  for (auto& [name, p] : NamedParameters()) {
    if (name == path) return p;
  }
  return nullptr;
}

int64_t Module::NumScalars() const {
  int64_t total = 0;
  for (auto& [name, p] : NamedParameters()) total += p->value().size();
  return total;
}

Parameter* Module::RegisterParameter(const std::string& name, const Shape& shape, Init init) {
  NMT_CHECK(!name.empty() && name.find('.') == std::string::npos)
      << "RegisterParameter: '" << name << "' is not a leaf name";
  for (const Entry& e : entries_) NMT_CHECK(e.name != name) << "RegisterParameter: '" << name << "' twice";
  Entry& e = entries_.emplace_back();
  e.name = name;
  e.parameter = std::make_unique<Parameter>(Tensor::Zeros(shape));
  e.init = init;
  return e.parameter.get();
}

void Module::RegisterModule(const std::string& name, Module* child) {
  NMT_CHECK(child != nullptr && child != this) << "RegisterModule: bad child for '" << name << "'";
  Entry& e = entries_.emplace_back();
  e.name = name;
  e.child = child;
}

namespace {

// Where a parameter's initial values are drawn: the value itself on the host, else a
// host buffer that Commit copies to the device (the draws never depend on the device).
Tensor HostBuffer(const Tensor& value) { return value.device() == Device::kCPU ? value : Tensor::Empty(value.shape()); }

void Commit(const Tensor& host, Tensor& value) {
  if (!host.SharesStorageWith(value)) value.CopyFrom(host);
}

}  // namespace

void Module::Initialize(uint64_t seed) {
  std::vector<std::pair<std::string, const Entry*>> entries;
  Collect("", entries);
  std::mt19937_64 rng(seed);
  for (auto& [name, e] : entries) {
    Tensor& value = e->parameter->value();
    switch (e->init.kind) {
      case Init::Kind::kZeros:
        value.Fill(0.0f);
        break;
      case Init::Kind::kNormal: {
        std::normal_distribution<float> normal(0.0f, e->init.stddev);
        Tensor host = HostBuffer(value);
        for (float& v : host.values()) v = normal(rng);
        Commit(host, value);
        break;
      }
      case Init::Kind::kOrthogonal: {
        Tensor host = HostBuffer(value);
        FillOrthogonal(host, rng());
        Commit(host, value);
        break;
      }
    }
  }
}

void Module::InitializeNormal(uint64_t seed, float stddev) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, stddev);
  for (auto& [name, p] : NamedParameters()) {
    Tensor host = HostBuffer(p->value());
    for (float& v : host.values()) v = normal(rng);
    Commit(host, p->value());
  }
}

void Module::MoveTo(DeviceContext& context) {
  for (auto& [name, p] : NamedParameters()) p->MoveTo(context.shared_memory());
}

void Module::ZeroGrad() {
  for (auto& [name, p] : NamedParameters()) p->ZeroGrad();
}

void FillOrthogonal(Tensor& value, uint64_t seed) {
  NMT_CHECK(value.rank() == 2) << "FillOrthogonal: shape " << value.ShapeString() << " is not a matrix";
  const int64_t rows = value.dim(0), cols = value.dim(1);
  // Orthonormalise the shorter side's vectors (each of length `len`) by modified Gram-Schmidt in double.
  const bool by_rows = rows <= cols;
  const int64_t count = by_rows ? rows : cols, len = by_rows ? cols : rows;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> q(count * len);
  for (double& v : q) v = normal(rng);
  for (int64_t i = 0; i < count; ++i) {
    double* qi = &q[i * len];
    for (int64_t j = 0; j < i; ++j) {
      const double* qj = &q[j * len];
      double partial[4] = {0, 0, 0, 0};  // independent sums: lets the compiler vectorise
      int64_t k = 0;
      for (; k + 4 <= len; k += 4) {
        for (int p = 0; p < 4; ++p) partial[p] += qi[k + p] * qj[k + p];
      }
      double dot = partial[0] + partial[1] + partial[2] + partial[3];
      for (; k < len; ++k) dot += qi[k] * qj[k];
      for (int64_t k = 0; k < len; ++k) qi[k] -= dot * qj[k];
    }
    double norm = 0.0;
    for (int64_t k = 0; k < len; ++k) norm += qi[k] * qi[k];
    norm = std::sqrt(norm);
    for (int64_t k = 0; k < len; ++k) qi[k] /= norm;
  }
  float* out = value.data();
  for (int64_t i = 0; i < count; ++i) {
    for (int64_t k = 0; k < len; ++k) {
      (by_rows ? out[i * cols + k] : out[k * cols + i]) = static_cast<float>(q[i * len + k]);
    }
  }
}

}  // namespace nmt::layers
