// The per-source rules of the reference's fewshot_to_prompt.py (math,
// science, complexqa1) and of its complexqa counterpart: how each source
// dataset's row becomes a (question, answer) pair. Each rule reproduces the
// reference's Python expression by expression, because Data V5 is defined
// by its output: options as "\n\tA. ..." lines, math_qa's option string
// rewritten by str.replace in dict order, MedMCQA's "??" fix applied to the
// whole question, BoolQ's answer kept a boolean.
#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "corpus/text.h"
#include "distill/error.h"
#include "distill/format.h"
#include "format/format_text.h"

namespace distill {
namespace {

using format::python_replace;

constexpr std::array<const char*, 5> kLetters{"A", "B", "C", "D", "E"};

// The value of a field the rule reads; the message names what is missing.
const Record& field(const Record& record, const char* name) {
    const auto it = record.find(name);
    if (it == record.end())
        throw Error("the record has no field " + corpus::json_quoted(name) + " (it has " + format::field_list(record) +
                    ")");
    return *it;
}

// A field the reference used as a str (joined or concatenated, where
// Python accepts nothing else).
const std::string& text_field(const Record& record, const char* name) {
    const Record& value = field(record, name);
    if (!value.is_string())
        throw Error("the field " + corpus::json_quoted(name) + " holds " + corpus::describe_type(value) +
                    ", not a string");
    return value.get_ref<const std::string&>();
}

// '\n\t'.join(f'{label}. {text}' for label, text in zip(labels, texts)):
// zip stops at the shorter list, as Python's does.
std::string option_lines(const std::vector<std::string>& labels, const std::vector<Record>& texts) {
    std::string out;
    const std::size_t n = std::min(labels.size(), texts.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (i) out += "\n\t";
        out += labels[i] + ". " + python_str(texts[i]);
    }
    return out;
}

std::vector<std::string> letters(std::size_t n) { return {kLetters.begin(), kLetters.begin() + n}; }

std::vector<Record> list_field(const Record& record, const char* name) {
    const Record& value = field(record, name);
    if (!value.is_array())
        throw Error("the field " + corpus::json_quoted(name) + " holds " + corpus::describe_type(value) +
                    ", not a list");
    return value.get<std::vector<Record>>();
}

// The reference's {0: 'A', 1: 'B', ...}[index].
// The reference looked the index up in {0: 'A', 1: 'B', ...}, where Python
// finds 1.0 and True as 1: a column that passed through pandas with a gap
// holds floats, and those still name their letter.
std::string letter_of_index(const Record& record, const char* name, std::size_t count) {
    const Record& value = field(record, name);
    double index = -1;
    if (value.is_boolean()) index = value.get<bool>() ? 1 : 0;
    else if (value.is_number()) index = value.get<double>();
    if (index < 0 || index >= double(count) || index != std::floor(index))
        throw Error("the field " + corpus::json_quoted(name) + " holds " + value.dump() +
                    ", not an answer index 0.." + std::to_string(count - 1));
    return kLetters[std::size_t(index)];
}

std::vector<Record> values_of(const Record& record, std::initializer_list<const char*> names) {
    std::vector<Record> out;
    for (const char* name : names) out.push_back(field(record, name));
    return out;
}

QuestionAnswer qa(std::string question, Record answer) { return {"", std::move(question), std::move(answer)}; }

// gsm8k, cnn_dailymail and bAbI: question and answer as they are.
QuestionAnswer question_answer(const Record& r) { return qa(python_str(field(r, "question")), field(r, "answer")); }

// ---- math

QuestionAnswer math_qa(const Record& r) {
    std::string options = text_field(r, "options");
    for (const auto& [from, to] : std::array<std::pair<const char*, const char*>, 6>{
             {{"a )", "\tA."}, {"b )", "\tB."}, {"c )", "\tC."}, {"d )", "\tD."}, {"e )", "\tE."}, {" , ", "\n"}}})
        options = python_replace(std::move(options), from, to);
    return qa(text_field(r, "question") + "\n" + options, format::with_last_character_upper(text_field(r, "Rationale")));
}

QuestionAnswer metamathqa(const Record& r) { return qa(python_str(field(r, "question")), field(r, "answer")); }

QuestionAnswer tal_scq5k(const Record& r) {
    std::string options;
    bool first = true;
    for (const Record& option : list_field(r, "answer_option_list")) {
        // ': '.join(option[0].values())
        if (!option.is_array() || option.empty() || !option[0].is_object())
            throw Error("an entry of \"answer_option_list\" is not a list holding an object: " + option.dump());
        std::string line;
        bool first_value = true;
        for (const auto& [key, value] : option[0].items()) {
            if (!value.is_string())
                throw Error("an option of \"answer_option_list\" holds a non-string " + corpus::json_quoted(key));
            if (!first_value) line += ": ";
            first_value = false;
            line += value.get<std::string>();
        }
        if (!first) options += "\n\t";
        first = false;
        options += line;
    }
    const std::vector<Record> analysis = list_field(r, "answer_analysis");
    if (analysis.empty() || !analysis[0].is_string())
        throw Error("the field \"answer_analysis\" does not start with a string");
    return qa(text_field(r, "question") + "\n\t" + options,
              analysis[0].get<std::string>() + "The answer is: " + text_field(r, "answer"));
}

QuestionAnswer mathinstruct(const Record& r) {
    std::string question = text_field(r, "question");
    for (const auto& [from, to] : std::array<std::pair<const char*, const char*>, 5>{
             {{"(A)", "\n\tA."}, {"(B)", "\n\tB."}, {"(C)", "\n\tC."}, {"(D)", "\n\tD."}, {"(E)", "\n\tE."}}})
        question = python_replace(std::move(question), from, to);
    return qa(std::move(question), field(r, "answer"));
}


// ---- science

QuestionAnswer mmlu(const Record& r) {
    return qa(text_field(r, "question") + "\n\t" + option_lines(letters(4), list_field(r, "choices")),
              letter_of_index(r, "answer", 4));
}

// OpenBookQA and ARC: choices {"text": [...], "label": [...]}, answerKey.
QuestionAnswer labelled_choices(const Record& r) {
    const Record& choices = field(r, "choices");
    if (!choices.is_object()) throw Error("the field \"choices\" is not an object with \"text\" and \"label\"");
    std::vector<std::string> labels;
    for (const Record& label : list_field(choices, "label")) labels.push_back(python_str(label));
    return qa(text_field(r, "question") + "\n\t" + option_lines(labels, list_field(choices, "text")),
              field(r, "answer"));
}

QuestionAnswer bbq(const Record& r) {
    return qa(text_field(r, "context") + " " + text_field(r, "question") + "\n\t" +
                  option_lines(letters(3), list_field(r, "choices")),
              letter_of_index(r, "gold_index", 3));
}

// ---- complexqa1

QuestionAnswer medmcqa(const Record& r) {
    const std::string question =
        python_replace(text_field(r, "question") + "?\n\t" +
                           option_lines(letters(4), values_of(r, {"opa", "opb", "opc", "opd"})),
                       "??", "?");
    const std::string letter = letter_of_index(r, "answer", 4);
    const Record& explanation = field(r, "exp");
    if (!format::python_truthy(explanation)) return qa(question, letter);
    return qa(question, text_field(r, "exp") + ".So the answer is " + letter);
}

QuestionAnswer winogrande(const Record& r) {
    const Record& answer = field(r, "answer");
    if (answer != "1" && answer != "2")
        throw Error("the field \"answer\" holds " + answer.dump() + ", not \"1\" or \"2\"");
    return qa("Fill the under-hypher. " + text_field(r, "question") + "\n\t" +
                  option_lines(letters(2), values_of(r, {"option1", "option2"})),
              answer == "1" ? "A" : "B");
}

QuestionAnswer sciq(const Record& r) {
    return qa(text_field(r, "question") + "\n\t" +
                  option_lines(letters(4), values_of(r, {"distractor1", "distractor2", "distractor3", "answer"})),
              text_field(r, "support") + "So the answer is D.");
}

QuestionAnswer boolq(const Record& r) {
    return qa(text_field(r, "passage") + " " + text_field(r, "question"), field(r, "answer"));
}

// ---- complexqa

QuestionAnswer piqa(const Record& r) {
    return qa(text_field(r, "question") + "\n\t" + option_lines(letters(2), values_of(r, {"sol1", "sol2"})),
              letter_of_index(r, "answer", 2));
}

QuestionAnswer siqa(const Record& r) {
    // The reference's rows held a 0-based index; the Hugging Face dataset's
    // label is the string "1".."3" for answerA..answerC.
    const Record& label = field(r, "answer");
    std::string letter;
    if (label.is_string() && (label == "1" || label == "2" || label == "3"))
        letter = kLetters[label.get<std::string>()[0] - '1'];
    else
        letter = letter_of_index(r, "answer", 3);
    return qa(text_field(r, "context") + " " + text_field(r, "question") + "\n\t" +
                  option_lines(letters(3), values_of(r, {"answerA", "answerB", "answerC"})),
              letter);
}

// Not in the reference's fixtures: HellaSwag (ctx as the question) in the
// same shape as the other multiple-choice sources, its label "0".."3" (or
// an integer) 0-based.
QuestionAnswer hellaswag(const Record& r) {
    const Record& label = field(r, "answer");
    std::string letter;
    if (label.is_string() && label.get<std::string>().size() == 1 && label.get<std::string>()[0] >= '0' &&
        label.get<std::string>()[0] <= '3')
        letter = kLetters[label.get<std::string>()[0] - '0'];
    else
        letter = letter_of_index(r, "answer", 4);
    return qa(text_field(r, "question") + "\n\t" + option_lines(letters(4), list_field(r, "endings")), letter);
}


struct SourceRule {
    SourceRuleInfo info;
    QuestionAnswer (*convert)(const Record&);
};

const std::vector<SourceRule>& rules() {
    static const std::vector<SourceRule> all{
        {{"math_qa", "allenai/math_qa", {"Rationale", "options"}, false,
          "question + \"\\n\" + options rewritten to \"\\tA. ...\" lines; answer: Rationale, last character upper-cased"},
         math_qa},
        {{"metamathqa", "meta-math/MetaMathQA", {"type"}, false, "question and answer as they are"}, metamathqa},
        {{"tal_scq5k", "math-eval/TAL-SCQ5K (EN)", {"answer_option_list"}, false,
          "question + \"\\n\\tA: ...\" option lines; answer: answer_analysis[0] + \"The answer is: \" + answer"},
         tal_scq5k},
        {{"mathinstruct", "TIGER-Lab/MathInstruct", {"source"}, false,
          "question with \"(A)\".. \"(E)\" made \"\\n\\tA.\" lines; answer as it is"},
         mathinstruct},
        {{"gsm8k", "gsm8k", {"question", "answer"}, true, "question and answer as they are"}, question_answer},
        {{"mmlu", "cais/mmlu", {"subject", "choices"}, false,
          "question + \"\\n\\tA. ...\" choice lines; answer: the letter of the answer index"},
         mmlu},
        {{"openbookqa", "openbookqa", {"id", "choices"}, false,
          "question + \"\\n\\tLABEL. text\" choice lines; answer: answerKey"},
         labelled_choices},
        {{"bbq", "lighteval/bbq_helm", {"gold_index"}, false,
          "context + \" \" + question + choice lines A..C; answer: the letter of gold_index"},
         bbq},
        {{"medmcqa", "medmcqa", {"exp"}, false,
          "question + \"?\" + opa..opd lines, \"??\" made \"?\"; answer: exp + \".So the answer is \" + letter"},
         medmcqa},
        {{"winogrande", "winogrande", {"option1"}, false,
          "\"Fill the under-hypher. \" + question + option1/option2 lines; answer: \"1\" -> A, \"2\" -> B"},
         winogrande},
        {{"sciq", "sciq", {"distractor1"}, false,
          "question + distractor1..3 and the answer as lines A..D; answer: support + \"So the answer is D.\""},
         sciq},
        {{"boolq", "boolq", {"passage"}, false, "passage + \" \" + question; answer: the boolean as it is"}, boolq},
        {{"arc", "ai2_arc", {"choices"}, false, "question + \"\\n\\tLABEL. text\" choice lines; answer: answerKey"},
         labelled_choices},
        {{"piqa", "piqa", {"sol1"}, false, "goal + sol1/sol2 lines A, B; answer: the letter of the label"}, piqa},
        {{"siqa", "social_i_qa", {"answerA"}, false,
          "context + \" \" + question + answerA..C lines; answer: the letter of the label (0-based index, or "
          "the dataset's \"1\"..\"3\")"},
         siqa},
        {{"hellaswag", "hellaswag", {"endings"}, false,
          "ctx + endings as lines A..D; answer: the letter of the label (an addition: the reference's fixtures "
          "have no HellaSwag rows)"},
         hellaswag},
        {{"babi", "facebook/babi_qa", {"question", "answer"}, true,
          "question and answer as they are, like gsm8k (an addition: the reference's fixtures have no bAbI rows)"},
         question_answer},
        {{"cnn_dailymail", "cnn_dailymail 3.0.0", {"question", "answer"}, false,
          "article and highlights as they are"},
         question_answer},
    };
    return all;
}

const SourceRule* find_rule(const std::string& name) {
    for (const auto& rule : rules())
        if (rule.info.name == name) return &rule;
    return nullptr;
}

bool recognises(const SourceRuleInfo& info, const Record& record) {
    if (!record.is_object()) return false;
    if (info.exact_fields && record.size() != info.recognised_by.size()) return false;
    return std::all_of(info.recognised_by.begin(), info.recognised_by.end(),
                       [&](const std::string& f) { return record.contains(f); });
}

std::string what_rules_look_for(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) {
        const SourceRule* rule = find_rule(name);
        if (!rule) continue;
        if (!out.empty()) out += ", ";
        out += name + " (";
        for (std::size_t i = 0; i < rule->info.recognised_by.size(); ++i)
            out += (i ? "+" : "") + rule->info.recognised_by[i];
        out += rule->info.exact_fields ? " only)" : ")";
    }
    return out;
}

const SourceRule* first_recognising(const Record& record, const std::vector<std::string>& rule_names) {
    for (const auto& name : rule_names) {
        const SourceRule* rule = find_rule(name);
        if (!rule) throw Error("there is no source rule " + corpus::json_quoted(name));
        if (recognises(rule->info, record)) return rule;
    }
    return nullptr;
}

}  // namespace

