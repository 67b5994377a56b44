#include "distill/project.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "distill/atomic_file.h"
#include "distill/cluster_methods.h"
#include "distill/error.h"

namespace distill {
namespace fs = std::filesystem;
using nlohmann::ordered_json;

std::string Project::resolve(const std::string& path) const {
    if (path.empty()) return {};
    if (path.rfind("~/", 0) == 0) {
        const char* home = std::getenv("HOME");
        if (home && *home) return (fs::path(home) / path.substr(2)).lexically_normal().string();
    }
    const fs::path p(path);
    if (p.is_absolute() || base_dir.empty()) return p.lexically_normal().string();
    return (fs::path(base_dir) / p).lexically_normal().string();
}

std::string Project::resolved_path(const SourceSpec& source) const { return resolve(source.path); }

std::vector<SourceSpec> Project::resolved_sources() const {
    std::vector<SourceSpec> out = sources;
    for (auto& s : out) s.path = resolved_path(s);
    return out;
}

Project project_from_preset(const DomainPreset& preset) {
    Project p;
    p.name = preset.name;
    p.domain = preset.name;
    p.sources = preset.sources;
    return p;
}

namespace {

// Reads keys of one JSON object, rejecting unknown ones: a typo in a
// hand-written config must not silently fall back to a default.
class ObjectReader {
public:
    ObjectReader(const ordered_json& object, std::string where, const std::string& path)
        : object_(object), where_(std::move(where)), path_(path) {
        if (!object_.is_object()) fail("expected a JSON object");
    }

    template <class T>
    void optional(const char* key, T& out) {
        seen_.insert(key);
        const auto it = object_.find(key);
        if (it == object_.end()) return;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
            // nlohmann converts -5 or 1e12 to any integer type without a word,
            // wrapped or truncated; a count must be written as one that fits.
            if (!whole_number_fits<T>(*it))
                fail(std::string("'") + key + "' is " + it->dump() + "; expected a whole number from " +
                     std::to_string(std::numeric_limits<T>::min()) + " to " +
                     std::to_string(std::numeric_limits<T>::max()));
        }
        try {
            out = it->template get<T>();
        } catch (const nlohmann::json::exception&) {
            fail(std::string("'") + key + "' has the wrong type (" + it->type_name() + ")");
        }
    }
    template <class T>
    void required(const char* key, T& out) {
        if (!object_.contains(key)) fail(std::string("missing key '") + key + "'");
        optional(key, out);
    }
    const ordered_json* child(const char* key) {
        seen_.insert(key);
        const auto it = object_.find(key);
        return it == object_.end() ? nullptr : &*it;
    }
    void reject_unknown_keys() const {
        for (const auto& [key, value] : object_.items()) {
            (void)value;
            if (!seen_.count(key) && key.rfind('_', 0) != 0)  // "_comment" and the like are allowed
                fail("unknown key '" + key + "' (a typo?)");
        }
    }
    [[noreturn]] void fail(const std::string& problem) const {
        throw Error(located_message(path_, 0, where_ + ": " + problem,
                                    "fix the project file or re-save it from Distill Studio"));
    }

private:
    template <class T>
    static bool whole_number_fits(const ordered_json& value) {
        if (value.is_number_unsigned())
            return value.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
        if constexpr (std::is_signed_v<T>) {
            if (value.is_number_integer())  // negative: nlohmann keeps the others unsigned
                return value.get<std::int64_t>() >= std::numeric_limits<T>::min();
        }
        return false;  // a fraction, or an integer too large for 64 bits (read as a double)
    }

    const ordered_json& object_;
    std::string where_;
    const std::string& path_;
    std::set<std::string> seen_;
};

SourceSpec read_source_spec(const ordered_json& j, std::size_t index, const std::string& path) {
    ObjectReader r(j, "sources[" + std::to_string(index) + "]", path);
    SourceSpec s;
    std::string format = "auto";
    r.required("name", s.name);
    r.optional("path", s.path);
    r.optional("format", format);
    r.optional("question", s.columns.question);
    r.optional("answer", s.columns.answer);
    r.optional("origin", s.origin);
    r.reject_unknown_keys();
    try {
        s.format = source_format_from_string(format);
    } catch (const Error& e) {
        r.fail(e.what());
    }
    return s;
}

PipelineSettings read_pipeline_settings(const ordered_json& j, const std::string& path) {
    ObjectReader r(j, "pipeline", path);
    PipelineSettings s;
    r.optional("embedder", s.embedder);
    r.optional("device", s.embed.device);
    r.optional("dtype", s.embed.dtype);
    r.optional("batch_size", s.embed.batch_size);
    r.optional("clustering", s.clustering);
    r.optional("threshold", s.threshold);
    r.optional("min_community_size", s.min_community_size);
    r.optional("approximate", s.approximate);
    r.optional("kmeans_k", s.kmeans_k);
    r.optional("sample_size", s.sample_size);
    r.optional("seed", s.seed);
    r.optional("prompt", s.prompt);
    r.optional("tokenizer", s.tokenizer);
    r.optional("max_seq_len", s.max_seq_len);
    r.optional("mask_inputs", s.mask_inputs);
    r.optional("valid_fraction", s.valid_fraction);
    r.reject_unknown_keys();
    if (s.embed.device != "auto" && s.embed.device != "cpu" && s.embed.device != "cuda")
        r.fail("'device' is '" + s.embed.device + "'; use auto, cpu or cuda");
    if (s.embed.dtype != "fp32" && s.embed.dtype != "fp16" && s.embed.dtype != "bf16")
        r.fail("'dtype' is '" + s.embed.dtype + "'; use fp32, fp16 or bf16");
    try {
        cluster_method_from_string(s.clustering);
    } catch (const Error& e) {
        r.fail(std::string("'clustering': ") + e.what());
    }
    if (s.embed.batch_size < 0) r.fail("'batch_size' must be 0 (the embedder chooses) or more");
    if (s.kmeans_k < 1) r.fail("'kmeans_k' must be at least 1");
    if (!(s.threshold >= -1 && s.threshold <= 1)) r.fail("'threshold' must be a cosine in [-1, 1]");
    if (s.min_community_size < 1) r.fail("'min_community_size' must be at least 1");
    if (s.sample_size < 1) r.fail("'sample_size' must be at least 1");
    if (s.max_seq_len < 1) r.fail("'max_seq_len' must be at least 1");
    if (!(s.valid_fraction >= 0 && s.valid_fraction < 1)) r.fail("'valid_fraction' must be in [0, 1)");
    return s;
}

ordered_json to_json(const SourceSpec& s, const Project& project, const fs::path& project_dir) {
    // Paths inside the project's folder are stored relative to it, so the
    // folder can be moved or shared as a whole.
    std::string path = s.path;
    if (!path.empty()) {
        const fs::path absolute = project.resolved_path(s);
        const fs::path rel = absolute.lexically_relative(project_dir);
        if (!rel.empty() && *rel.begin() != "..") path = rel.string();
        else path = absolute.string();
    }
    return ordered_json{{"name", s.name},           {"path", path},
                        {"format", to_string(s.format)}, {"question", s.columns.question},
                        {"answer", s.columns.answer}, {"origin", s.origin}};
}

}  // namespace

