#include "io/parallel_for.h"

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

#include "distill/compute_info.h"

namespace distill {

unsigned thread_count(int threads) { return threads > 0 ? unsigned(threads) : usable_cpu_count(); }

void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& work) {
    threads = unsigned(std::min<std::size_t>(threads, count));
    if (threads <= 1) {
        for (std::size_t i = 0; i < count; ++i) work(i);
        return;
    }
    std::vector<std::exception_ptr> errors(threads);
    {
        std::vector<std::jthread> workers;
        for (unsigned t = 0; t < threads; ++t)
            workers.emplace_back([&, t] {
                try {
                    for (std::size_t i = t; i < count; i += threads) work(i);
                } catch (...) {
                    errors[t] = std::current_exception();
                }
            });
    }
    for (const auto& e : errors)
        if (e) std::rethrow_exception(e);
}

}  // namespace distill
