// Module: a layer or model that owns named Parameters and child modules, in the
// style of PyTorch's C++ frontend. The dotted path of a parameter is its
// checkpoint key and its name in the PyTorch reference (`enc_fwd.U_z`).
//
//   class Affine : public Module {
//    public:
//     Affine(int64_t in, int64_t out)
//         : w_(RegisterParameter("W", {out, in}, Init::Normal(0.01f))),
//           b_(RegisterParameter("b", {out}, Init::Zeros())) {}
//   };
//   model.Initialize(/*seed=*/1234);              // every parameter from its Init
//   model.MoveTo(context);                        // onto the context's device
//   for (auto& [name, p] : model.NamedParameters()) ...   // registration order
//
// Initialisation follows the paper's Appendix B.1 through each parameter's Init
// (orthogonal recurrent matrices, small normals, zero biases).
#ifndef NMT_MODELS_LAYERS_MODULE_H_
#define NMT_MODELS_LAYERS_MODULE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/tape.h"

namespace nmt::layers {

// How a parameter is drawn by Module::Initialize.
struct Init {
  enum class Kind { kZeros, kNormal, kOrthogonal };
  Kind kind = Kind::kZeros;
  float stddev = 0.0f;

  static Init Zeros() { return {Kind::kZeros, 0.0f}; }
  static Init Normal(float stddev) { return {Kind::kNormal, stddev}; }
  // A random orthogonal matrix (rows or columns orthonormal, whichever are fewer).
  static Init Orthogonal() { return {Kind::kOrthogonal, 0.0f}; }
};

using NamedParameter = std::pair<std::string, Parameter*>;

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  // Vars and parent modules point into a module, so it neither copies nor moves.
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // Every parameter with its dotted path, in registration order (children at the
  // place they were registered).
  std::vector<NamedParameter> NamedParameters() const;
  // The same parameters without names.
  std::vector<Parameter*> Parameters() const;
  // The parameter at `path`, or null.
  Parameter* FindParameter(const std::string& path) const;
  // Total number of scalars.
  int64_t NumScalars() const;

  // Draws every parameter from its Init, in registration order, from one seed.
  void Initialize(uint64_t seed);
  // Draws every parameter from N(0, stddev²), ignoring the Inits (the reference's
  // test initialisation, which gives every gradient a non-zero value).
  void InitializeNormal(uint64_t seed, float stddev);
  void ZeroGrad();
  // Moves every parameter (value and grad) to `context`'s device; nothing for those
  // already there. Parameters are made on the host; a program moves its model once,
  // before any tape or optimizer sees it. Initialize and checkpoint loading work on
  // either side (they draw or read on the host and copy).
  void MoveTo(DeviceContext& context);

 protected:
  // A parameter named `name` (a leaf: no dots) of `shape`; returns it for the member.
  Parameter* RegisterParameter(const std::string& name, const Shape& shape, Init init);
  // A child whose parameters appear under "name.". An empty name registers it
  // inline: its parameters keep their own leaf names at this level, so a shared
  // layer can carry a flat reference name such as `W_s` or `src_embedding`.
  // The child must outlive this module (normally it is a member).
  void RegisterModule(const std::string& name, Module* child);

 private:
  struct Entry {
    std::string name;
    std::unique_ptr<Parameter> parameter;  // or
    Module* child = nullptr;
    Init init;
  };
  void Collect(const std::string& prefix, std::vector<std::pair<std::string, const Entry*>>& out) const;

  std::vector<Entry> entries_;
};

// Fills `value` (rows × cols) with a random orthogonal matrix drawn from `seed`.
void FillOrthogonal(Tensor& value, uint64_t seed);

}  // namespace nmt::layers

#endif  // NMT_MODELS_LAYERS_MODULE_H_
