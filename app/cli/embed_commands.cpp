// `distill embed`: one float32 row per line of a JSONL file, with the
// hashing embedder, imported vectors or a sentence-transformers model
// (SPEC §9); `distill bench embed`: questions/s and tokens/s of a model.
#include <chrono>
#include <cstdio>
#include <memory>

#include "commands.h"
#include "file_checks.h"
#include "distill/embedder.h"
#include "distill/npy.h"
#include "jsonl_texts.h"
#include "number_checks.h"
#include "terminal_progress.h"

namespace distill::cli {
namespace {

struct EmbedCommandOptions {
    std::string model;
    std::string input;
    std::string field = "text";
    std::string output;
    EmbedOptions embed;
};

void add_compute_options(CLI::App* sub, EmbedOptions& o) {
    sub->add_option("--device", o.device, "auto, cpu or cuda")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
        ->capture_default_str();
    sub->add_option("--batch-size", o.batch_size, "Questions per batch (0: 64 on the CPU, 256 on CUDA)")
        ->check(whole_number<int>(0))
        ->capture_default_str();
    sub->add_option("--dtype", o.dtype, "fp32, or fp16 / bf16 on CUDA")
        ->check(CLI::IsMember({"fp32", "fp16", "bf16"}))
        ->capture_default_str();
}

void run_embed(const EmbedCommandOptions& o) {
    check_files({{"--output", o.output}}, {{"--input", o.input}});
    // The model directory first (its files are read here, the weights at the
    // first embed): a wrong model path should fail before a large input is read.
    const auto embedder = make_embedder(o.model, o.embed);
    TerminalProgress progress;
    const auto texts = read_jsonl_texts(o.input, o.field, progress);
    const auto start = std::chrono::steady_clock::now();
    const Matrix vectors = embedder->embed(texts, &progress);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.finish();
    write_npy(o.output, vectors);
    std::fprintf(stderr, "embedded %zu lines of %s into %s (%zu x %zu) in %.2f s, %.0f lines/s\n", texts.size(),
                 o.input.c_str(), o.output.c_str(), vectors.rows, vectors.cols, seconds,
                 seconds > 0 ? double(texts.size()) / seconds : 0.0);
}

}  // namespace

void add_embed_commands(CLI::App& app) {
    auto o = std::make_shared<EmbedCommandOptions>();
    auto* embed = app.add_subcommand("embed", "Embed the questions of a JSONL file into an .npy matrix");
    embed->add_option("--model", o->model, "A sentence-transformers model directory, `hashing`, or npy:PATH")
        ->required();
    embed->add_option("--input", o->input, "JSONL, one object per line")->required();
    embed->add_option("--field", o->field, "The text field")->capture_default_str();
    embed->add_option("--output", o->output, "float32 .npy, one row per line")->required();
    add_compute_options(embed, o->embed);
    embed->callback([o] { run_embed(*o); });

    auto b = std::make_shared<EmbedBenchOptions>();
    auto* bench = bench_group(app)->add_subcommand(
        "embed", "Questions/s and tokens/s of an embedding model on synthetic questions");
    bench->add_option("--model", b->model, "A model directory (default: a random-weight MPNet-base)");
    bench->add_option("--count", b->count, "Questions")->check(whole_number<std::size_t>(1))->capture_default_str();
    bench->add_option("--tokens", b->tokens, "Mean tokens per question")
        ->check(whole_number_in(3, 512))
        ->capture_default_str();
    add_compute_options(bench, b->embed);
    bench->callback([b] {
        TerminalProgress progress;
        const auto result = bench_embed(*b, &progress);
        progress.finish();
        std::printf("%s\n", result.summary().c_str());
    });
}

}  // namespace distill::cli