const std::vector<SourceRuleInfo>& source_rules() {
    static const std::vector<SourceRuleInfo> infos = [] {
        std::vector<SourceRuleInfo> out;
        for (const auto& rule : rules()) out.push_back(rule.info);
        return out;
    }();
    return infos;
}

PresetFieldCheck::PresetFieldCheck(const PromptPreset& preset) : rules_(preset.source_rules) {
    const PromptTemplate& t = preset.prompt;
    // The texts format() renders for every record that can be an origin or a
    // shot: not the shot text when no shot is ever used, nor an instruction
    // that only a trigger turns on (whether it does depends on the shots).
    std::vector<const std::string*> texts{&t.query, &t.output};
    if (t.max_shots != 0) texts.push_back(&t.shot);
    if (t.instruction_trigger.empty()) texts.push_back(&t.instruction);
    for (const std::string* text : texts) {
        const format::PlaceholderText parsed(*text);
        for (const std::string& name : parsed.placeholders())
            if (name != "question" && name != "answer" && std::find(fields_.begin(), fields_.end(), name) == fields_.end())
                fields_.push_back(name);
    }
}

std::string PresetFieldCheck::problem(const Record& record) const {
    try {
        to_question_answer(record, rules_);  // the rule's own checks of the fields it reads
    } catch (const Error& e) {
        return e.what();
    }
    for (const std::string& name : fields_)
        if (!record.contains(name))
            return "has no field " + corpus::json_quoted(name) + ", which the template's {" + name +
                   "} uses (it has " + format::field_list(record) + ")";
    return "";
}

QuestionAnswer to_question_answer(const Record& record, const std::vector<std::string>& rule_names) {
    if (const SourceRule* rule = first_recognising(record, rule_names)) {
        try {
            QuestionAnswer out = rule->convert(record);
            out.rule = rule->info.name;
            return out;
        } catch (const Error& e) {
            throw Error("looks like a " + rule->info.name + " record, but " + e.what());
        }
    }
    if (!record.is_object()) throw Error("is " + corpus::describe_type(record) + ", not a record object");
    throw Error("matches no source rule: it has " + format::field_list(record) + ", and the rules look for " +
                what_rules_look_for(rule_names) +
                "; map the source's columns to question/answer in the corpus step, or choose the preset of its "
                "domain");
}

}  // namespace distill
