#pragma once
// What the clustering stage's *_torch.cpp files share (only they include it).
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <string>

namespace distill::cluster {

// "auto" (CUDA when libtorch sees a device), "cpu" or "cuda". Throws
// distill::Error for another name, or for "cuda" when there is none.
c10::Device pick_device(const std::string& name);

// Rows of `x` scaled to unit length as torch.nn.functional.normalize does:
// x / max(||x||, 1e-12), so an all-zero row stays zero.
at::Tensor normalised_rows(const at::Tensor& x);

}  // namespace distill::cluster
