// The CPUs a process may use, as a shared node or a container grants them.
#include <sched.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <fstream>
#include <string>
#include <thread>

#include "distill/compute_info.h"

namespace distill {

namespace {

// ceil(quota / period) of a cgroup v2 "cpu.max" file ("max 100000" when
// unlimited), or 0 when it has no quota or cannot be read.
unsigned cpu_max_quota(const std::string& file) {
    std::ifstream max(file);
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

unsigned cgroup_cpu_quota(const std::string& proc_self_cgroup, const std::string& cgroup_root) {
    std::ifstream cgroup(proc_self_cgroup);
    std::string line, path;
    while (std::getline(cgroup, line))
        if (line.rfind("0::", 0) == 0) path = line.substr(3);
    if (path.empty()) return 0;
    unsigned tightest = 0;
    for (;;) {
        if (const unsigned q = cpu_max_quota(cgroup_root + (path == "/" ? std::string() : path) + "/cpu.max"))
            tightest = tightest == 0 ? q : std::min(tightest, q);
        if (path.size() <= 1) break;
        path.resize(std::max<std::size_t>(1, path.rfind('/')));  // the parent; "/" last
    }
    return tightest;
}

unsigned usable_cpu_count() {
    cpu_set_t mask;
    CPU_ZERO(&mask);
    unsigned cpus = ::sched_getaffinity(0, sizeof mask, &mask) == 0 ? unsigned(CPU_COUNT(&mask))
                                                                    : std::thread::hardware_concurrency();
    if (const unsigned quota = cgroup_cpu_quota(); quota > 0) cpus = std::min(cpus, quota);
    return std::max(1u, cpus);
}

}  // namespace distill