ordered_json to_json(const PipelineSettings& s) {
    ordered_json j{{"embedder", s.embedder},
                        {"device", s.embed.device},
                        {"dtype", s.embed.dtype},
                        {"batch_size", s.embed.batch_size},
                        {"clustering", s.clustering},
                        {"threshold", s.threshold},
                        {"min_community_size", s.min_community_size},
                        {"kmeans_k", s.kmeans_k},
                        {"sample_size", s.sample_size},
                        {"seed", s.seed},
                        {"prompt", s.prompt},
                        {"tokenizer", s.tokenizer},
                        {"max_seq_len", s.max_seq_len},
                        {"mask_inputs", s.mask_inputs},
                        {"valid_fraction", s.valid_fraction}};
    // Only when on, so projects and manifests saved before it existed read
    // back byte for byte.
    if (s.approximate) j["approximate"] = true;
    return j;
}

Project load_project(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open the project file; check the path");
    ordered_json j;
    try {
        j = ordered_json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        // nlohmann's message carries "at line L, column C".
        throw Error(path + ": not valid JSON (" + e.what() + "); fix the file or re-save it from Distill Studio");
    }
    ObjectReader r(j, "project", path);
    int format_version = 0;
    r.required("distill_project", format_version);
    if (format_version < 1 || format_version > Project::kFormatVersion)
        r.fail("format version " + std::to_string(format_version) + " is not one this build reads (1.." +
               std::to_string(Project::kFormatVersion) + "); use a newer Distill Studio");
    Project p;
    std::string policy = "abort";
    r.optional("name", p.name);
    r.required("domain", p.domain);
    r.optional("on_bad_line", policy);
    if (const ordered_json* sources = r.child("sources")) {
        if (!sources->is_array()) r.fail("'sources' must be an array");
        for (std::size_t i = 0; i < sources->size(); ++i)
            p.sources.push_back(read_source_spec((*sources)[i], i, path));
    }
    if (const ordered_json* pipeline = r.child("pipeline")) p.pipeline = read_pipeline_settings(*pipeline, path);
    if (const ordered_json* fewshot = r.child("fewshot")) {
        ObjectReader f(*fewshot, "fewshot", path);
        f.optional("k", p.fewshot.k);
        if (p.fewshot.k == 0) f.fail("'k' is 0; it is the number of shots per question, 1 or more (the reference: 5)");
        f.reject_unknown_keys();
    }
    if (const ordered_json* edits = r.child("fewshot_edits"))
        p.fewshot_edits = fewshot_edits_from_json(*edits, path + ": fewshot_edits");
    r.reject_unknown_keys();
    try {
        p.on_bad_line = bad_input_policy_from_string(policy);
    } catch (const Error& e) {
        r.fail(e.what());
    }
    p.base_dir = fs::absolute(path).parent_path().lexically_normal().string();
    return p;
}

void save_project(Project& project, const std::string& path) {
    const fs::path project_dir = fs::absolute(path).parent_path().lexically_normal();
    ordered_json sources = ordered_json::array();
    for (const auto& s : project.sources) sources.push_back(to_json(s, project, project_dir));
    ordered_json j{{"distill_project", Project::kFormatVersion},
                   {"name", project.name},
                   {"domain", project.domain},
                   {"on_bad_line", to_string(project.on_bad_line)},
                   {"sources", sources},
                   {"pipeline", to_json(project.pipeline)},
                   {"fewshot", {{"k", project.fewshot.k}}}};
    if (!project.fewshot_edits.empty()) j["fewshot_edits"] = to_json(project.fewshot_edits);
    write_file_atomically(path, [&](std::ostream& out) { out << j.dump(2) << '\n'; });
    // Re-base the in-memory paths the way they were just written.
    for (auto& s : project.sources) {
        s.path = to_json(s, project, project_dir)["path"].get<std::string>();
    }
    project.base_dir = project_dir.string();
}

}  // namespace distill
