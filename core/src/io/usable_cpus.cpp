// The CPUs a process may use, as a shared node or a container grants them.
#include <sched.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "distill/compute_info.h"

namespace distill {

namespace {

// ceil(quota / period), or 0 for no quota (a negative v1 quota, v2's "max").
unsigned quota_in_cpus(const std::string& quota, double period) {
    if (quota == "max" || period <= 0) return 0;
    try {
        const double q = std::stod(quota);
        return q > 0 ? unsigned(std::ceil(q / period)) : 0;
    } catch (const std::exception&) {
        return 0;
    }
}

// A cgroup directory's CPU quota: v2 keeps "QUOTA PERIOD" in cpu.max, v1
// the two numbers in cpu.cfs_quota_us and cpu.cfs_period_us. 0 when it has
// none or the files cannot be read.
unsigned directory_quota(const std::string& dir, bool v2) {
    std::string quota;
    double period = 0;
    if (v2) {
        std::ifstream max(dir + "/cpu.max");
        if (!(max >> quota >> period)) return 0;
    } else {
        std::ifstream q(dir + "/cpu.cfs_quota_us"), p(dir + "/cpu.cfs_period_us");
        if (!(q >> quota) || !(p >> period)) return 0;
    }
    return quota_in_cpus(quota, period);
}

// mountinfo escapes a space, tab, newline and backslash in a path as \ooo.
std::string unescape_mount_path(const std::string& field) {
    std::string path;
    for (std::size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && i + 3 < field.size()) {
            const std::string octal = field.substr(i + 1, 3);
            if (octal.find_first_not_of("01234567") == std::string::npos) {
                path += char(std::stoi(octal, nullptr, 8));
                i += 3;
                continue;
            }
        }
        path += field[i];
    }
    return path;
}

bool lists(const std::string& comma_separated, const std::string& item) {
    std::stringstream items(comma_separated);
    for (std::string each; std::getline(items, each, ',');)
        if (each == item) return true;
    return false;
}

// A mount of the cgroup hierarchy that holds the CPU controller.
struct CpuHierarchy {
    bool v2 = false;
    std::string root;         // the cgroup the mount shows at its mount point
    std::string mount_point;
};

std::vector<CpuHierarchy> cpu_hierarchies(const std::string& mountinfo) {
    std::vector<CpuHierarchy> found;
    std::ifstream in(mountinfo);
    for (std::string line; std::getline(in, line);) {
        // ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER_OPTIONS
        std::istringstream fields(line);
        std::string id, parent, device, root, mount_point, options, field, type, source, super_options;
        if (!(fields >> id >> parent >> device >> root >> mount_point >> options)) continue;
        while (fields >> field && field != "-") {
        }
        if (!(fields >> type >> source >> super_options)) continue;
        if (type == "cgroup2" || (type == "cgroup" && lists(super_options, "cpu")))
            found.push_back({type == "cgroup2", unescape_mount_path(root), unescape_mount_path(mount_point)});
    }
    return found;
}

// The process's cgroup in that hierarchy: the "0::PATH" line of
// /proc/self/cgroup for v2, the line whose controllers include "cpu" for v1.
std::string cgroup_path(const std::string& proc_self_cgroup, bool v2) {
    std::ifstream in(proc_self_cgroup);
    for (std::string line; std::getline(in, line);) {
        const auto first = line.find(':'), second = line.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos) continue;
        const std::string controllers = line.substr(first + 1, second - first - 1);
        if (v2 ? line.rfind("0::", 0) == 0 : lists(controllers, "cpu")) return line.substr(second + 1);
    }
    return "";
}

// The tightest quota on `path` and its ancestors that the mount shows: a
// limit may sit on a parent slice. A container sees its own cgroup as the
// mount's root, so only the part of the path below that root is walked.
unsigned hierarchy_quota(const CpuHierarchy& hierarchy, std::string path) {
    if (hierarchy.root != "/") {
        if (path.rfind(hierarchy.root, 0) == 0 &&
            (path.size() == hierarchy.root.size() || path[hierarchy.root.size()] == '/'))
            path = path.substr(hierarchy.root.size());
        else
            path.clear();  // outside what is mounted (another namespace): the mount point itself
    }
    while (!path.empty() && path.back() == '/') path.pop_back();  // "/" is the mount point itself
    unsigned tightest = 0;
    for (;;) {
        if (const unsigned q = directory_quota(hierarchy.mount_point + path, hierarchy.v2))
            tightest = tightest == 0 ? q : std::min(tightest, q);
        if (path.empty()) break;
        const auto parent = path.rfind('/');
        path.resize(parent == std::string::npos ? 0 : parent);  // the parent; the mount point last
    }
    return tightest;
}

}  // namespace

unsigned cgroup_cpu_quota(const std::string& proc_self) {
    unsigned tightest = 0;
    for (const auto& hierarchy : cpu_hierarchies(proc_self + "/mountinfo")) {
        const std::string path = cgroup_path(proc_self + "/cgroup", hierarchy.v2);
        if (path.empty()) continue;
        if (const unsigned q = hierarchy_quota(hierarchy, path))
            tightest = tightest == 0 ? q : std::min(tightest, q);
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
