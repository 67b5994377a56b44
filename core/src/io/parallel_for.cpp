#include "io/parallel_for.h"

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace distill {

namespace {

// ceil(quota / period) of this process's cgroup v2 "cpu.max" ("max 100000"
// when unlimited), or 0 when there is no quota or no cgroup v2.
unsigned cgroup_cpu_quota() {
    std::ifstream cgroup("/proc/self/cgroup");
    std::string line, path;
    while (std::getline(cgroup, line))
        if (line.rfind("0::", 0) == 0) path = line.substr(3);
    if (path.empty()) return 0;
    std::ifstream max("/sys/fs/cgroup" + (path == "/" ? std::string() : path) + "/cpu.max");
    std::string quota;
    double period = 0;
    if (!(max >> quota >> period) || quota == "max" || period <= 0) return 0;
    try {
        return unsigned(std::ceil(std::stod(quota) / period));
    } catch (const std::exception&) {
        return 0;
    }
}

}  // namespace

unsigned usable_cpu_count() {
    cpu_set_t mask;
    CPU_ZERO(&mask);
    unsigned cpus = ::sched_getaffinity(0, sizeof mask, &mask) == 0 ? unsigned(CPU_COUNT(&mask))
                                                                    : std::thread::hardware_concurrency();
    if (const unsigned quota = cgroup_cpu_quota(); quota > 0) cpus = std::min(cpus, quota);
    return std::max(1u, cpus);
}

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
