#include "ops/kernels/kernels.h"

namespace nmt {

const char* UnaryOpName(UnaryOp op) {
  switch (op) {
    case UnaryOp::kSigmoid:
      return "Sigmoid";
    case UnaryOp::kTanh:
      return "Tanh";
    case UnaryOp::kExp:
      return "Exp";
    case UnaryOp::kLog:
      return "Log";
    case UnaryOp::kRelu:
      return "Relu";
  }
  return "?";
}

const char* BinaryOpName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "Add";
    case BinaryOp::kSub:
      return "Sub";
    case BinaryOp::kMul:
      return "Mul";
    case BinaryOp::kDiv:
      return "Div";
  }
  return "?";
}

}  // namespace nmt
