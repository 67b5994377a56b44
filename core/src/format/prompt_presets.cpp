// The exact prompt presets and their JSON form. The presets are plain data
// through PromptTemplate; only the source rules they name are code.
#include <algorithm>
#include <fstream>
#include <string>

#include "corpus/text.h"
#include "distill/error.h"
#include "distill/format.h"
#include "format/format_text.h"
#include "format/json_fields.h"

namespace distill {
namespace {

// The reference's few-shot prompt for math, science, complexqa and
// complexqa1 (fewshot_to_prompt.py): "Q: ...\nA: ...\n\n" per shot, then
// "Q: ...\nA:", a 1500-word budget, and the multiple-choice instruction
// when the last shot looked at has "\n\tA. " options.
PromptTemplate question_answer_template() {
    PromptTemplate t;
    t.instruction = "The following are multiple choice questions (with answers).\n";
    t.instruction_trigger = "\n\tA. ";
    t.shot = "Q: {question}\nA: {answer}\n\n";
    t.shot_separator = "";
    t.query = "Q: {question}\nA:";
    t.output = "{answer}";
    t.max_shots = -1;
    t.fit = ShotFit::Words;
    t.word_budget = 1500;
    t.length_limit = LengthLimit::AtMost;
    return t;
}

// The reference's cnn.py: 5 article/summary shots joined by blank lines,
// then 4, 3, 2, 1 until it is below the maximum sequence length; a record
// that does not fit with 1 shot is dropped.
PromptTemplate cnn_template() {
    PromptTemplate t;
    t.instruction = "";
    t.shot = "###\nArticle: {question}\n\nSummarize the above article in 3 sentences.\n{answer}";
    t.shot_separator = "\n\n";
    t.query = "###\nArticle: {question}\n\nSummarize the above article in 3 sentences.";
    t.output = "\n{answer}";
    t.max_shots = 5;
    t.min_shots = 1;
    t.fit = ShotFit::Tokens;
    t.length_limit = LengthLimit::Below;
    t.instruction_last = true;
    return t;
}

const char* to_string(ShotFit fit) { return fit == ShotFit::Words ? "words" : "tokens"; }
const char* to_string(LengthLimit limit) { return limit == LengthLimit::AtMost ? "at_most" : "below"; }

void check_rule_names(const std::vector<std::string>& names, const std::string& where) {
    if (names.empty()) throw Error(where + ": \"source_rules\" is empty; name at least one rule");
    for (const auto& name : names) {
        const auto& all = source_rules();
        if (std::none_of(all.begin(), all.end(), [&](const SourceRuleInfo& r) { return r.name == name; })) {
            std::string known;
            for (const auto& r : all) known += (known.empty() ? "" : ", ") + r.name;
            throw Error(where + ": unknown source rule " + corpus::json_quoted(name) + "; the rules are " + known);
        }
    }
}

}  // namespace

const std::vector<PromptPreset>& prompt_presets() {
    static const std::vector<PromptPreset> presets{
        {"math", "gsm8k, math_qa, TAL-SCQ5K-EN, MetaMathQA and MathInstruct as the reference formatted them",
         question_answer_template(), {"math_qa", "metamathqa", "tal_scq5k", "mathinstruct", "gsm8k"}},
        {"science", "MMLU, OpenBookQA and BBQ as the reference formatted them", question_answer_template(),
         {"mmlu", "openbookqa", "bbq"}},
        {"complexqa", "ARC, PIQA and Social IQa as the reference formatted them, HellaSwag and bAbI alike",
         question_answer_template(), {"arc", "piqa", "siqa", "hellaswag", "babi"}},
        {"complexqa1", "MedMCQA, Winogrande, SciQ and BoolQ as the reference formatted them",
         question_answer_template(), {"medmcqa", "winogrande", "sciq", "boolq"}},
        {"cnn", "CNN/DailyMail articles to 3-sentence summaries, up to 5 shots fitted by tokens", cnn_template(),
         {"cnn_dailymail"}},
    };
    return presets;
}

const PromptPreset* find_prompt_preset(const std::string& name) {
    for (const auto& p : prompt_presets())
        if (p.name == name) return &p;
    return nullptr;
}

nlohmann::ordered_json to_json(const PromptPreset& preset) {
    const PromptTemplate& t = preset.prompt;
    return {{"name", preset.name},
            {"description", preset.description},
            {"template",
             {{"instruction", t.instruction},
              {"instruction_trigger", t.instruction_trigger},
              {"shot", t.shot},
              {"shot_separator", t.shot_separator},
              {"query", t.query},
              {"output", t.output},
              {"max_shots", t.max_shots},
              {"min_shots", t.min_shots},
              {"fit", to_string(t.fit)},
              {"word_budget", t.word_budget},
              {"length_limit", to_string(t.length_limit)},
              {"instruction_last", t.instruction_last}}},
            {"source_rules", preset.source_rules}};
}

PromptPreset prompt_preset_from_json(const nlohmann::ordered_json& json, const std::string& where) {
    format::JsonFields top(json, where, {"name", "description", "template", "source_rules"});
    PromptPreset preset;
    top.required("name", preset.name);
    top.optional("description", preset.description);
    top.optional("source_rules", preset.source_rules);
    check_rule_names(preset.source_rules, where);

    format::JsonFields t(top.object("template"), where + ": template",
                         {"instruction", "instruction_trigger", "shot", "shot_separator", "query", "output",
                          "max_shots", "min_shots", "fit", "word_budget", "length_limit", "instruction_last"});
    PromptTemplate& p = preset.prompt;
    t.optional("instruction", p.instruction);
    t.optional("instruction_trigger", p.instruction_trigger);
    t.required("shot", p.shot);
    t.optional("shot_separator", p.shot_separator);
    t.required("query", p.query);
    t.optional("output", p.output);
    t.optional("max_shots", p.max_shots);
    t.optional("min_shots", p.min_shots);
    std::string fit = to_string(p.fit), limit = to_string(p.length_limit);
    t.optional("fit", fit);
    t.optional("length_limit", limit);
    t.optional("word_budget", p.word_budget);
    t.optional("instruction_last", p.instruction_last);
    if (fit != "words" && fit != "tokens")
        throw Error(where + ": template.fit is " + corpus::json_quoted(fit) + "; use \"words\" or \"tokens\"");
    p.fit = fit == "words" ? ShotFit::Words : ShotFit::Tokens;
    if (limit != "at_most" && limit != "below")
        throw Error(where + ": template.length_limit is " + corpus::json_quoted(limit) +
                    "; use \"at_most\" (count <= max) or \"below\" (count < max)");
    p.length_limit = limit == "at_most" ? LengthLimit::AtMost : LengthLimit::Below;
    if (p.min_shots < 0) throw Error(where + ": template.min_shots must not be negative");
    if (p.fit == ShotFit::Words && p.word_budget < 1)
        throw Error(where + ": template.word_budget must be at least 1");
    return preset;
}

PromptPreset load_prompt_preset(const std::string& name_or_path) {
    if (const PromptPreset* preset = find_prompt_preset(name_or_path)) return *preset;
    std::ifstream in(name_or_path);
    if (!in) {
        std::string names;
        for (const auto& p : prompt_presets()) names += (names.empty() ? "" : ", ") + p.name;
        throw Error(name_or_path + ": no such preset or file; the presets are " + names +
                    ", or give a preset JSON file");
    }
    return prompt_preset_from_json(format::parse_json_file(in, name_or_path), name_or_path);
}

}  // namespace distill
