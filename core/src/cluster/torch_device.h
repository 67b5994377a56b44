#pragma once
// The device choice of the clustering stage, for its *_torch.cpp files only.
#include <c10/core/Device.h>

#include <string>

namespace distill::cluster {

// "auto" (CUDA when libtorch sees a device), "cpu" or "cuda". Throws
// distill::Error for another name, or for "cuda" when there is none.
c10::Device pick_device(const std::string& name);

}  // namespace distill::cluster
