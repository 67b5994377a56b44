#!/usr/bin/env python3
"""Deterministic generator of Distill Studio's demo corpus (resources/demo/).

Why this file exists
--------------------
A newcomer should be able to open a project and press Run (GUI) or type
`distill run --config resources/demo/demo.distill.json --output-dir out/`
right after set-up, without downloading a real dataset (the app never
downloads datasets, SPEC §1). The real sources (gsm8k, math_qa,
TAL-SCQ5K-EN, MetaMathQA, MathInstruct, MMLU auxiliary_train, OpenBookQA,
OASST) are large and carry their own licences, so this script *synthesises*
a small corpus whose rows are shaped exactly like theirs (original column
names and value shapes, see shared/fixtures/format/*.json), with arithmetic
that is actually right, and with structure worth looking at:

* near-duplicate "families": questions written from one topic template with
  other numbers or names, a reordered clause or an added word, so that the
  built-in lexical embedder (IDF-weighted hashed word + character n-grams,
  cosine) groups them into communities at threshold 0.75, min size 5-10;
* unique background questions (composed from many independent parts) that
  end up as outliers;
* exact duplicate questions across sources (MetaMathQA GSM_AnsAug and
  MathInstruct gsm_rft repeat gsm8k questions verbatim; MMLU
  auxiliary_train repeats OpenBookQA stems), so dedup-by-question shows;
* a dozen OASST message trees (one German tree, which the chat stage skips);
* one small broken file (math/broken_sample.jsonl) to try skip/abort with;
  no demo project references it.

Only the Python 3 standard library is used. Every random choice comes from
random.Random instances seeded with fixed strings (string seeds are hashed
with SHA-512 by `random`, so PYTHONHASHSEED does not matter) and nothing
iterates over a set or dict whose order could vary, so the output is the
same byte for byte on every run and platform.

How to regenerate
-----------------
    /usr/bin/python3 resources/demo/generate.py              # rewrite resources/demo/
    /usr/bin/python3 resources/demo/generate.py --output-dir /tmp/demo
    /usr/bin/python3 resources/demo/generate.py --check      # regenerate in memory,
        # compare with the files on disk byte for byte, parse them back, and
        # print counts plus a pure-Python TF-IDF near-duplicate statistic

Editing the templates below changes the committed files: regenerate, run
--check, and update README.md (counts, groups) in the same change.
"""

import argparse
import csv
import io
import json
import math
import os
import random
import re
import sys
import uuid
from fractions import Fraction

SEED = "distill-studio-demo-v1"


def rng_for(name):
    """An independent, reproducible random stream per purpose."""
    return random.Random(SEED + "/" + name)


# --------------------------------------------------------------------------
# Arithmetic helpers (exact, with Fraction)
# --------------------------------------------------------------------------

_NUM = re.compile(r"\d+(?:\.\d+)?")


def ev(expr):
    """Evaluates an arithmetic expression of + - * / and parentheses exactly."""
    if not re.fullmatch(r"[0-9.+\-*/() x]*", expr):
        raise ValueError("bad expression: " + expr)
    py = _NUM.sub(lambda m: 'F("%s")' % m.group(0), expr)
    return eval(py, {"__builtins__": {}}, {"F": Fraction})


def fmt(v):
    """Formats an exact value: integers plainly, terminating decimals trimmed."""
    v = Fraction(v)
    if v.denominator == 1:
        return str(v.numerator)
    d = v.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d != 1:
        raise ValueError("non-terminating decimal: %s" % v)
    s = "%.6f" % float(v)
    return s.rstrip("0").rstrip(".")


def is_int(v):
    return Fraction(v).denominator == 1


def calc(expr):
    """gsm8k-style computation: '16 - 3 - 4 = <<16-3-4=9>>9' and its value."""
    v = ev(expr)
    s = fmt(v)
    return "%s = <<%s=%s>>%s" % (expr, expr.replace(" ", ""), s, s), v


def strip_calc(text):
    """Removes gsm8k's <<...>> calculator annotations."""
    return re.sub(r"<<[^>]*>>", "", text)


def int_distractors(value, count, rng):
    """`count` distinct positive integers near `value`, none equal to it."""
    value = int(value)
    cands = []
    spread = max(3, abs(value) // 4)
    for d in range(-spread, spread + 1):
        c = value + d
        if d != 0 and c > 0:
            cands.append(c)
    for c in (value * 2, value // 2, value + 10, value - 10, value * 3):
        if c > 0 and c != value and c not in cands:
            cands.append(c)
    c = value + spread + 1
    while len(cands) < count + 4:
        if c not in cands:
            cands.append(c)
        c += 1
    return rng.sample(cands, count)


# --------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------

NAMES = [
    ("Janet", "f"), ("Tom", "m"), ("Maria", "f"), ("Ali", "m"), ("Sofia", "f"),
    ("Ben", "m"), ("Priya", "f"), ("Carlos", "m"), ("Mei", "f"), ("Liam", "m"),
    ("Aisha", "f"), ("Noah", "m"), ("Emma", "f"), ("Omar", "m"), ("Lucy", "f"),
    ("Ravi", "m"), ("Hana", "f"), ("Jack", "m"), ("Zoe", "f"), ("Diego", "m"),
    ("Nadia", "f"), ("Felix", "m"), ("Grace", "f"), ("Kenji", "m"),
]


def person(rng, exclude=()):
    while True:
        name, g = rng.choice(NAMES)
        if name not in exclude:
            break
    if g == "f":
        p = {"she": "she", "She": "She", "her": "her", "Her": "Her", "obj": "her"}
    else:
        p = {"she": "he", "She": "He", "her": "his", "Her": "His", "obj": "him"}
    p["name"] = name
    return p


# --------------------------------------------------------------------------
# GSM8K-style families: near-duplicate questions by design
# --------------------------------------------------------------------------
# A family has a few phrasings (body, question) that differ by small edits,
# parameters drawn from small ranges, a gsm8k solution, and a formula used
# for the answer and for MetaMathQA's SV/FOBAR variants (one parameter
# replaced by the unknown x).


class GsmFamily:
    def __init__(self, key, topic, variants, params, solution, formula,
                 xvars, statement):
        self.key = key
        self.topic = topic
        self.variants = variants
        self.params = params
        self.solution = solution
        self.formula = formula
        self.xvars = xvars
        self.statement = statement

    def value(self, p):
        return ev(self.formula.format(**p))

    def render(self, p, who, variant, override=None):
        fields = dict(who)
        fields.update({k: str(v) for k, v in p.items()})
        if override:
            fields.update(override)
        body, question = self.variants[variant]
        return body.format(**fields), question.format(**fields)

    def question(self, p, who, variant):
        body, q = self.render(p, who, variant)
        return body + " " + q

    def gsm_answer(self, p, who):
        lines = self.solution(p, who)
        return "\n".join(lines) + "\n#### " + fmt(self.value(p))


def _sol_ducks(p, w):
    t1, u = calc("%d + %d" % (p["b"], p["c"]))
    t2, r = calc("%d - %s" % (p["a"], fmt(u)))
    t3, m = calc("%s * %d" % (fmt(r), p["p"]))
    return ["%s uses %s eggs every day." % (w["name"], t1),
            "%s sells %s duck eggs a day." % (w["She"], t2),
            "%s makes %s * $%d = $<<%s*%d=%s>>%s every day at the farmers' market."
            % (w["She"], fmt(r), p["p"], fmt(r), p["p"], fmt(m), fmt(m))]


def _par_ducks(r):
    while True:
        p = {"a": r.randint(14, 24), "b": r.randint(2, 4), "c": r.randint(3, 6),
             "p": r.randint(2, 4)}
        if p["a"] - p["b"] - p["c"] >= 5:
            return p


def _sol_clips(p, w):
    t1, h = calc("%d / 2" % p["a"])
    t2, _ = calc("%d + %s" % (p["a"], fmt(h)))
    return ["%s sold %s clips in May." % (w["name"], t1),
            "%s sold %s clips altogether in April and May." % (w["name"], t2)]


def _sol_babysit(p, w):
    t1, per = calc("%d / 60" % p["w"])
    t2, _ = calc("%s * %d" % (fmt(per), p["m"]))
    return ["%s earns %s per minute." % (w["name"], t1.replace(" = <<", " = $<<")),
            "Working %d minutes, %s earned %s." % (p["m"], w["she"], t2.replace(" = <<", " = $<<"))]


def _par_babysit(r):
    while True:
        p = {"w": r.choice([6, 9, 12, 15, 18, 21, 24, 30]), "m": r.choice([20, 30, 40, 45, 50, 80, 90, 100])}
        if is_int(Fraction(p["w"] * p["m"], 60)):
            return p


def _sol_shelf(p, w):
    t1, k = calc("%d - %d" % (p["b"], p["r"]))
    t2, _ = calc("%d * %s" % (p["s"], fmt(k)))
    return ["Each shelf has %s books left." % t1,
            "There are %s books left on the bookshelf." % t2]


def _sol_pizza(p, w):
    t1, n = calc("%d * %d" % (p["p"], p["s"]))
    t2, _ = calc("%s - %d" % (fmt(n), p["e"]))
    return ["There were %s slices of pizza." % t1,
            "There were %s slices left over." % t2]


def _par_pizza(r):
    p = {"p": r.randint(2, 6), "s": r.choice([6, 8, 10, 12])}
    p["e"] = r.randint(p["p"] * p["s"] // 2, p["p"] * p["s"] - 2)
    return p


def _sol_bike(p, w):
    t1, d = calc("%d - %d" % (p["c"], p["s"]))
    t2, _ = calc("%s / %d" % (fmt(d), p["w"]))
    return ["%s still needs %s." % (w["name"], t1.replace(" = <<", " = $<<")),
            "It will take %s %s weeks to save enough money." % (w["name"], t2)]


def _par_bike(r):
    w = r.choice([5, 6, 8, 10, 12, 15, 20])
    k = r.randint(6, 20)
    s = r.choice([10, 20, 25, 30, 40, 50, 60])
    return {"c": w * k + s, "s": s, "w": w}


def _sol_tomato(p, w):
    t1, n = calc("%d * %d" % (p["r"], p["k"]))
    t2, _ = calc("%s * %d" % (fmt(n), p["t"]))
    return ["%s planted %s tomato plants." % (w["name"], t1),
            "%s harvested %s tomatoes." % (w["She"], t2)]


def _sol_bus(p, w):
    t1, n = calc("%d + %d" % (p["s"], p["t"]))
    t2, _ = calc("%d * %s" % (p["b"], fmt(n)))
    return ["Each bus carries %s people." % t1,
            "In total, %s people are going on the field trip." % t2]


def _sol_marbles(p, w):
    t1, m = calc("%d * %d" % (p["a"], p["k"]))
    t2, _ = calc("%d + %s" % (p["a"], fmt(m)))
    return ["%s's brother has %s marbles." % (w["name"], t1),
            "Together they have %s marbles." % t2]


def _sol_lemonade(p, w):
    t1, inc = calc("%d * %d" % (p["c"], p["p"]))
    t2, _ = calc("%s - %d" % (fmt(inc), p["s"]))
    return ["%s takes in %s from selling lemonade." % (w["name"], t1.replace(" = <<", " = $<<")),
            "%s profit is %s." % (w["Her"], t2.replace(" = <<", " = $<<"))]


def _par_lemonade(r):
    while True:
        p = {"c": r.randint(20, 60), "p": r.randint(1, 3), "s": r.randint(8, 25)}
        if p["c"] * p["p"] > p["s"] + 5:
            return p


def _sol_reading(p, w):
    t1, n = calc("%d * %d" % (p["r"], p["d"]))
    t2, _ = calc("%d - %s" % (p["P"], fmt(n)))
    return ["%s has read %s pages." % (w["name"], t1),
            "%s still has to read %s pages." % (w["She"], t2)]


def _par_reading(r):
    while True:
        p = {"P": r.choice([120, 150, 180, 200, 240, 250, 300, 320, 360, 400]),
             "r": r.choice([8, 10, 12, 15, 20, 25, 30]), "d": r.randint(3, 9)}
        if p["P"] - p["r"] * p["d"] > 10:
            return p


def _sol_train(p, w):
    t1, a = calc("%d * %d" % (p["s1"], p["h1"]))
    t2, b = calc("%d * %d" % (p["s2"], p["h2"]))
    t3, _ = calc("%s + %s" % (fmt(a), fmt(b)))
    return ["In the first part of the trip, the train travels %s miles." % t1,
            "In the second part, it travels %s miles." % t2,
            "In total, the train travels %s miles." % t3]


GSM_FAMILIES = [
    GsmFamily(
        "ducks", "duck eggs sold at the farmers' market",
        [("{name}'s ducks lay {a} eggs per day. {She} eats {b} for breakfast every morning and bakes muffins for {her} friends every day with {c}. {She} sells the remainder at the farmers' market daily for ${p} per fresh duck egg.",
          "How much in dollars does {she} make every day at the farmers' market?"),
         ("{name}'s ducks lay {a} eggs per day. {She} eats {b} for breakfast every morning and bakes muffins for {her} friends every day with {c}. {She} sells the rest at the farmers' market daily for ${p} per fresh duck egg.",
          "How many dollars does {she} make every day at the farmers' market?"),
         ("{name}'s ducks lay {a} eggs per day. {She} bakes muffins for {her} friends every day with {c} and eats {b} for breakfast every morning. {She} sells the remainder at the farmers' market daily for ${p} per fresh duck egg.",
          "How much in dollars does {she} make every day at the farmers' market?")],
        _par_ducks, _sol_ducks, "({a} - {b} - {c}) * {p}", ["b", "c", "p"],
        "{She} makes ${ans} every day at the farmers' market."),
    GsmFamily(
        "clips", "clips sold in April and May",
        [("{name} sold clips to {a} of {her} friends in April, and then {she} sold half as many clips in May.",
          "How many clips did {name} sell altogether in April and May?"),
         ("In April, {name} sold clips to {a} of {her} friends, and then {she} sold half as many clips in May.",
          "How many clips did {name} sell altogether in April and May?"),
         ("{name} sold clips to {a} of {her} friends in April, and then {she} sold half as many clips in May.",
          "Altogether, how many clips did {name} sell in April and May?")],
        lambda r: {"a": 2 * r.randint(12, 48)}, _sol_clips, "{a} + {a} / 2", ["a"],
        "{She} sold {ans} clips altogether in April and May."),
    GsmFamily(
        "babysit", "babysitting pay per minute",
        [("{name} earns ${w} an hour for babysitting. Yesterday, {she} just did {m} minutes of babysitting.",
          "How much did {she} earn?"),
         ("{name} earns ${w} an hour for babysitting. Yesterday, {she} did {m} minutes of babysitting for {her} neighbor.",
          "How much did {she} earn?"),
         ("Yesterday, {name} just did {m} minutes of babysitting. {She} earns ${w} an hour for babysitting.",
          "How much money did {she} earn?")],
        _par_babysit, _sol_babysit, "{w} / 60 * {m}", ["w", "m"],
        "{She} earned ${ans}."),
    GsmFamily(
        "bookshelf", "books left on a bookshelf",
        [("A bookshelf in {name}'s bedroom has {s} shelves, and each shelf holds {b} books. {name} takes {r} books off every shelf to donate to the school library.",
          "How many books are left on the bookshelf?"),
         ("A bookshelf in {name}'s bedroom has {s} shelves, and each shelf holds exactly {b} books. {name} takes {r} books off every shelf to donate to the school library.",
          "How many books are left on the bookshelf?"),
         ("{name} takes {r} books off every shelf of the bookshelf in {her} bedroom to donate to the school library. The bookshelf has {s} shelves, and each shelf holds {b} books.",
          "How many books are left on the bookshelf?")],
        lambda r: {"s": r.randint(3, 8), "b": r.randint(12, 30), "r": r.randint(2, 6)},
        _sol_shelf, "{s} * ({b} - {r})", ["s", "b", "r"],
        "There are {ans} books left on the bookshelf."),
    GsmFamily(
        "pizza", "pizza slices left over after a party",
        [("{name} ordered {p} large pizzas for {her} birthday party. Each pizza was cut into {s} slices. The guests ate {e} slices.",
          "How many slices of pizza were left over?"),
         ("{name} ordered {p} large pizzas for {her} birthday party, and each pizza was cut into {s} slices. At the party, the guests ate {e} slices.",
          "How many slices of pizza were left over?"),
         ("For {her} birthday party, {name} ordered {p} large pizzas. Each pizza was cut into {s} slices. The guests ate {e} slices.",
          "How many slices of pizza were left over?")],
        _par_pizza, _sol_pizza, "{p} * {s} - {e}", ["p", "s", "e"],
        "There were {ans} slices of pizza left over."),
    GsmFamily(
        "bicycle", "weeks of saving for a bicycle",
        [("{name} wants to buy a new bicycle that costs ${c}. {She} already has ${s} in {her} piggy bank and saves ${w} every week from {her} allowance.",
          "How many weeks will it take {name} to save enough money to buy the bicycle?"),
         ("{name} wants to buy a new bicycle that costs ${c}. {She} has ${s} in {her} piggy bank and plans to save ${w} every week from {her} allowance.",
          "How many weeks will it take {name} to save enough money to buy the bicycle?"),
         ("{name} already has ${s} in {her} piggy bank and saves ${w} every week from {her} allowance. {She} wants to buy a new bicycle that costs ${c}.",
          "How many weeks will it take {name} to save enough money to buy the bicycle?")],
        _par_bike, _sol_bike, "({c} - {s}) / {w}", ["c", "s", "w"],
        "It takes {name} {ans} weeks to save enough money to buy the bicycle."),
    GsmFamily(
        "tomatoes", "tomatoes harvested from a garden",
        [("{name} planted {r} rows of tomato plants in {her} vegetable garden, with {k} plants in each row. Each tomato plant produced {t} tomatoes.",
          "How many tomatoes did {name} harvest in total?"),
         ("{name} planted {r} rows of tomato plants in {her} vegetable garden, with {k} plants in each row. Each tomato plant produced {t} ripe tomatoes.",
          "How many tomatoes did {name} harvest in total?"),
         ("In {her} vegetable garden, {name} planted {r} rows of tomato plants, with {k} plants in each row. Each tomato plant produced {t} tomatoes.",
          "How many tomatoes did {name} harvest in total?")],
        lambda r: {"r": r.randint(3, 9), "k": r.randint(4, 12), "t": r.randint(5, 15)},
        _sol_tomato, "{r} * {k} * {t}", ["r", "k", "t"],
        "{name} harvested {ans} tomatoes in total."),
    GsmFamily(
        "buses", "people on a school field trip",
        [("{b} buses are taking students from {name}'s school on a field trip to the science museum. Each bus carries {s} students and {t} teachers.",
          "How many people are going on the field trip?"),
         ("There are {b} buses taking students from {name}'s school on a field trip to the science museum. Each bus carries {s} students and {t} teachers.",
          "How many people are going on the field trip?"),
         ("{b} buses are taking students from {name}'s school on a field trip to the science museum. Each bus carries {t} teachers and {s} students.",
          "How many people in total are going on the field trip?")],
        lambda r: {"b": r.randint(3, 8), "s": r.randint(30, 50), "t": r.randint(2, 4)},
        _sol_bus, "{b} * ({s} + {t})", ["b", "s", "t"],
        "{ans} people are going on the field trip."),
    GsmFamily(
        "marbles", "marbles of a brother and sister",
        [("{name} has {a} marbles in a glass jar. {Her} brother has {k} times as many marbles as {name} has.",
          "How many marbles do {name} and {her} brother have together?"),
         ("{name} has {a} marbles in a glass jar, and {her} brother has {k} times as many marbles as {name} has.",
          "How many marbles do {name} and {her} brother have together?"),
         ("{name} has {a} marbles in a glass jar. {Her} brother has {k} times as many marbles as {name} has.",
          "How many marbles do {name} and {her} brother have altogether?")],
        lambda r: {"a": r.randint(10, 40), "k": r.randint(2, 5)},
        _sol_marbles, "{a} + {a} * {k}", ["a", "k"],
        "{name} and {her} brother have {ans} marbles together."),
    GsmFamily(
        "lemonade", "profit of a lemonade stand",
        [("{name} runs a lemonade stand on Saturday. {She} sells {c} cups of lemonade for ${p} each. The lemons, sugar and paper cups cost {obj} ${s}.",
          "How much profit does {name} make from the lemonade stand?"),
         ("{name} runs a lemonade stand on Saturday and sells {c} cups of lemonade for ${p} each. The lemons, sugar and paper cups cost {obj} ${s}.",
          "How much profit does {name} make from the lemonade stand?"),
         ("{name} runs a lemonade stand on Saturday. The lemons, sugar and paper cups cost {obj} ${s}. {She} sells {c} cups of lemonade for ${p} each.",
          "How much profit does {name} make from the lemonade stand?")],
        _par_lemonade, _sol_lemonade, "{c} * {p} - {s}", ["c", "p", "s"],
        "{name} makes a profit of ${ans} from the lemonade stand."),
    GsmFamily(
        "reading", "pages of a book still to read",
        [("{name} is reading a mystery novel that has {P} pages. {She} reads {r} pages every evening for {d} days.",
          "How many pages does {name} still have to read to finish the novel?"),
         ("{name} is reading a mystery novel that has {P} pages, and {she} reads {r} pages every evening for {d} days.",
          "How many pages does {name} still have to read to finish the novel?"),
         ("{name} reads {r} pages of a mystery novel every evening for {d} days. The novel has {P} pages.",
          "How many pages does {name} still have to read to finish the novel?")],
        _par_reading, _sol_reading, "{P} - {r} * {d}", ["P", "r", "d"],
        "{name} still has to read {ans} pages."),
    GsmFamily(
        "train", "distance a train travels at two speeds",
        [("A freight train leaves the station and travels at {s1} miles per hour for {h1} hours. Then it slows down and travels at {s2} miles per hour for another {h2} hours.",
          "How many miles does the freight train travel in total?"),
         ("A freight train leaves the station and travels at {s1} miles per hour for {h1} hours. After that, it slows down and travels at {s2} miles per hour for another {h2} hours.",
          "How many miles does the freight train travel in total?"),
         ("A freight train travels at {s1} miles per hour for {h1} hours after it leaves the station. Then it slows down and travels at {s2} miles per hour for another {h2} hours.",
          "How many miles does the freight train travel in total?")],
        lambda r: {"s1": 5 * r.randint(10, 16), "h1": r.randint(2, 5), "s2": 5 * r.randint(5, 9), "h2": r.randint(1, 4)},
        _sol_train, "{s1} * {h1} + {s2} * {h2}", ["s1", "h1", "s2", "h2"],
        "The freight train travels {ans} miles in total."),
]


# --------------------------------------------------------------------------
# Background word problems: composed from independent parts, so that two of
# them rarely share more than a few words (they end up as outliers)
# --------------------------------------------------------------------------

ITEM_KINDS = {
    "fruit": [("apple", "apples"), ("orange", "oranges"), ("peach", "peaches"),
              ("lemon", "lemons"), ("plum", "plums"), ("mango", "mangoes"),
              ("pear", "pears"), ("apricot", "apricots"), ("kiwi", "kiwis"),
              ("tangerine", "tangerines")],
    "baked": [("cookie", "cookies"), ("cupcake", "cupcakes"), ("brownie", "brownies"),
              ("bagel", "bagels"), ("croissant", "croissants"), ("pretzel", "pretzels"),
              ("scone", "scones"), ("cinnamon roll", "cinnamon rolls"), ("doughnut", "doughnuts")],
    "beach": [("seashell", "seashells"), ("pebble", "pebbles"), ("feather", "feathers"),
              ("sand dollar", "sand dollars"), ("piece of sea glass", "pieces of sea glass"),
              ("snail shell", "snail shells")],
    "collect": [("stamp", "stamps"), ("trading card", "trading cards"), ("postcard", "postcards"),
                ("sticker", "stickers"), ("coin", "coins"), ("comic book", "comic books"),
                ("baseball card", "baseball cards"), ("button", "buttons")],
    "school": [("pencil", "pencils"), ("eraser", "erasers"), ("notebook", "notebooks"),
               ("marker", "markers"), ("crayon", "crayons"), ("folder", "folders"),
               ("envelope", "envelopes"), ("glue stick", "glue sticks"), ("paintbrush", "paintbrushes")],
    "flower": [("rose", "roses"), ("tulip", "tulips"), ("daisy", "daisies"),
               ("sunflower", "sunflowers"), ("lily", "lilies"), ("carnation", "carnations"),
               ("marigold", "marigolds")],
    "craft": [("bracelet", "bracelets"), ("necklace", "necklaces"), ("candle", "candles"),
              ("birdhouse", "birdhouses"), ("paper crane", "paper cranes"), ("clay pot", "clay pots"),
              ("keychain", "keychains"), ("friendship band", "friendship bands")],
}
ITEM_KIND_ORDER = ["fruit", "baked", "beach", "collect", "school", "flower", "craft"]

ACQUIRE = {
    "fruit": ["{name} picked {n} {items} at {her} grandfather's orchard.",
              "{name} bought {n} {items} at the grocery store on the corner.",
              "A neighbor gave {name} a basket with {n} {items} from her backyard tree.",
              "{name}'s family harvested {n} {items} during their trip to the countryside."],
    "baked": ["{name} baked {n} {items} for the school bake sale.",
              "{name} bought {n} {items} at the bakery next to the train station.",
              "For the family picnic, {name} made {n} {items}.",
              "{name}'s aunt brought {n} homemade {items} to the reunion."],
    "beach": ["{name} found {n} {items} at the beach during summer vacation.",
              "While walking along the shore, {name} collected {n} {items}.",
              "{name} keeps {n} {items} in a shoebox under {her} bed."],
    "collect": ["{name} has a collection of {n} {items}.",
                "{name} bought {n} {items} at a collectors' fair downtown.",
                "{name}'s uncle gave {obj} {n} old {items} from the attic.",
                "Over the years, {name} has saved {n} {items} in an album."],
    "school": ["{name} bought {n} {items} for the new school year.",
               "The art teacher handed {name} a box of {n} {items}.",
               "{name} found {n} {items} in the classroom supply closet.",
               "Before the exams, {name} packed {n} {items} into {her} backpack."],
    "flower": ["{name} grew {n} {items} in {her} backyard garden.",
               "{name} picked {n} {items} from the community garden.",
               "{name} bought {n} {items} at the flower shop for a wedding.",
               "In the greenhouse, {name} counted {n} blooming {items}."],
    "craft": ["{name} made {n} {items} for the craft fair.",
              "During art club, {name} made {n} {items} by hand.",
              "{name} spent the winter break making {n} {items}.",
              "At summer camp, {name} and the other campers made {n} {items}."],
}

RELATIVES = ["sister", "brother", "cousin", "best friend", "grandmother", "neighbor",
             "teacher", "classmate", "uncle", "aunt"]

OPENERS = [
    "It was the first week of summer vacation.",
    "{name}'s family was getting ready for a big celebration.",
    "The weather was perfect on Saturday morning.",
    "{name} likes to keep busy on weekends.",
    "The school fair was only a few days away.",
    "Everyone in the neighborhood was preparing for the holidays.",
    "{name} had been looking forward to this day all month.",
    "After a long week of classes, {name} finally had some free time.",
    "Spring had just arrived in the little town.",
    "{name} keeps a notebook of everything {she} owns.",
    "The community center was hosting a market that weekend.",
    "It rained all afternoon, so {name} stayed inside.",
]

# Middle steps change the count; final steps ask the question.
# Each template: (text, question-or-None). Numbers are named k, m, p, q, g.
MIDDLE_OPS = {
    "give": ["Then {she} gave {k} of them to {her} {rel}.",
             "{She} gave {k} {items} to {her} {rel} as a present.",
             "Later, {she} handed {k} of the {items} to {her} {rel}."],
    "receive": ["{Her} {rel} gave {obj} {k} more {items}.",
                "The next day, {she} got {k} more {items} from {her} {rel}.",
                "Then {her} {rel} added {k} {items} to the pile."],
    "half": ["On the way home, {she} lost half of them.",
             "{She} gave half of them to {her} {rel}.",
             "{She} decided to keep only half of them."],
    "double": ["A week later, {she} had twice as many {items} as before.",
               "By the end of the month, the number of {items} had doubled.",
               "{Her} {rel} gave {obj} as many {items} as {she} already had."],
    "packs": ["{She} also bought {p} packs with {q} {items} in each pack.",
              "Then {she} received {p} boxes holding {q} {items} each.",
              "{Her} {rel} brought {p} bags with {q} {items} in every bag."],
    "sold": ["{She} sold {k} of them to {her} classmates.",
             "At the market, {she} sold {k} {items}.",
             "{She} traded away {k} of the {items}."],
}
MIDDLE_ORDER = ["give", "receive", "half", "double", "packs", "sold"]

FINAL_OPS = {
    "count": [("", "How many {items} does {name} have now?"),
              ("", "How many {items} does {name} have left?"),
              ("", "How many {items} does {name} end up with?")],
    "share": [("{She} shared the {items} equally among {her} {g} friends.", "How many {items} did each friend get?"),
              ("{She} split them equally into {g} gift bags.", "How many {items} went into each gift bag?"),
              ("{She} divided the {items} evenly among {g} tables.", "How many {items} were on each table?")],
    "pack": [("{She} put them into boxes of {b}.", "How many boxes did {she} fill?"),
             ("{She} packed the {items} in groups of {b}.", "How many groups did {she} make?"),
             ("{She} tied the {items} in bundles of {b}.", "How many bundles were there?")],
    "sell": [("{She} sold all of them for ${p} each.", "How much money did {she} make?"),
             ("Each one sold for ${p} at the fair.", "How many dollars did {name} earn by selling all of them?"),
             ("{She} charged ${p} apiece and sold every one.", "How much money did {she} collect?")],
}
FINAL_ORDER = ["count", "share", "pack", "sell"]


class Chain:
    """One composed problem: enough to render it in several styles."""

    def __init__(self, rng):
        self.who = person(rng)
        self.kind = rng.choice(ITEM_KIND_ORDER)
        self.item, self.items = rng.choice(ITEM_KINDS[self.kind])
        self.rel = rng.choice(RELATIVES)
        self.acquire = rng.randrange(len(ACQUIRE[self.kind]))
        self.opener = rng.randrange(len(OPENERS)) if rng.random() < 0.45 else None
        nmid = rng.choice([1, 1, 2])
        while True:
            mids = [rng.choice(MIDDLE_ORDER) for _ in range(nmid)]
            if nmid == 2 and (mids[0] == mids[1] or set(mids) == {"half", "double"}):
                continue
            break
        self.mids = [(m, rng.randrange(3)) for m in mids]
        self.final = (rng.choice(FINAL_ORDER), rng.randrange(3))
        # values: retry until every step stays a positive integer
        while True:
            n = rng.randint(12, 90)
            vals = {"n": n}
            cur = Fraction(n)
            ok = True
            steps = []
            for i, (m, _) in enumerate(self.mids):
                if m in ("give", "sold"):
                    k = rng.randint(2, 15)
                    vals["k%d" % i] = k
                    steps.append((m, {"k": k}))
                    cur = cur - k
                elif m == "receive":
                    k = rng.randint(2, 20)
                    vals["k%d" % i] = k
                    steps.append((m, {"k": k}))
                    cur = cur + k
                elif m == "half":
                    steps.append((m, {}))
                    cur = cur / 2
                elif m == "double":
                    steps.append((m, {}))
                    cur = cur * 2
                elif m == "packs":
                    p, q = rng.randint(2, 6), rng.randint(3, 12)
                    steps.append((m, {"p": p, "q": q}))
                    cur = cur + p * q
                if cur <= 2 or not is_int(cur):
                    ok = False
            f = self.final[0]
            if f == "share":
                g = rng.randint(2, 8)
                steps.append((f, {"g": g}))
                cur = cur / g
            elif f == "pack":
                b = rng.randint(3, 12)
                steps.append((f, {"b": b}))
                cur = cur / b
            elif f == "sell":
                p = rng.randint(2, 9)
                steps.append((f, {"p": p}))
                cur = cur * p
            else:
                steps.append((f, {}))
            if ok and is_int(cur) and cur >= 2:
                break
        self.n = n
        self.steps = steps
        self.answer = int(cur)

    def fields(self, extra=None):
        f = dict(self.who)
        f.update({"items": self.items, "item": self.item, "rel": self.rel, "n": str(self.n)})
        if extra:
            f.update({k: str(v) for k, v in extra.items()})
        return f

    def sentences(self, with_opener=True, shift=0):
        """The problem's sentences; shift picks other phrasings (a rephrase)."""
        out = []
        if with_opener and self.opener is not None:
            out.append(OPENERS[self.opener].format(**self.fields()))
        acq = ACQUIRE[self.kind]
        out.append(acq[(self.acquire + shift) % len(acq)].format(**self.fields()))
        for (m, ph), (_, vals) in zip(self.mids, self.steps):
            out.append(MIDDLE_OPS[m][(ph + shift) % 3].format(**self.fields(vals)))
        f, ph = self.final
        text, q = FINAL_OPS[f][(ph + shift) % 3]
        vals = self.steps[-1][1]
        if text:
            out.append(text.format(**self.fields(vals)))
        out.append(q.format(**self.fields(vals)))
        return out

    def question(self, with_opener=True, shift=0):
        s = " ".join(self.sentences(with_opener, shift))
        return s[0].upper() + s[1:]

    def solution_lines(self):
        """gsm8k-style lines with <<...>> annotations (last line not included)."""
        w = self.fields()
        lines = []
        cur = Fraction(self.n)
        for m, vals in self.steps:
            c = fmt(cur)
            if m in ("give", "sold"):
                t, cur = calc("%s - %d" % (c, vals["k"]))
                lines.append("After that, %s has %s %s." % (w["name"], t, self.items))
            elif m == "receive":
                t, cur = calc("%s + %d" % (c, vals["k"]))
                lines.append("Then %s has %s %s." % (w["name"], t, self.items))
            elif m == "half":
                t, cur = calc("%s / 2" % c)
                lines.append("Half of them leaves %s %s." % (t, self.items))
            elif m == "double":
                t, cur = calc("%s * 2" % c)
                lines.append("Doubling gives %s %s." % (t, self.items))
            elif m == "packs":
                t1, extra = calc("%d * %d" % (vals["p"], vals["q"]))
                t2, cur = calc("%s + %s" % (c, fmt(extra)))
                lines.append("That adds %s more %s." % (t1, self.items))
                lines.append("So %s has %s %s." % (w["she"], t2, self.items))
            elif m == "share":
                t, cur = calc("%s / %d" % (c, vals["g"]))
                lines.append("Each share is %s %s." % (t, self.items))
            elif m == "pack":
                t, cur = calc("%s / %d" % (c, vals["b"]))
                lines.append("%s fills %s groups." % (w["She"], t))
            elif m == "sell":
                t, cur = calc("%s * %d" % (c, vals["p"]))
                lines.append("%s makes %s." % (w["She"], t.replace(" = <<", " = $<<")))
            elif m == "count":
                lines.append("%s ends up with %s %s." % (w["name"], c, self.items))
        assert cur == self.answer
        return lines

    def gsm_answer(self):
        return "\n".join(self.solution_lines()) + "\n#### %d" % self.answer

    def linear_formula(self):
        """math_qa's linear_formula and annotated_formula for this problem.

        n0, n1, ... are the numbers of the problem text in order of appearance;
        #i is the result of the i-th operation."""
        ops = []
        cur = "n0"
        nxt = 1
        for m, vals in self.steps:
            if m in ("give", "sold"):
                ops.append(("subtract", cur, "n%d" % nxt)); nxt += 1
            elif m == "receive":
                ops.append(("add", cur, "n%d" % nxt)); nxt += 1
            elif m == "half":
                ops.append(("divide", cur, "const_2"))
            elif m == "double":
                ops.append(("multiply", cur, "const_2"))
            elif m == "packs":
                ops.append(("multiply", "n%d" % nxt, "n%d" % (nxt + 1))); nxt += 2
                ops.append(("add", cur, "#%d" % (len(ops) - 1)))
            elif m == "share":
                ops.append(("divide", cur, "n%d" % nxt)); nxt += 1
            elif m == "pack":
                ops.append(("divide", cur, "n%d" % nxt)); nxt += 1
            elif m == "sell":
                ops.append(("multiply", cur, "n%d" % nxt)); nxt += 1
            else:
                continue
            cur = "#%d" % (len(ops) - 1)
        if not ops:  # a plain count question still needs one operation
            ops.append(("add", "n0", "const_0"))
        return ops


def linear_formula_text(ops):
    return "".join("%s(%s,%s)|" % op for op in ops)


def annotated_formula_text(ops, numbers):
    def arg(a):
        if a.startswith("#"):
            return node(int(a[1:]))
        if a.startswith("n"):
            return fmt(numbers[int(a[1:])])
        return a
    def node(i):
        op, a, b = ops[i]
        return "%s(%s, %s)" % (op, arg(a), arg(b))
    return node(len(ops) - 1)


def run_ops(ops, numbers):
    consts = {"const_0": 0, "const_1": 1, "const_2": 2, "const_3": 3, "const_100": 100,
              "const_1000": 1000, "const_3600": 3600}
    res = []
    def val(a):
        if a.startswith("#"):
            return res[int(a[1:])]
        if a.startswith("n"):
            return Fraction(numbers[int(a[1:])])
        return Fraction(consts[a])
    for op, a, b in ops:
        x, y = val(a), val(b)
        res.append({"add": x + y, "subtract": x - y, "multiply": x * y, "divide": x / y}[op])
    return res[-1]


def mathqa_style(text):
    """Writes a problem the way math_qa does: lower case, spaced punctuation,
    rupees for money."""
    t = text.lower()
    t = t.replace("'s ", " ' s ")
    t = re.sub(r"\$(\d+)", r"rs. \1", t)
    t = re.sub(r"(?<!\d)([.,?!;:])|([.,?!;:])(?!\d)", lambda m: " %s " % (m.group(1) or m.group(2)), t)
    t = re.sub(r"\s+", " ", t).strip()
    return t


def numbers_in(text):
    return [Fraction(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]


def mathqa_options(correct, rng, as_text=None):
    """math_qa's options string and the letter of the right one."""
    letters = "abcde"
    if as_text is None:
        as_text = fmt
    wrong = int_distractors(correct, 4, rng) if is_int(correct) else None
    vals = [correct] + wrong
    rng.shuffle(vals)
    # about one in five problems ends with 'none of these' as option e
    if rng.random() < 0.2 and vals[4] != correct:
        opts = [as_text(v) for v in vals[:4]] + ["none of these"]
    else:
        opts = [as_text(v) for v in vals]
    letter = letters[vals.index(correct)]
    return " , ".join("%s ) %s" % (l, o) for l, o in zip(letters, opts)), letter


# --------------------------------------------------------------------------
# math_qa families (lower case, spaced punctuation, like the real rows)
# --------------------------------------------------------------------------


class MqFamily:
    def __init__(self, key, topic, variants, params, ops, category, rationale,
                 as_text=None):
        self.key = key
        self.topic = topic
        self.variants = variants
        self.params = params
        self.ops = ops
        self.category = category
        self.rationale = rationale
        self.as_text = as_text

    def problem(self, p, variant):
        return self.variants[variant].format(**{k: fmt(v) for k, v in p.items()})


def _frac_text(v):
    v = Fraction(v)
    return "%d / %d" % (v.numerator, v.denominator)


def _mq_prob_params(r):
    while True:
        red, blue = r.randint(2, 12), r.randint(2, 12)
        if Fraction(red, red + blue).denominator > 1 and red != blue:
            return {"r": red, "b": blue}


def _mq_work_params(r):
    x, y = r.choice([(12, 24), (10, 15), (20, 30), (6, 12), (30, 60), (20, 20), (12, 36),
                     (15, 30), (18, 36), (24, 24), (10, 40), (14, 35), (21, 42), (36, 45),
                     (28, 70), (40, 60), (16, 48), (9, 18), (30, 45), (60, 90)])
    return {"x": x, "y": y}


def _mq_avg_params(r):
    while True:
        n, a = r.randint(5, 12), r.randint(20, 60)
        x = r.randint(10, 90)
        if (n * a - x) % (n - 1) == 0 and x != a:
            return {"n": n, "a": a, "x": x}


def _mq_gain_params(r):
    while True:
        cp = r.choice([200, 250, 300, 400, 500, 600, 800, 1000, 1200, 1500, 2000, 2500])
        g = r.choice([5, 8, 10, 12, 15, 20, 25, 30, 40])
        if cp * g % 100 == 0:
            return {"cp": cp, "sp": cp * (100 + g) // 100}


def _mq_boat_params(r):
    b, s = r.randint(8, 20), r.randint(2, 6)
    return {"b": b, "s": s, "d": (b + s) * r.randint(2, 8)}


MQ_FAMILIES = [
    MqFamily("train_pole", "length of a train crossing a pole",
             ["a train running at the speed of {s} km / hr crosses a pole in {t} seconds . what is the length of the train ?",
              "a train running at the speed of {s} km / hr crosses a pole in {t} seconds . find the length of the train .",
              "a train running at the speed of {s} km / hr crosses a pole in {t} sec . what is the length of the train in meters ?"],
             lambda r: {"s": 18 * r.randint(2, 8), "t": r.randint(5, 20)},
             [("multiply", "n0", "const_1000"), ("divide", "#0", "const_3600"), ("multiply", "n1", "#1")],
             "physics",
             lambda p, v, l: "speed = %s * 5 / 18 = %s m / sec . length of the train = speed * time = %s * %s = %s m . answer : %s"
             % (fmt(p["s"]), fmt(Fraction(p["s"] * 5, 18)), fmt(Fraction(p["s"] * 5, 18)), fmt(p["t"]), fmt(v), l)),
    MqFamily("simple_interest", "simple interest on a sum",
             ["what is the simple interest on rs . {p} at {r} % per annum for {t} years ?",
              "find the simple interest on rs . {p} at {r} % per annum for {t} years .",
              "what will be the simple interest on a sum of rs . {p} at {r} % per annum for {t} years ?"],
             lambda r: {"p": 100 * r.randint(5, 60), "r": r.randint(3, 15), "t": r.randint(2, 8)},
             [("multiply", "n0", "n1"), ("multiply", "#0", "n2"), ("divide", "#1", "const_100")],
             "gain",
             lambda p, v, l: "explanation : s . i . = ( p * r * t ) / 100 = ( %s * %s * %s ) / 100 = rs . %s answer : %s"
             % (fmt(p["p"]), fmt(p["r"]), fmt(p["t"]), fmt(v), l)),
    MqFamily("gain_percent", "gain percent of a shopkeeper",
             ["a shopkeeper buys an article for rs . {cp} and sells it for rs . {sp} . find his gain percent .",
              "a shopkeeper buys an article for rs . {cp} and sells it for rs . {sp} . what is his gain percent ?",
              "a shopkeeper bought an article for rs . {cp} and sold it for rs . {sp} . find his gain percent ."],
             _mq_gain_params,
             [("subtract", "n1", "n0"), ("divide", "#0", "n0"), ("multiply", "#1", "const_100")],
             "gain",
             lambda p, v, l: "gain = %s - %s = rs . %s . gain %% = ( %s / %s ) * 100 = %s %% answer : %s"
             % (fmt(p["sp"]), fmt(p["cp"]), fmt(p["sp"] - p["cp"]), fmt(p["sp"] - p["cp"]), fmt(p["cp"]), fmt(v), l)),
    MqFamily("fencing", "cost of fencing a rectangular field",
             ["the length of a rectangular field is {l} m and its breadth is {b} m . find the cost of fencing the field at rs . {c} per metre .",
              "the length of a rectangular field is {l} m and its breadth is {b} m . what is the cost of fencing the field at rs . {c} per metre ?",
              "the length of a rectangular field is {l} metres and its breadth is {b} metres . find the cost of fencing the field at rs . {c} per metre ."],
             lambda r: {"l": r.randint(20, 90), "b": r.randint(10, 40), "c": r.randint(2, 25)},
             [("add", "n0", "n1"), ("multiply", "#0", "const_2"), ("multiply", "#1", "n2")],
             "geometry",
             lambda p, v, l: "perimeter = 2 ( l + b ) = 2 ( %s + %s ) = %s m . cost = %s * %s = rs . %s answer : %s"
             % (fmt(p["l"]), fmt(p["b"]), fmt(2 * (p["l"] + p["b"])), fmt(2 * (p["l"] + p["b"])), fmt(p["c"]), fmt(v), l)),
    MqFamily("average_removed", "average after removing a number",
             ["the average of {n} numbers is {a} . if one of the numbers , {x} , is removed , what is the average of the remaining numbers ?",
              "the average of {n} numbers is {a} . if the number {x} is removed , what is the average of the remaining numbers ?",
              "the average of {n} numbers is {a} . if one of the numbers , {x} , is excluded , find the average of the remaining numbers ."],
             _mq_avg_params,
             [("multiply", "n0", "n1"), ("subtract", "#0", "n2"), ("subtract", "n0", "const_1"), ("divide", "#1", "#2")],
             "general",
             lambda p, v, l: "sum of the %s numbers = %s * %s = %s . sum of the remaining numbers = %s - %s = %s . average = %s / %s = %s answer : %s"
             % (fmt(p["n"]), fmt(p["n"]), fmt(p["a"]), fmt(p["n"] * p["a"]), fmt(p["n"] * p["a"]), fmt(p["x"]),
                fmt(p["n"] * p["a"] - p["x"]), fmt(p["n"] * p["a"] - p["x"]), fmt(p["n"] - 1), fmt(v), l)),
    MqFamily("work_together", "two workers finishing a job together",
             ["a can do a piece of work in {x} days and b can do it in {y} days . in how many days will they finish the work if they work together ?",
              "a can do a piece of work in {x} days and b can do the same work in {y} days . in how many days will they finish the work if they work together ?",
              "a can do a piece of work in {x} days and b can do it in {y} days . working together , in how many days will they finish the work ?"],
             _mq_work_params,
             [("multiply", "n0", "n1"), ("add", "n0", "n1"), ("divide", "#0", "#1")],
             "physics",
             lambda p, v, l: "a ' s one day ' s work = 1 / %s . b ' s one day ' s work = 1 / %s . together = 1 / %s + 1 / %s = 1 / %s . so they finish in %s days . answer : %s"
             % (fmt(p["x"]), fmt(p["y"]), fmt(p["x"]), fmt(p["y"]), fmt(v), fmt(v), l)),
    MqFamily("bag_probability", "probability of drawing a red ball",
             ["a bag contains {r} red balls and {b} blue balls . if one ball is drawn at random , what is the probability that it is red ?",
              "a bag contains {r} red balls and {b} blue balls . one ball is drawn at random . what is the probability that it is red ?",
              "a bag contains {r} red balls and {b} blue balls . if one ball is picked at random , what is the probability that the ball is red ?"],
             _mq_prob_params,
             [("add", "n0", "n1"), ("divide", "n0", "#0")],
             "probability",
             lambda p, v, l: "total balls = %s + %s = %s . p ( red ) = %s / %s = %s answer : %s"
             % (fmt(p["r"]), fmt(p["b"]), fmt(p["r"] + p["b"]), fmt(p["r"]), fmt(p["r"] + p["b"]), _frac_text(v), l),
             as_text=_frac_text),
    MqFamily("boat_downstream", "time for a boat to go downstream",
             ["a boat can travel with a speed of {b} km / hr in still water . if the speed of the stream is {s} km / hr , find the time taken by the boat to go {d} km downstream .",
              "a boat can travel with a speed of {b} km / hr in still water . if the speed of the stream is {s} km / hr , what is the time taken by the boat to go {d} km downstream ?",
              "a boat can travel with a speed of {b} km / hr in still water . if the stream flows at {s} km / hr , find the time taken by the boat to go {d} km downstream ."],
             _mq_boat_params,
             [("add", "n0", "n1"), ("divide", "n2", "#0")],
             "physics",
             lambda p, v, l: "speed downstream = %s + %s = %s km / hr . time = %s / %s = %s hrs answer : %s"
             % (fmt(p["b"]), fmt(p["s"]), fmt(p["b"] + p["s"]), fmt(p["d"]), fmt(p["b"] + p["s"]), fmt(v), l)),
]


def mq_fraction_options(correct, rng):
    """Options for a probability answer: other fractions with small terms."""
    correct = Fraction(correct)
    cands = []
    for num in range(1, 16):
        for den in range(num + 1, 25):
            f = Fraction(num, den)
            if f != correct and f not in cands and abs(f - correct) < Fraction(1, 3):
                cands.append(f)
    vals = [correct] + rng.sample(cands, 4)
    rng.shuffle(vals)
    letters = "abcde"
    return " , ".join("%s ) %s" % (l, _frac_text(v)) for l, v in zip(letters, vals)), letters[vals.index(correct)]


def mathqa_row(problem, ops, category, rationale_fn, rng, as_text=None, p=None):
    numbers = numbers_in(problem)
    value = run_ops(ops, numbers)
    if as_text is _frac_text:
        options, letter = mq_fraction_options(value, rng)
    else:
        options, letter = mathqa_options(value, rng)
    rationale = '"' + rationale_fn(p, value, letter) + '"'
    return {
        "Problem": problem,
        "Rationale": rationale,
        "options": options,
        "correct": letter,
        "annotated_formula": annotated_formula_text(ops, numbers),
        "linear_formula": linear_formula_text(ops),
        "category": category,
    }, value


def mq_family_row(fam, rng, variant=None):
    p = fam.params(rng)
    if variant is None:
        variant = rng.randrange(len(fam.variants))
    problem = fam.problem(p, variant)
    row, value = mathqa_row(problem, fam.ops, fam.category, fam.rationale, rng, fam.as_text, p)
    return row, value, p


def mq_chain_row(chain, rng):
    problem = mathqa_style(chain.question(with_opener=False))
    ops = chain.linear_formula()
    def rationale(_p, value, letter):
        steps = [mathqa_style(strip_calc(l)) for l in chain.solution_lines()]
        return "explanation : " + " ".join(steps) + " answer : " + letter
    row, value = mathqa_row(problem, ops, "general", rationale, rng)
    assert value == chain.answer, (problem, value, chain.answer)
    return row


def pot_program(ops, numbers):
    """MathInstruct PoT (mathqa) program for a linear formula."""
    lines = ["n%d = %s" % (i, fmt(n) + ".0" if is_int(n) else fmt(n)) for i, n in enumerate(numbers)]
    sym = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/"}
    consts = {"const_0": "0.0", "const_1": "1.0", "const_2": "2.0", "const_3": "3.0", "const_100": "100.0",
              "const_1000": "1000.0", "const_3600": "3600.0"}
    def arg(a):
        if a.startswith("#"):
            return "t%d" % int(a[1:])
        return consts.get(a, a)
    for i, (op, a, b) in enumerate(ops):
        target = "answer" if i == len(ops) - 1 else "t%d" % i
        lines.append("%s = %s %s %s" % (target, arg(a), sym[op], arg(b)))
    lines.append("print(answer)")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Competition-style problems (MATH in MetaMathQA / MathInstruct, TAL-SCQ5K)
# --------------------------------------------------------------------------


def factorize(n):
    out = []
    p = 2
    while p * p <= n:
        e = 0
        while n % p == 0:
            n //= p
            e += 1
        if e:
            out.append((p, e))
        p += 1
    if n > 1:
        out.append((n, 1))
    return out


def factor_tex(n):
    return " \\cdot ".join(("%d^%d" % (p, e) if e < 10 else "%d^{%d}" % (p, e)) if e > 1 else str(p)
                           for p, e in factorize(n))


def ordinal(n):
    if 10 <= n % 100 <= 20:
        suf = "th"
    else:
        suf = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return "%d%s" % (n, suf)


def is_prime(n):
    return n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1))


class Style:
    """How a competition problem writes its math: $x$ (MATH) or $$x$$ (TAL)."""

    def __init__(self, dollars):
        self.d = dollars

    def __call__(self, s):
        return self.d + s + self.d


MATH = Style("$")
TAL = Style("$$")


def _ints(v, rng, k=4):
    return [str(x) for x in int_distractors(v, k, rng)]


def comp_lcm(r, M):
    a, b = r.sample([4, 6, 8, 9, 10, 12, 14, 15, 16, 18, 20, 21, 24, 28, 30, 35, 36, 42, 45], 2)
    v = a * b // math.gcd(a, b)
    q = r.choice(["What is the least common multiple of %s and %s?",
                  "Two lighthouses flash every %s seconds and every %s seconds. If they flash together now, after how many seconds will they next flash together?"])
    return q % (M(str(a)), M(str(b))), str(v), \
        "The least common multiple of %s and %s is %s." % (M(factor_tex(a)), M(factor_tex(b)), M(str(v))), \
        _ints(v, r), "Number Theory->Multiples->Least Common Multiple"


def comp_binom(r, M):
    n, k = r.randint(6, 12), r.randint(2, 4)
    v = math.comb(n, k)
    if r.random() < 0.5:
        q = "Compute %s." % M("\\dbinom{%d}{%d}" % (n, k))
    else:
        q = "In how many ways can a committee of %s students be chosen from a class club of %s students?" % (M(str(k)), M(str(n)))
    return q, str(v), "The number of ways is %s." % M("\\dbinom{%d}{%d} = %d" % (n, k, v)), _ints(v, r), \
        "Counting->Combinations"


def comp_arith(r, M):
    a, d, k = r.randint(1, 20), r.randint(2, 9), r.randint(15, 40)
    v = a + (k - 1) * d
    q = "What is the %s term of the arithmetic sequence %s?" % (ordinal(k), M("%d, %d, %d, \\ldots" % (a, a + d, a + 2 * d)))
    return q, str(v), "The common difference is %s, so the %s term is %s." % (
        M(str(d)), ordinal(k), M("%d + %d \\cdot %d = %d" % (a, k - 1, d, v))), _ints(v, r), \
        "Sequences->Arithmetic Sequences"


def comp_geom(r, M):
    b, n = r.choice([2, 3]), r.randint(4, 8)
    v = (b ** (n + 1) - 1) // (b - 1)
    q = "Evaluate the sum %s." % M("1 + %d + %d + \\cdots + %d^{%d}" % (b, b * b, b, n))
    return q, str(v), "This geometric series has %d terms with ratio %d, so the sum is %s." % (
        n + 1, b, M("\\frac{%d^{%d} - 1}{%d - 1} = %d" % (b, n + 1, b, v))), _ints(v, r), \
        "Sequences->Geometric Series"


def comp_distance(r, M):
    a, b, c = r.choice([(3, 4, 5), (5, 12, 13), (8, 15, 17), (6, 8, 10), (7, 24, 25), (9, 12, 15)])
    x1, y1 = r.randint(-5, 5), r.randint(-5, 5)
    sx, sy = r.choice([1, -1]), r.choice([1, -1])
    x2, y2 = x1 + sx * a, y1 + sy * b
    q = "What is the distance between the points %s and %s?" % (M("(%d, %d)" % (x1, y1)), M("(%d, %d)" % (x2, y2)))
    return q, str(c), "By the distance formula, the distance is %s." % M(
        "\\sqrt{%d^2 + %d^2} = \\sqrt{%d} = %d" % (a, b, c * c, c)), _ints(c, r), "Geometry->Coordinate Geometry"


def comp_slope(r, M):
    m = r.choice([-4, -3, -2, 2, 3, 4, 5])
    x1, y1 = r.randint(-6, 6), r.randint(-6, 6)
    dx = r.randint(1, 5)
    x2, y2 = x1 + dx, y1 + m * dx
    q = "What is the slope of the line that passes through the points %s and %s?" % (
        M("(%d, %d)" % (x1, y1)), M("(%d, %d)" % (x2, y2)))
    return q, str(m), "The slope is %s." % M("\\frac{%d - (%d)}{%d - (%d)} = \\frac{%d}{%d} = %d" % (
        y2, y1, x2, x1, y2 - y1, x2 - x1, m)), [str(m + 1), str(-m), str(m - 1), str(2 * m)], \
        "Algebra->Linear Functions->Slope"


def comp_circle(r, M):
    d = 2 * r.randint(2, 12)
    v = "%d\\pi" % ((d // 2) ** 2)
    q = "A circular garden has a diameter of %s meters. What is its area, in square meters? Express your answer in terms of %s." % (
        M(str(d)), M("\\pi"))
    return q, v, "The radius is %s, so the area is %s." % (M(str(d // 2)), M("\\pi \\cdot %d^2 = %s" % (d // 2, v))), \
        ["%d\\pi" % (d * d), "%d\\pi" % d, "%d\\pi" % ((d // 2 + 1) ** 2), "%d\\pi" % ((d // 2 - 1) ** 2),
         "%d\\pi" % (2 * d * d)], "Geometry->Circles->Area"


def comp_percent(r, M):
    n = r.choice([40, 60, 80, 120, 150, 160, 200, 240, 250, 300, 400, 500])
    p = r.choice([10, 15, 20, 25, 30, 40, 75])
    v = n * (100 - p) // 100
    if n * (100 - p) % 100:
        p = 25
        v = n * 75 // 100
    q = "A jacket that normally costs %s dollars is on sale for %s off. What is the sale price of the jacket, in dollars?" % (
        M(str(n)), M("%d\\%%" % p))
    return q, str(v), "The discount is %s dollars, so the sale price is %s dollars." % (
        M("%d \\cdot \\frac{%d}{100} = %d" % (n, p, n * p // 100)), M("%d - %d = %d" % (n, n * p // 100, v))), \
        _ints(v, r), "Applications->Percentages->Discounts"


def comp_base(r, M):
    b = r.choice([2, 3, 5, 8])
    n = r.randint(20, 200)
    digits = ""
    x = n
    while x:
        digits = str(x % b) + digits
        x //= b
    if r.random() < 0.5:
        q = "Express the decimal number %s in base %s." % (M(str(n)), M(str(b)))
        v = digits
        wrong = []
        for cand in (n + 1, n - 1, n + b, n + 2):
            y, dd = cand, ""
            while y:
                dd = str(y % b) + dd
                y //= b
            wrong.append(dd)
        sol = "Dividing repeatedly by %d and reading the remainders from last to first gives %s." % (b, M("%s_{%d}" % (digits, b)))
    else:
        q = "What is the base ten equivalent of %s?" % M("%s_{%d}" % (digits, b))
        v = str(n)
        wrong = _ints(n, r)
        sol = "Expanding by place values gives %s." % M("%s_{%d} = %d" % (digits, b, n))
    return q, v, sol, wrong, "Number Theory->Base Conversion"


def comp_units(r, M):
    a, n = r.choice([2, 3, 7, 8, 13, 17, 19]), r.randint(10, 60)
    v = pow(a, n, 10)
    cyc = []
    x = a % 10
    while x not in cyc:
        cyc.append(x)
        x = x * a % 10
    q = "What is the units digit of %s?" % M("%d^{%d}" % (a, n))
    return q, str(v), "The units digits of the powers of %d repeat in the cycle %s, so the units digit of %s is %s." % (
        a, ", ".join(str(c) for c in cyc), M("%d^{%d}" % (a, n)), M(str(v))), \
        [str(d) for d in r.sample([d for d in range(10) if d != v], 4)], "Number Theory->Units Digit"


def comp_dice(r, M):
    s = r.randint(3, 11)
    ways = sum(1 for i in range(1, 7) for j in range(1, 7) if i + j == s)
    v = Fraction(ways, 36)
    vt = "\\frac{%d}{%d}" % (v.numerator, v.denominator)
    q = "Two fair six-sided dice are rolled. What is the probability that the sum of the two numbers rolled is %s? Express your answer as a common fraction." % M(str(s))
    wrong = []
    for w in (ways + 1, ways - 1, ways + 2, 36 - ways):
        f = Fraction(w, 36)
        t = "\\frac{%d}{%d}" % (f.numerator, f.denominator)
        if w > 0 and t != vt and t not in wrong:
            wrong.append(t)
    return q, vt, "Of the %s equally likely outcomes, %s give a sum of %d, so the probability is %s." % (
        M("36"), M(str(ways)), s, M(vt)), wrong[:4], "Probability->Dice"


def comp_abs(r, M):
    a, b = r.randint(-9, 9), r.randint(2, 12)
    v = 2 * b + 1
    ineq = "|x - %d| \\le %d" % (a, b) if a > 0 else ("|x + %d| \\le %d" % (-a, b) if a < 0 else "|x| \\le %d" % b)
    q = "For how many integer values of %s is %s?" % (M("x"), M(ineq))
    return q, str(v), "The inequality means %s, which contains %s integers." % (
        M("%d \\le x \\le %d" % (a - b, a + b)), M(str(v))), _ints(v, r), "Algebra->Absolute Value Inequalities"


def comp_ceil(r, M):
    n = r.randint(10, 400)
    while int(math.isqrt(n)) ** 2 == n:
        n += 1
    v = math.isqrt(n) + 1
    q = "Evaluate %s." % M("\\left\\lceil\\sqrt{%d}\\,\\right\\rceil" % n)
    return q, str(v), "Since %s, the smallest integer greater than or equal to %s is %s." % (
        M("%d^2 < %d < %d^2" % (v - 1, n, v)), M("\\sqrt{%d}" % n), M(str(v))), _ints(v, r), "Algebra->Radicals"


def comp_polygon(r, M):
    n = r.choice([5, 6, 8, 9, 10, 12, 15, 18, 20, 24, 30, 36])
    v = 180 * (n - 2) // n
    q = "What is the measure, in degrees, of each interior angle of a regular polygon with %s sides?" % M(str(n))
    return q, str(v), "The interior angles sum to %s degrees, so each is %s degrees." % (
        M("180(%d - 2) = %d" % (n, 180 * (n - 2))), M("%d / %d = %d" % (180 * (n - 2), n, v))), \
        _ints(v, r), "Geometry->Polygons->Interior Angles"


def comp_triangle(r, M):
    a, b = r.randint(25, 80), r.randint(25, 80)
    v = 180 - a - b
    q = "In triangle %s, %s and %s. What is the measure of %s, in degrees?" % (
        M("PQR"), M("\\angle P = %d^\\circ" % a), M("\\angle Q = %d^\\circ" % b), M("\\angle R"))
    return q, str(v), "The angles of a triangle add up to %s, so %s." % (
        M("180^\\circ"), M("\\angle R = 180 - %d - %d = %d" % (a, b, v))), _ints(v, r), "Geometry->Triangles->Angle Sum"


def comp_mean(r, M):
    while True:
        xs = [r.randint(2, 60) for _ in range(r.randint(4, 6))]
        if sum(xs) % len(xs) == 0:
            break
    v = sum(xs) // len(xs)
    q = "What is the arithmetic mean of the numbers %s?" % ", ".join(M(str(x)) for x in xs)
    return q, str(v), "Their sum is %s and there are %d numbers, so the mean is %s." % (
        M(str(sum(xs))), len(xs), M("%d / %d = %d" % (sum(xs), len(xs), v))), _ints(v, r), "Statistics->Mean"


def comp_multiples(r, M):
    k = r.randint(6, 40)
    v = 999 // k - 99 // k
    q = "How many positive three-digit integers are multiples of %s?" % M(str(k))
    return q, str(v), "The multiples of %d up to 999 number %s and those up to 99 number %s, so the answer is %s." % (
        k, M(str(999 // k)), M(str(99 // k)), M("%d - %d = %d" % (999 // k, 99 // k, v))), _ints(v, r), \
        "Number Theory->Multiples->Counting Multiples"


def comp_system(r, M):
    x, y = r.randint(3, 20), r.randint(1, 15)
    q = "If %s and %s, what is the value of %s?" % (M("x + y = %d" % (x + y)), M("x - y = %d" % (x - y)), M("xy"))
    v = x * y
    return q, str(v), "Adding the equations gives %s, so %s and %s. Then %s." % (
        M("2x = %d" % (2 * x)), M("x = %d" % x), M("y = %d" % y), M("xy = %d" % v)), _ints(v, r), \
        "Algebra->Systems of Linear Equations"


def comp_exponent(r, M):
    b, n = r.choice([2, 3, 4, 5, 6, 7]), r.randint(2, 6)
    k = r.randint(1, 3)
    q = "Solve for %s: %s." % (M("x"), M("%d^{x + %d} = %d" % (b, k, b ** (n + k))))
    v = n
    return q, str(v), "Since %s, we need %s, so %s." % (
        M("%d = %d^{%d}" % (b ** (n + k), b, n + k)), M("x + %d = %d" % (k, n + k)), M("x = %d" % n)), \
        [str(n + k), str(n - 1), str(n + 1), str(b)], "Algebra->Exponents->Exponential Equations"


def comp_vertex(r, M):
    h = r.randint(1, 9)
    c = r.randint(h * h - 20, h * h + 30)
    v = c - h * h
    q = "What is the minimum value of the expression %s for real %s?" % (M("x^2 - %dx + %d" % (2 * h, c)), M("x"))
    return q, str(v), "Completing the square, %s, so the minimum value is %s." % (
        M("x^2 - %dx + %d = (x - %d)^2 + %d" % (2 * h, c, h, v)), M(str(v))), \
        [str(c), str(v + h), str(-v if v else 1), str(v - 2)], "Algebra->Quadratic Functions->Vertex"


def comp_primes(r, M):
    a = r.randint(10, 60)
    b = a + r.randint(15, 40)
    ps = [x for x in range(a + 1, b) if is_prime(x)]
    v = len(ps)
    q = "How many prime numbers are there between %s and %s?" % (M(str(a)), M(str(b)))
    return q, str(v), "The primes between %d and %d are %s, so there are %s of them." % (
        a, b, ", ".join(str(p) for p in ps), M(str(v))), _ints(v, r), "Number Theory->Primes"


def comp_odd(r, M):
    n = r.randint(8, 40)
    v = n * n
    q = "What is the sum of the first %s positive odd integers?" % M(str(n))
    return q, str(v), "The sum of the first %s odd integers is %s." % (M("n"), M("n^2 = %d^2 = %d" % (n, v))), \
        _ints(v, r), "Sequences->Sums of Odd Numbers"


def comp_factorial(r, M):
    n = r.randint(5, 15)
    v = n * (n - 1)
    q = "What is the value of %s?" % M("\\frac{%d!}{%d!}" % (n, n - 2))
    return q, str(v), "Most factors cancel, leaving %s." % M("%d \\cdot %d = %d" % (n, n - 1, v)), _ints(v, r), \
        "Counting->Factorials"


def comp_consecutive(r, M):
    m = r.randint(10, 80)
    q = "The sum of three consecutive integers is %s. What is the largest of the three integers?" % M(str(3 * m))
    return q, str(m + 1), "The middle integer is %s, so the largest is %s." % (
        M("%d / 3 = %d" % (3 * m, m)), M(str(m + 1))), [str(m), str(m - 1), str(m + 2), str(3 * m)], \
        "Algebra->Consecutive Integers"


def comp_cube(r, M):
    a = r.randint(2, 12)
    q = "A cube has a surface area of %s square inches. What is the volume of the cube, in cubic inches?" % M(str(6 * a * a))
    v = a ** 3
    return q, str(v), "Each face has area %s, so an edge is %s inches and the volume is %s." % (
        M("%d / 6 = %d" % (6 * a * a, a * a)), M(str(a)), M("%d^3 = %d" % (a, v))), _ints(v, r), \
        "Geometry->Solid Figures->Cubes"


def comp_digitsum(r, M):
    n = r.randint(10, 30)
    v = sum(int(c) for c in str(2 ** n))
    q = "What is the sum of the digits of %s?" % M("2^{%d}" % n)
    return q, str(v), "Since %s, the sum of its digits is %s." % (M("2^{%d} = %d" % (n, 2 ** n)), M(str(v))), \
        _ints(v, r), "Number Theory->Digit Sums"


def clean_wrong(value, wrong, rng, k):
    """k distinct wrong options, none equal to value (integers padded if short)."""
    out = []
    for w in wrong:
        if w != value and w not in out:
            out.append(w)
    if len(out) < k and re.fullmatch(r"-?\d+", value):
        for c in int_distractors(abs(int(value)) + 3, 12, rng):
            c = str(c)
            if c != value and c not in out:
                out.append(c)
    if len(out) < k:
        raise ValueError("not enough options for %r" % value)
    return out[:k]


COMP_GENERATORS = [comp_lcm, comp_binom, comp_arith, comp_geom, comp_distance, comp_slope, comp_circle,
                   comp_percent, comp_base, comp_units, comp_dice, comp_abs, comp_ceil, comp_polygon,
                   comp_triangle, comp_mean, comp_multiples, comp_system, comp_exponent, comp_vertex,
                   comp_primes, comp_odd, comp_factorial, comp_consecutive, comp_cube, comp_digitsum]


# MATH-style families (near-duplicates by design) --------------------------

class MathFamily:
    def __init__(self, key, topic, params, variants, solution, value):
        self.key = key
        self.topic = topic
        self.params = params
        self.variants = variants   # functions (p, M) -> text
        self.solution = solution   # (p, M) -> text
        self.value = value         # p -> int


def _roots_params(r):
    a, b = r.sample(range(1, 13), 2)
    return {"r1": min(a, b), "r2": max(a, b)}


def _div_params(r):
    return {"N": r.choice([12, 18, 20, 24, 28, 30, 36, 40, 42, 45, 48, 50, 54, 56, 60, 63, 64, 72, 75, 80,
                           84, 90, 96, 98, 100, 108, 112, 120, 126, 144, 150, 168, 180, 196, 200, 210,
                           216, 225, 240, 252, 270, 288, 300, 360])}


def _gcf_params(r):
    while True:
        g = r.choice([2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 15, 18])
        a, b = r.sample(range(2, 16), 2)
        if math.gcd(a, b) == 1:
            return {"a": g * a, "b": g * b}


def _ndiv(n):
    out = 1
    for _, e in factorize(n):
        out *= e + 1
    return out


MATH_FAMILIES = [
    MathFamily("sum_remainder", "remainder of 1 + 2 + ... + n",
               lambda r: {"n": r.randint(20, 120), "m": r.choice([6, 7, 8, 9, 11, 12, 13])},
               [lambda p, M: "What is the remainder when the sum %s is divided by %s?" % (M("1 + 2 + 3 + \\dots + %d" % p["n"]), M(str(p["m"]))),
                lambda p, M: "What is the remainder when the sum %s is divided by %s?" % (M("1 + 2 + 3 + \\cdots + %d" % p["n"]), M(str(p["m"]))),
                lambda p, M: "Find the remainder when the sum %s is divided by %s." % (M("1 + 2 + 3 + \\dots + %d" % p["n"]), M(str(p["m"])))],
               lambda p, M: "The sum of the first %s positive integers is %s, so the sum is %s. Since %s, the remainder is %s." % (
                   M("n"), M("\\frac{n(n+1)}{2}"), M("\\frac{%d \\cdot %d}{2} = %d" % (p["n"], p["n"] + 1, p["n"] * (p["n"] + 1) // 2)),
                   M("%d = %d \\cdot %d + %d" % (p["n"] * (p["n"] + 1) // 2, p["m"], p["n"] * (p["n"] + 1) // 2 // p["m"], p["n"] * (p["n"] + 1) // 2 % p["m"])),
                   M(str(p["n"] * (p["n"] + 1) // 2 % p["m"]))),
               lambda p: p["n"] * (p["n"] + 1) // 2 % p["m"]),
    MathFamily("quadratic_sum", "sum of the solutions of a quadratic",
               _roots_params,
               [lambda p, M: "What is the sum of all real values of %s that satisfy the quadratic equation %s?" % (M("x"), M("x^2 - %dx + %d = 0" % (p["r1"] + p["r2"], p["r1"] * p["r2"]))),
                lambda p, M: "What is the sum of all the real values of %s that satisfy the quadratic equation %s?" % (M("x"), M("x^2 - %dx + %d = 0" % (p["r1"] + p["r2"], p["r1"] * p["r2"]))),
                lambda p, M: "Find the sum of all real values of %s that satisfy the quadratic equation %s." % (M("x"), M("x^2 - %dx + %d = 0" % (p["r1"] + p["r2"], p["r1"] * p["r2"])))],
               lambda p, M: "The equation factors as %s, so the solutions are %s and %s. Their sum is %s." % (
                   M("(x - %d)(x - %d) = 0" % (p["r1"], p["r2"])), M("x = %d" % p["r1"]), M("x = %d" % p["r2"]),
                   M("%d + %d = %d" % (p["r1"], p["r2"], p["r1"] + p["r2"]))),
               lambda p: p["r1"] + p["r2"]),
    MathFamily("linear_function", "value of a linear function",
               lambda r: {"a": r.randint(2, 9), "b": r.randint(1, 15), "c": r.randint(2, 12)},
               [lambda p, M: "Let %s be a linear function of the real number %s. What is the value of the function at %s?" % (
                    M("f(x) = %dx + %s" % (p["a"], p["b"])), M("x"), M("x = %d" % p["c"])),
                lambda p, M: "Let %s be a linear function of the real variable %s. What is the value of the function at %s?" % (
                    M("f(x) = %dx + %s" % (p["a"], p["b"])), M("x"), M("x = %d" % p["c"])),
                lambda p, M: "Suppose %s is a linear function of the real number %s. What is the value of the function at %s?" % (
                    M("f(x) = %dx + %s" % (p["a"], p["b"])), M("x"), M("x = %d" % p["c"]))],
               lambda p, M: "We substitute %s: %s." % (M("x = %d" % p["c"]), M("f(%d) = %d \\cdot %d + %s = %d" % (
                   p["c"], p["a"], p["c"], p["b"], p["a"] * p["c"] + p["b"]))),
               lambda p: p["a"] * p["c"] + p["b"]),
    MathFamily("divisor_count", "number of positive divisors",
               _div_params,
               [lambda p, M: "How many positive divisors does the number %s have?" % M(str(p["N"])),
                lambda p, M: "How many positive divisors does the number %s have in total?" % M(str(p["N"])),
                lambda p, M: "How many positive divisors does the whole number %s have?" % M(str(p["N"]))],
               lambda p, M: "The prime factorization is %s, so the number of positive divisors is %s." % (
                   M("%d = %s" % (p["N"], factor_tex(p["N"]))),
                   M(" \\cdot ".join("(%d + 1)" % e for _, e in factorize(p["N"])) + " = %d" % _ndiv(p["N"]))),
               lambda p: _ndiv(p["N"])),
    MathFamily("gcf", "greatest common factor of two numbers",
               _gcf_params,
               [lambda p, M: "What is the greatest common factor of the numbers %s and %s?" % (M(str(p["a"])), M(str(p["b"]))),
                lambda p, M: "What is the greatest common factor of the two numbers %s and %s?" % (M(str(p["a"])), M(str(p["b"]))),
                lambda p, M: "Find the greatest common factor of the numbers %s and %s." % (M(str(p["a"])), M(str(p["b"])))],
               lambda p, M: "We have %s and %s, so the greatest common factor is %s." % (
                   M("%d = %s" % (p["a"], factor_tex(p["a"]))), M("%d = %s" % (p["b"], factor_tex(p["b"]))),
                   M(str(math.gcd(p["a"], p["b"])))),
               lambda p: math.gcd(p["a"], p["b"])),
]


# TAL-SCQ5K-EN families ----------------------------------------------------

def _tal_ages_params(r):
    a = r.randint(5, 14)
    return {"a": a, "b": 2 * a + r.randint(3, 20)}


def _tal_cage_params(r):
    h = r.randint(10, 40)
    rab = r.randint(2, h - 2)
    return {"h": h, "l": 2 * h + 2 * rab, "r": rab}


def _tal_rect_params(r):
    w, k = r.randint(3, 15), r.randint(2, 8)
    return {"P": 2 * (2 * w + k), "k": k, "w": w}


_DIGITS = {2: "two-digit", 3: "three-digit"}


def _digit_sum_numbers(p):
    lo, hi = 10 ** (p["d"] - 1), 10 ** p["d"]
    return [n for n in range(lo, hi) if sum(int(c) for c in str(n)) == p["s"]]


TAL_FAMILIES = [
    ("digit_sum_count", "how many numbers have a given digit sum",
     lambda r: r.choice([{"d": 2, "s": r.randint(3, 16)}, {"d": 3, "s": r.randint(3, 25)}]),
     [lambda p: "How many %s numbers have digits that add up to $$%d$$?" % (_DIGITS[p["d"]], p["s"]),
      lambda p: "How many %s whole numbers have digits that add up to $$%d$$?" % (_DIGITS[p["d"]], p["s"]),
      lambda p: "How many %s numbers are there whose digits add up to $$%d$$?" % (_DIGITS[p["d"]], p["s"])],
     lambda p: ("They are %s, so there are $$%d$$ of them." % (", ".join("$$%d$$" % n for n in _digit_sum_numbers(p)), len(_digit_sum_numbers(p)))
                if p["d"] == 2 else
                "Counting the choices of hundreds, tens and ones digits (the hundreds digit is not $$0$$) whose sum is $$%d$$ gives $$%d$$ numbers." % (
                    p["s"], len(_digit_sum_numbers(p)))),
     lambda p: len(_digit_sum_numbers(p)),
     "Overseas Competition->Knowledge Point->Counting Modules->Enumeration->Digit Sums"),
    ("ages", "years until a father is twice as old",
     _tal_ages_params,
     [lambda p: "%s is $$%d$$ years old and %s father is $$%d$$ years old. In how many years will %s father be exactly twice as old as %s?" % (p["name"], p["a"], p["her"], p["b"], p["her"], p["name"]),
      lambda p: "%s is $$%d$$ years old this year and %s father is $$%d$$ years old. In how many years will %s father be exactly twice as old as %s?" % (p["name"], p["a"], p["her"], p["b"], p["her"], p["name"]),
      lambda p: "%s father is $$%d$$ years old and %s is $$%d$$ years old. In how many years will %s father be exactly twice as old as %s?" % (p["Her"], p["b"], p["name"], p["a"], p["her"], p["name"])],
     lambda p: "The age difference is always $$%d-%d=%d$$ years. When the father is twice as old, %s is $$%d$$ years old, which happens in $$%d-%d=%d$$ years." % (
         p["b"], p["a"], p["b"] - p["a"], p["name"], p["b"] - p["a"], p["b"] - p["a"], p["a"], p["b"] - 2 * p["a"]),
     lambda p: p["b"] - 2 * p["a"],
     "Overseas Competition->Knowledge Point->Word Problem Modules->Age Problems"),
    ("chickens_rabbits", "rabbits in a cage of chickens and rabbits",
     _tal_cage_params,
     [lambda p: "There are $$%d$$ chickens and rabbits in a cage. Together they have $$%d$$ legs. How many rabbits are there in the cage?" % (p["h"], p["l"]),
      lambda p: "There are $$%d$$ chickens and rabbits in a cage, and together they have $$%d$$ legs. How many rabbits are there in the cage?" % (p["h"], p["l"]),
      lambda p: "A cage holds $$%d$$ chickens and rabbits. Together they have $$%d$$ legs. How many rabbits are there in the cage?" % (p["h"], p["l"])],
     lambda p: "If all $$%d$$ animals were chickens there would be $$%d\\times 2=%d$$ legs. Each rabbit adds $$2$$ more legs, so there are $$(%d-%d)\\div 2=%d$$ rabbits." % (
         p["h"], p["h"], 2 * p["h"], p["l"], 2 * p["h"], p["r"]),
     lambda p: p["r"],
     "Overseas Competition->Knowledge Point->Word Problem Modules->Chicken and Rabbit Problems"),
    ("rectangle_area", "area of a rectangle from its perimeter",
     _tal_rect_params,
     [lambda p: "The perimeter of a rectangle is $$%d$$ cm, and its length is $$%d$$ cm longer than its width. What is the area of the rectangle in square centimetres?" % (p["P"], p["k"]),
      lambda p: "The perimeter of a rectangle is $$%d$$ cm and its length is $$%d$$ cm longer than its width. What is the area of the rectangle, in square centimetres?" % (p["P"], p["k"]),
      lambda p: "The length of a rectangle is $$%d$$ cm longer than its width, and its perimeter is $$%d$$ cm. What is the area of the rectangle in square centimetres?" % (p["k"], p["P"])],
     lambda p: "Length plus width is $$%d\\div 2=%d$$ cm, so the width is $$(%d-%d)\\div 2=%d$$ cm and the length is $$%d$$ cm. The area is $$%d\\times %d=%d$$ square centimetres." % (
         p["P"], p["P"] // 2, p["P"] // 2, p["k"], p["w"], p["w"] + p["k"], p["w"], p["w"] + p["k"], p["w"] * (p["w"] + p["k"])),
     lambda p: p["w"] * (p["w"] + p["k"]),
     "Overseas Competition->Knowledge Point->Geometry Modules->Perimeter and Area of Rectangles"),
]


# AQuA-RAT families (MathInstruct data/CoT/aqua_rat.json) -------------------

def _aqua_walk_params(r):
    s, run = r.choice([(3, 6), (4, 8), (5, 10), (4, 12), (3, 9), (6, 12), (5, 15), (4, 6), (6, 9), (3, 12)])
    h = s * run // math.gcd(s, run) * r.randint(1, 4)
    return {"s": s, "run": run, "h": h, "d": 2 * h}


def _aqua_ratio_params(r):
    while True:
        a, b = r.randint(2, 7), r.randint(3, 9)
        if b > a and math.gcd(a, b) == 1:
            return {"a": a, "b": b, "n": (a + b) * r.randint(3, 8)}


AQUA_FAMILIES = [
    ("walk_run", "time to walk half a distance and run the other half",
     _aqua_walk_params,
     ["A man walks at a speed of {s} km/hr and runs at a speed of {run} km/hr. How much time will the man require to cover a distance of {d} km, if he completes half of the distance, i.e., {h} km, on foot and the other half by running?",
      "A man walks at a speed of {s} km/hr and runs at a speed of {run} km/hr. How much time will the man need to cover a distance of {d} km, if he completes half of the distance, i.e., {h} km, on foot and the other half by running?",
      "A man runs at a speed of {run} km/hr and walks at a speed of {s} km/hr. How much time will the man require to cover a distance of {d} km, if he completes half of the distance, i.e., {h} km, on foot and the other half by running?"],
     lambda p: "Time walking = {h}/{s} = {tw} hours.\nTime running = {h}/{run} = {tr} hours.\nTotal time = {tw} + {tr} = {t} hours.".format(
         tw=fmt(Fraction(p["h"], p["s"])), tr=fmt(Fraction(p["h"], p["run"])), t=fmt(Fraction(p["h"], p["s"]) + Fraction(p["h"], p["run"])), **p),
     lambda p: Fraction(p["h"], p["s"]) + Fraction(p["h"], p["run"]),
     lambda v: "%s hours" % fmt(v)),
    ("boys_girls", "how many more girls than boys from a ratio",
     _aqua_ratio_params,
     ["The ratio of boys to girls in a class is {a}:{b}. If there are {n} students in the class, how many more girls than boys are there?",
      "The ratio of boys to girls in a class is {a} : {b}. If there are {n} students in the class, how many more girls than boys are there?",
      "In a class, the ratio of boys to girls is {a}:{b}. If there are {n} students in the class, how many more girls than boys are there?"],
     lambda p: "Each part is {n}/({a}+{b}) = {u} students.\nThere are {a}*{u} = {boys} boys and {b}*{u} = {girls} girls.\nSo there are {girls} - {boys} = {d} more girls than boys.".format(
         u=p["n"] // (p["a"] + p["b"]), boys=p["a"] * p["n"] // (p["a"] + p["b"]), girls=p["b"] * p["n"] // (p["a"] + p["b"]),
         d=(p["b"] - p["a"]) * p["n"] // (p["a"] + p["b"]), **p),
     lambda p: Fraction((p["b"] - p["a"]) * p["n"], p["a"] + p["b"]),
     lambda v: fmt(v)),
]


# --------------------------------------------------------------------------
# Science: MMLU auxiliary_train and OpenBookQA
# --------------------------------------------------------------------------
# A science item is (kind, question, correct, [wrong, wrong, wrong], subject).
# kind "mmlu" is a full question; kind "obqa" is an OpenBookQA-style stem that
# the choices complete.

ELEMENTS = [  # name | symbol | atomic number | category | clue
    "hydrogen|H|1|nonmetal|is the lightest element and makes up most of the Sun",
    "helium|He|2|noble gas|is used to fill party balloons because it is lighter than air",
    "carbon|C|6|nonmetal|forms the backbone of every organic molecule, including diamond and graphite",
    "nitrogen|N|7|nonmetal|makes up about 78 percent of the air we breathe",
    "oxygen|O|8|nonmetal|is released by plants during photosynthesis and needed for burning",
    "neon|Ne|10|noble gas|glows bright orange-red in advertising signs",
    "sodium|Na|11|metal|is a soft metal that reacts violently with water and is part of table salt",
    "magnesium|Mg|12|metal|burns with a dazzling white flame and is found in chlorophyll",
    "aluminum|Al|13|metal|is a light metal used to make soda cans and aircraft bodies",
    "silicon|Si|14|metalloid|is the main element in sand and computer chips",
    "phosphorus|P|15|nonmetal|is found in bones, teeth and the heads of safety matches",
    "sulfur|S|16|nonmetal|is a yellow solid that smells like rotten eggs when it forms compounds",
    "chlorine|Cl|17|nonmetal|is a greenish gas added to swimming pools to kill germs",
    "argon|Ar|18|noble gas|is an unreactive gas used inside ordinary light bulbs",
    "potassium|K|19|metal|is a nutrient found in bananas that helps nerves and muscles work",
    "calcium|Ca|20|metal|is the metal that makes bones and seashells hard",
    "iron|Fe|26|metal|rusts in moist air and is the main metal in steel",
    "copper|Cu|29|metal|is a reddish metal used in electrical wires because it conducts well",
    "zinc|Zn|30|metal|is coated onto steel to protect it from rusting",
    "silver|Ag|47|metal|is the best conductor of electricity among all metals",
    "tin|Sn|50|metal|was mixed with copper to make bronze in ancient times",
    "iodine|I|53|nonmetal|is added to table salt to prevent thyroid problems",
    "gold|Au|79|metal|does not tarnish and has been used for coins and jewelry for thousands of years",
    "mercury|Hg|80|metal|is the only metal that is liquid at room temperature",
    "lead|Pb|82|metal|is a dense metal once used in paint and water pipes",
    "uranium|U|92|metal|is a radioactive metal used as fuel in nuclear power plants",
]

ANIMALS = [  # name | group | diet | clue
    "dolphin|mammal|carnivore|breathes air through a blowhole and feeds its calves milk",
    "bat|mammal|carnivore|flies at night and uses echolocation to catch insects",
    "blue whale|mammal|carnivore|is the largest animal that has ever lived and filters krill from seawater",
    "kangaroo|mammal|herbivore|carries its young in a pouch and hops on strong back legs",
    "elephant|mammal|herbivore|uses its long trunk to pull leaves from trees",
    "cheetah|mammal|carnivore|can sprint faster than any other land animal when it hunts",
    "platypus|mammal|carnivore|lays eggs but has fur and feeds its young milk",
    "giraffe|mammal|herbivore|has a very long neck for reaching leaves at the tops of acacia trees",
    "brown bear|mammal|omnivore|eats berries, roots and salmon and sleeps through much of the winter",
    "penguin|bird|carnivore|cannot fly but swims quickly through icy water to catch fish",
    "ostrich|bird|omnivore|is the largest living bird and runs across the African savanna",
    "bald eagle|bird|carnivore|builds huge nests and catches fish with its sharp talons",
    "hummingbird|bird|herbivore|hovers in place while it drinks nectar from flowers",
    "barn owl|bird|carnivore|hunts mice at night using its excellent hearing",
    "crocodile|reptile|carnivore|lies in rivers and lays leathery eggs on the bank",
    "sea turtle|reptile|omnivore|crawls onto sandy beaches to bury its eggs",
    "rattlesnake|reptile|carnivore|warns predators by shaking the dry scales at the tip of its tail",
    "iguana|reptile|herbivore|basks on warm rocks to raise its body temperature",
    "frog|amphibian|carnivore|starts life as a tadpole with gills and later breathes with lungs",
    "salamander|amphibian|carnivore|has moist skin and lays its eggs in ponds and streams",
    "toad|amphibian|carnivore|has dry, bumpy skin and returns to water to lay eggs",
    "shark|fish|carnivore|has a skeleton made of cartilage and rows of replaceable teeth",
    "salmon|fish|carnivore|swims upstream from the ocean to lay eggs in the river where it hatched",
    "seahorse|fish|carnivore|swims upright and the male carries the eggs in a pouch",
    "goldfish|fish|omnivore|is often kept in home aquariums and breathes with gills",
    "honeybee|insect|herbivore|collects nectar and pollen and lives in a hive with a queen",
    "monarch butterfly|insect|herbivore|migrates thousands of kilometers and feeds on milkweed as a caterpillar",
    "ant|insect|omnivore|lives in large colonies and can carry many times its own weight",
    "ladybug|insect|carnivore|is a small spotted beetle that eats aphids in gardens",
    "spider|arachnid|carnivore|spins silk webs to trap flying insects",
    "scorpion|arachnid|carnivore|has eight legs and a venomous stinger at the end of its tail",
    "octopus|mollusk|carnivore|has eight arms and can change color to hide from predators",
    "snail|mollusk|herbivore|carries a coiled shell and moves on a layer of slime",
    "crab|crustacean|omnivore|walks sideways and has a hard exoskeleton with two large claws",
    "earthworm|annelid|decomposer|tunnels through soil and breaks down dead leaves",
    "jellyfish|cnidarian|carnivore|drifts in the ocean and stings prey with its tentacles",
]
ANIMAL_GROUPS = ["mammal", "bird", "reptile", "amphibian", "fish", "insect", "arachnid", "mollusk",
                 "crustacean", "annelid", "cnidarian"]
GROUP_REASON = {
    "mammal": "It has hair and feeds its young with milk.",
    "bird": "It has feathers and lays hard-shelled eggs.",
    "reptile": "It has dry scales and lays leathery eggs on land.",
    "amphibian": "It lives in water when young and can live on land as an adult.",
    "fish": "It lives in water, breathes with gills and has fins.",
    "insect": "It has six legs and three body parts.",
    "arachnid": "It has eight legs and two body parts.",
    "mollusk": "It has a soft body that is often protected by a shell.",
    "crustacean": "It has a hard exoskeleton and two pairs of antennae.",
    "annelid": "It has a soft body made of many ring-shaped segments.",
    "cnidarian": "It has a jelly-like body and stinging tentacles.",
}
DIET_WORD = {"herbivore": "plants", "carnivore": "other animals", "omnivore": "both plants and animals",
             "decomposer": "dead plant and animal matter"}

ORGANS = [  # organ | function | system
    "heart|pumps blood through the body|circulatory system",
    "lungs|exchange oxygen and carbon dioxide with the air|respiratory system",
    "stomach|mixes food with acid and enzymes to begin breaking down proteins|digestive system",
    "small intestine|absorbs most of the nutrients from digested food|digestive system",
    "large intestine|absorbs water from undigested food|digestive system",
    "liver|makes bile and removes toxins from the blood|digestive system",
    "kidneys|filter wastes from the blood and produce urine|excretory system",
    "brain|controls thoughts, memory and movement|nervous system",
    "spinal cord|carries nerve signals between the brain and the rest of the body|nervous system",
    "skin|protects the body from germs and helps control body temperature|integumentary system",
    "pancreas|produces insulin to control the level of sugar in the blood|endocrine system",
    "bones|support the body and make blood cells in their marrow|skeletal system",
    "diaphragm|contracts to pull air into the lungs|respiratory system",
    "thyroid gland|releases hormones that control how fast the body uses energy|endocrine system",
]
ORGANELLES = [  # organelle | function | where
    "nucleus|contains the cell's DNA and controls its activities|plant and animal cells",
    "mitochondrion|releases energy from food through cellular respiration|plant and animal cells",
    "chloroplast|captures light energy to make sugar by photosynthesis|plant cells only",
    "cell wall|gives a plant cell a rigid shape and extra support|plant cells only",
    "cell membrane|controls which substances enter and leave the cell|plant and animal cells",
    "ribosome|builds proteins from amino acids|plant and animal cells",
    "vacuole|stores water and wastes and keeps a plant cell firm|plant and animal cells",
    "Golgi apparatus|packages proteins and sends them where they are needed|plant and animal cells",
]
INSTRUMENTS = [  # tool | quantity | situation
    "thermometer|temperature|how hot the water in a beaker is",
    "barometer|air pressure|whether a storm may be approaching",
    "anemometer|wind speed|how fast the wind blows across a field",
    "rain gauge|amount of rainfall|how much rain fell during a storm",
    "hygrometer|humidity|how much water vapor is in the air of a greenhouse",
    "seismograph|ground shaking during earthquakes|how strongly the ground moved during an earthquake",
    "ammeter|electric current|how much current flows through a bulb",
    "voltmeter|voltage|the voltage across a battery",
    "spring scale|force|the pulling force needed to drag a block",
    "graduated cylinder|liquid volume|the volume of juice poured into a container",
    "triple beam balance|mass|the mass of a small rock sample",
    "stopwatch|time|how long a toy car takes to roll down a ramp",
    "meter stick|length|how far a paper airplane flies",
    "compass|direction|which way is north on a hike",
    "microscope|tiny objects too small to see|the cells in an onion skin",
    "telescope|distant objects in the sky|the craters on the Moon",
]
UNITS = [  # quantity | unit | symbol
    "force|newton|N", "energy|joule|J", "power|watt|W", "electric current|ampere|A",
    "voltage|volt|V", "electrical resistance|ohm|the Greek letter omega", "frequency|hertz|Hz",
    "pressure|pascal|Pa", "mass|kilogram|kg", "temperature|kelvin|K", "electric charge|coulomb|C",
    "amount of substance|mole|mol",
]
SCIENTISTS = [  # name | discovery
    "Isaac Newton|the three laws of motion and the law of universal gravitation",
    "Charles Darwin|the theory of evolution by natural selection",
    "Gregor Mendel|the basic laws of heredity from experiments with pea plants",
    "Marie Curie|the radioactive elements polonium and radium",
    "Albert Einstein|the theory of relativity",
    "Galileo Galilei|the four largest moons of Jupiter",
    "Louis Pasteur|a way of killing germs in milk by heating it",
    "Alexander Fleming|penicillin, the first widely used antibiotic",
    "Nicolaus Copernicus|a model of the solar system with the Sun at the center",
    "Michael Faraday|electromagnetic induction, the principle behind electric generators",
    "Edwin Hubble|evidence that the universe is expanding",
    "Dmitri Mendeleev|the first widely accepted periodic table of the elements",
    "Antoine Lavoisier|the law of conservation of mass in chemical reactions",
    "Rosalind Franklin|X-ray images that revealed the double-helix shape of DNA",
    "Alfred Wegener|the hypothesis of continental drift",
    "Edward Jenner|the first vaccine, which protected people against smallpox",
]
ROCKS = [  # rock | type | how it forms
    "granite|igneous|forms when magma cools slowly deep underground",
    "basalt|igneous|forms when lava cools quickly on the surface",
    "obsidian|igneous|forms when lava cools so fast that it becomes a natural glass",
    "pumice|igneous|forms from frothy lava full of gas bubbles and can float on water",
    "sandstone|sedimentary|forms when grains of sand are pressed and cemented together",
    "limestone|sedimentary|forms from the shells and skeletons of sea creatures",
    "shale|sedimentary|forms from layers of mud and clay pressed together",
    "conglomerate|sedimentary|forms when rounded pebbles are cemented together",
    "marble|metamorphic|forms when limestone is changed by heat and pressure",
    "slate|metamorphic|forms when shale is changed by heat and pressure",
    "quartzite|metamorphic|forms when sandstone is changed by heat and pressure",
    "gneiss|metamorphic|has bands of minerals squeezed by great heat and pressure",
]
RESOURCES = [  # resource | renewable? | note
    "solar energy|renewable|light from the Sun",
    "wind energy|renewable|moving air that turns turbines",
    "coal|nonrenewable|the remains of ancient swamp plants",
    "petroleum|nonrenewable|oil pumped from deep underground",
    "natural gas|nonrenewable|methane trapped in rock layers",
    "geothermal energy|renewable|heat from inside the Earth",
    "hydroelectric power|renewable|water flowing through a dam",
    "uranium|nonrenewable|a radioactive metal mined from the ground",
    "biomass|renewable|wood and crop waste that can be burned",
    "tidal energy|renewable|the rise and fall of the ocean",
    "timber from managed forests|renewable|trees that can be replanted",
    "iron ore|nonrenewable|rock mined to make steel",
]
MACHINES = [  # example | simple machine
    "a seesaw|lever", "a crowbar|lever", "a pair of scissors|lever", "a wheelbarrow|lever",
    "a flagpole rope and wheel|pulley", "a window blind cord|pulley", "a ramp into a moving truck|inclined plane",
    "a wheelchair ramp|inclined plane", "an axe blade|wedge", "a doorstop|wedge", "a jar lid|screw",
    "a light bulb base|screw", "a doorknob|wheel and axle", "a steering wheel|wheel and axle",
]
COMPOUNDS = [  # name | formula
    "water|H2O", "table salt|NaCl", "carbon dioxide|CO2", "methane|CH4", "ammonia|NH3",
    "glucose|C6H12O6", "hydrochloric acid|HCl", "baking soda|NaHCO3", "calcium carbonate|CaCO3",
    "hydrogen peroxide|H2O2", "sulfuric acid|H2SO4", "ozone|O3", "carbon monoxide|CO",
    "rust (iron oxide)|Fe2O3",
]
FOOD_CHAIN = [  # organism | role | habitat
    "grass|producer|a meadow", "an oak tree|producer|a forest", "algae|producer|a pond",
    "phytoplankton|producer|the ocean", "a rabbit|primary consumer|a meadow",
    "a grasshopper|primary consumer|a field", "a deer|primary consumer|a forest",
    "a zooplankton|primary consumer|the ocean", "a snake that eats mice|secondary consumer|a field",
    "a frog that eats insects|secondary consumer|a pond", "a hawk|tertiary consumer|a field",
    "a mushroom|decomposer|a forest floor", "bacteria in the soil|decomposer|a garden",
    "an earthworm|decomposer|a garden", "a fox that eats rabbits|secondary consumer|a meadow",
]
PHASES = [  # process | from | to | example
    "melting|solid|liquid|an ice cube turning into water on a warm counter",
    "freezing|liquid|solid|water in a pond turning into ice on a cold night",
    "evaporation|liquid|gas|a puddle drying up on a sunny afternoon",
    "condensation|gas|liquid|water droplets forming on the outside of a cold glass",
    "sublimation|solid|gas|dry ice turning directly into a foggy gas",
    "deposition|gas|solid|frost forming on a window on a winter morning",
]
PLANETS = [  # planet | position | clue 1 | clue 2
    "Mercury|1|orbits closest to the Sun|has almost no atmosphere and a cratered surface",
    "Venus|2|is the hottest planet because of its thick carbon dioxide atmosphere|spins in the opposite direction to most planets",
    "Earth|3|is the only planet known to have liquid water oceans on its surface|has one large moon that causes ocean tides",
    "Mars|4|is called the Red Planet because of iron oxide dust|has the tallest volcano in the solar system, Olympus Mons",
    "Jupiter|5|is bigger than all the other planets put together|has a giant storm called the Great Red Spot",
    "Saturn|6|has the most spectacular system of icy rings|is so low in density that it would float in water",
    "Uranus|7|rotates on its side with an axis tilted almost 98 degrees|was the first planet discovered with a telescope",
    "Neptune|8|orbits farther from the Sun than any other planet|has the fastest winds in the solar system",
]
FACTS = [  # question | stem | answer | wrong1 ; wrong2 ; wrong3 | subject
    "In which layer of the atmosphere does almost all weather occur?|Almost all weather on Earth happens in the|troposphere|stratosphere;mesosphere;thermosphere|high_school_geography",
    "Which layer of the Earth is made mostly of liquid iron and nickel?|The layer of the Earth made mostly of liquid iron and nickel is the|outer core|crust;mantle;inner core|high_school_geography",
    "What causes the seasons on Earth?|Earth has seasons mainly because|the tilt of Earth's axis|the distance from Earth to the Sun changes a lot;the Moon blocks sunlight;the Sun burns hotter in summer|astronomy",
    "Why does the Moon appear to change shape during a month?|The Moon seems to change shape over a month because|different amounts of its sunlit side face Earth|Earth's shadow covers part of it;clouds block part of it;it changes size as it orbits|astronomy",
    "What force keeps the planets in orbit around the Sun?|Planets stay in orbit around the Sun because of|gravity|magnetism;friction;air resistance|astronomy",
    "Which process moves heat through a metal spoon left in hot soup?|Heat moves up a metal spoon standing in hot soup by|conduction|convection;radiation;evaporation|conceptual_physics",
    "How does energy from the Sun reach Earth through space?|Energy from the Sun crosses empty space to reach Earth by|radiation|conduction;convection;reflection|conceptual_physics",
    "What kind of energy does a stretched rubber band store?|A stretched rubber band stores|elastic potential energy|chemical energy;nuclear energy;sound energy|conceptual_physics",
    "What happens to the speed of sound as it moves from air into water?|When sound passes from air into water, its speed|increases|decreases;stays the same;drops to zero|conceptual_physics",
    "Which color of visible light has the longest wavelength?|Of all the colors of visible light, the longest wavelength belongs to|red|violet;blue;green|conceptual_physics",
    "What is the main gas released when vinegar reacts with baking soda?|The bubbles made when vinegar reacts with baking soda are|carbon dioxide|oxygen;hydrogen;nitrogen|high_school_chemistry",
    "What is the pH of pure water at room temperature?|At room temperature, pure water has a pH of|7|1;4;14|high_school_chemistry",
    "Which particle in an atom has a negative charge?|The particle in an atom that carries a negative charge is the|electron|proton;neutron;nucleus|high_school_chemistry",
    "Which particles are found in the nucleus of an atom?|The nucleus of an atom contains|protons and neutrons|electrons only;protons and electrons;neutrons and electrons|high_school_chemistry",
    "What type of bond forms when two atoms share electrons?|When two atoms share a pair of electrons they form|a covalent bond|an ionic bond;a metallic bond;a hydrogen bond|high_school_chemistry",
    "Which of these is a physical change?|An example of a physical change is|breaking a glass bottle|burning wood;rusting iron;baking a cake|high_school_chemistry",
    "Which of these is a chemical change?|An example of a chemical change is|milk turning sour|ice melting;paper being cut;sugar dissolving in tea|high_school_chemistry",
    "What carries genetic information in most living things?|Genetic information in most living things is carried by|DNA|starch;cellulose;fat|high_school_biology",
    "What is the process by which cells divide to make two identical cells?|Cells divide to make two identical cells by|mitosis|meiosis;photosynthesis;fermentation|high_school_biology",
    "Which blood cells help the body fight infections?|The blood cells that help fight infections are|white blood cells|red blood cells;platelets;plasma cells that carry oxygen|anatomy",
    "Which blood vessels carry blood away from the heart?|Blood is carried away from the heart by|arteries|veins;capillaries;lymph nodes|anatomy",
    "What is the largest organ of the human body?|The largest organ of the human body is the|skin|liver;brain;heart|anatomy",
    "How many bones are in the adult human skeleton?|An adult human skeleton has about|206 bones|106 bones;156 bones;306 bones|anatomy",
    "Why do many birds migrate south in the fall?|Many birds fly south in the fall to|find food and warmer weather|look for new feathers;escape from the Moon;avoid daylight|high_school_biology",
    "What do bees carry from flower to flower that helps plants reproduce?|Bees help flowers reproduce by carrying|pollen|nectar;seeds;water|high_school_biology",
    "Which part of a plant takes in water and minerals from the soil?|A plant takes in water and minerals from the soil through its|roots|leaves;flowers;fruit|high_school_biology",
    "What is the main job of the leaves of a plant?|The main job of a plant's leaves is to|make food by photosynthesis|anchor the plant;absorb water from soil;produce seeds|high_school_biology",
    "Which trait is inherited rather than learned?|An example of an inherited trait is|eye color|riding a bicycle;speaking French;playing the piano|high_school_biology",
    "What is an adaptation that helps a cactus survive in the desert?|A cactus survives in the desert partly because it has|a thick stem that stores water|broad thin leaves;shallow soft bark;bright red petals all year|high_school_biology",
    "What causes ocean tides?|Ocean tides are mainly caused by|the pull of the Moon's gravity|wind blowing across the water;underwater earthquakes;the rotation of the Sun|astronomy",
    "What is a light-year a measure of?|A light-year is a unit that measures|distance|time;brightness;speed|astronomy",
    "What is the closest star to Earth?|The star closest to Earth is|the Sun|Proxima Centauri;Polaris;Sirius|astronomy",
    "What type of galaxy is the Milky Way?|The Milky Way is a|spiral galaxy|elliptical galaxy;irregular galaxy;ring nebula|astronomy",
    "Which process breaks rocks into smaller pieces without moving them?|Rocks are broken into smaller pieces without being moved by|weathering|erosion;deposition;subduction|high_school_geography",
    "What forms when warm moist air rises and cools?|When warm moist air rises and cools it forms|clouds|earthquakes;sand dunes;glaciers overnight|high_school_geography",
    "What is the boundary where two tectonic plates slide past each other called?|A boundary where two plates slide past each other is a|transform boundary|divergent boundary;convergent boundary;subduction zone|high_school_geography",
    "Which fossil fuel formed from ancient swamp plants?|The fossil fuel that formed from ancient swamp plants is|coal|natural gas from volcanoes;uranium;granite|high_school_geography",
    "What instrument measures the strength of an earthquake?|The strength of an earthquake is recorded by a|seismograph|barometer;thermometer;hygrometer|high_school_geography",
    "What is the freezing point of water on the Celsius scale?|On the Celsius scale, water freezes at|0 degrees|32 degrees;100 degrees;-10 degrees|conceptual_physics",
    "Which material is the best electrical insulator?|The best electrical insulator among these is|rubber|copper;aluminum;salt water|conceptual_physics",
    "What happens to most materials when they are heated?|When most materials are heated they|expand|shrink;become magnetic;lose mass|conceptual_physics",
    "What is the name for a substance made of only one kind of atom?|A substance made of only one kind of atom is|an element|a mixture;a compound;a solution|high_school_chemistry",
    "Which gas do humans exhale more of than they inhale?|Compared with the air they breathe in, humans breathe out more|carbon dioxide|oxygen;nitrogen;helium|anatomy",
    "What part of the eye controls how much light enters?|The part of the eye that controls how much light enters is the|iris|retina;lens;optic nerve|anatomy",
    "What is the function of red blood cells?|Red blood cells mainly|carry oxygen to the body|fight germs;clot wounds;digest fat|anatomy",
    "Which vitamin does the skin make when exposed to sunlight?|When exposed to sunlight, the skin makes|vitamin D|vitamin C;vitamin A;vitamin K|anatomy",
    "A lack of vitamin C in the diet causes which disease?|A diet without enough vitamin C can cause|scurvy|rickets;anemia;goiter|anatomy",
    "Which simple machine is a ramp?|A ramp is an example of|an inclined plane|a lever;a pulley;a wheel and axle|conceptual_physics",
    "What does a food web show?|A food web shows|how energy moves between organisms|where animals sleep;how rocks form;which plants bloom first|high_school_biology",
    "What happens to an animal population when its food supply drops sharply?|If an animal's food supply drops sharply, its population will most likely|decrease|increase;stay the same;double|high_school_biology",
]
COMPUTED_SCIENCE = ["heat", "pressure", "work", "power", "momentum", "kinetic", "wave", "acceleration"]


def plural(word):
    return "fish" if word == "fish" else word + "s"


def science_background(rng):
    """Every background science item the knowledge base yields, in a fixed order."""
    items = []
    def add(kind, q, correct, wrong, subject, topic):
        items.append({"kind": kind, "question": q, "correct": correct, "wrong": list(wrong),
                      "subject": subject, "topic": topic})
    els = [e.split("|") for e in ELEMENTS]
    for name, sym, num, cat, clue in els:
        others = [e for e in els if e[0] != name]
        add("mmlu", "Which element %s?" % clue, name.capitalize(),
            [o[0].capitalize() for o in rng.sample(others, 3)], "high_school_chemistry", "element clue")
        add("obqa", "An element that %s is" % clue, name, [o[0] for o in rng.sample(others, 3)], "", "element clue")
        add("mmlu", "How many protons are in the nucleus of an atom of %s?" % name, num,
            [o[2] for o in rng.sample(others, 3)], "high_school_chemistry", "atomic number")
        add("mmlu", "Which element has the chemical symbol %s?" % sym, name.capitalize(),
            [o[0].capitalize() for o in rng.sample(others, 3)], "high_school_chemistry", "element from symbol")
        cats = ["metal", "nonmetal", "noble gas", "metalloid"]
        add("obqa", "On the periodic table, %s is classified as a" % name, cat,
            [c for c in cats if c != cat], "", "element category")
    ans = [a.split("|") for a in ANIMALS]
    for name, group, diet, clue in ans:
        art = "an" if name[0] in "aeiou" else "a"
        wrong_groups = rng.sample([g for g in ANIMAL_GROUPS if g != group], 3)
        add("mmlu", "The %s %s. To which group of animals does the %s belong?" % (name, clue, name),
            plural(group), [plural(g) for g in wrong_groups], "high_school_biology", "animal group")
        add("obqa", "%s %s, which %s, is an example of a" % (art.capitalize(), name, clue), group,
            rng.sample([g for g in ANIMAL_GROUPS if g != group], 3), "", "animal group")
        add("mmlu", "Which characteristic is the best evidence that the %s is classified as %s %s?" % (
            name, "an" if group[0] in "aeiou" else "a", group), GROUP_REASON[group],
            [GROUP_REASON[g] for g in rng.sample([g for g in ANIMAL_GROUPS if g != group], 3)],
            "high_school_biology", "animal group reason")
        diets = ["herbivore", "carnivore", "omnivore", "decomposer"]
        add("mmlu", "Which word best describes the diet of the %s, an animal that mostly eats %s?" % (name, DIET_WORD[diet]),
            diet, [d for d in diets if d != diet], "high_school_biology", "animal diet")
        add("obqa", "Because it mostly eats %s, the %s is best described as a" % (DIET_WORD[diet], name), diet,
            [d for d in diets if d != diet], "", "animal diet")
    orgs = [o.split("|") for o in ORGANS]
    for organ, func, system in orgs:
        others = [o for o in orgs if o[0] != organ]
        add("mmlu", "Which organ of the human body %s?" % func, "the " + organ,
            ["the " + o[0] for o in rng.sample(others, 3)], "anatomy", "organ function")
        add("obqa", "The organ that %s is the" % func, organ, [o[0] for o in rng.sample(others, 3)], "", "organ function")
        add("mmlu", "Damage to the %s would most directly affect the body's ability to do what?" % organ,
            func[0].upper() + func[1:], [o[1][0].upper() + o[1][1:] for o in rng.sample(others, 3)], "anatomy", "organ damage")
        systems = sorted(set(o[2] for o in orgs))
        add("mmlu", "The %s is part of which body system?" % organ, system,
            rng.sample([s for s in systems if s != system], 3), "anatomy", "organ system")
    cells = [o.split("|") for o in ORGANELLES]
    for part, func, where in cells:
        others = [o for o in cells if o[0] != part]
        add("mmlu", "Which part of a cell %s?" % func, "the " + part,
            ["the " + o[0] for o in rng.sample(others, 3)], "high_school_biology", "organelle")
        add("obqa", "Inside a cell, the %s" % part, func, [o[1] for o in rng.sample(others, 3)], "", "organelle")
    tools = [t.split("|") for t in INSTRUMENTS]
    for tool, qty, situation in tools:
        others = [t for t in tools if t[0] != tool]
        art = "an" if tool[0] in "aeiou" else "a"
        add("mmlu", "Which tool should a student use to find %s?" % situation, art + " " + tool,
            [("an " if o[0][0] in "aeiou" else "a ") + o[0] for o in rng.sample(others, 3)],
            "conceptual_physics", "instrument")
        add("mmlu", "What does %s %s measure?" % (art, tool), qty[0].upper() + qty[1:],
            [o[1][0].upper() + o[1][1:] for o in rng.sample(others, 3)], "conceptual_physics", "instrument reverse")
        add("obqa", "%s %s is used to measure" % (art.capitalize(), tool), qty,
            [o[1] for o in rng.sample(others, 3)], "", "instrument")
    units = [u.split("|") for u in UNITS]
    for qty, unit, sym in units:
        others = [u for u in units if u[0] != qty]
        add("mmlu", "What is the SI unit of %s?" % qty, "the " + unit,
            ["the " + o[1] for o in rng.sample(others, 3)], "high_school_physics", "si unit")
        add("mmlu", "Which quantity is measured in units called %ss?" % unit if unit not in ("hertz", "kelvin") else
            "Which quantity is measured in %s?" % unit, qty, [o[0] for o in rng.sample(others, 3)], "high_school_physics", "si unit reverse")
        add("obqa", "The %s, written %s, is the unit used to measure" % (unit, sym), qty,
            [o[0] for o in rng.sample(others, 3)], "", "si unit")
    sci = [s.split("|") for s in SCIENTISTS]
    for who, what in sci:
        others = [s for s in sci if s[0] != who]
        add("mmlu", "Which scientist is best known for %s?" % what, who,
            [o[0] for o in rng.sample(others, 3)], "high_school_physics" if who in ("Isaac Newton", "Albert Einstein", "Michael Faraday") else "high_school_biology", "scientist")
        add("obqa", "%s is famous for" % who, what, [o[1] for o in rng.sample(others, 3)], "", "scientist")
        add("mmlu", "Which contribution to science is %s remembered for?" % who, what[0].upper() + what[1:],
            [o[1][0].upper() + o[1][1:] for o in rng.sample(others, 3)], "high_school_biology", "scientist reverse")
    rocks = [x.split("|") for x in ROCKS]
    for rock, kind, how in rocks:
        types = ["igneous", "sedimentary", "metamorphic", "mineral"]
        add("mmlu", "A rock that %s is most likely which of the following?" % how, rock,
            [o[0] for o in rng.sample([x for x in rocks if x[1] != kind], 3)], "high_school_geography", "rock formation")
        add("mmlu", "To which class of rocks does %s belong?" % rock, kind, [t for t in types if t != kind],
            "high_school_geography", "rock type")
        add("obqa", "%s is an example of a rock that is" % rock.capitalize(), kind,
            [t for t in types if t != kind], "", "rock type")
    res = [x.split("|") for x in RESOURCES]
    for name, kind, note in res:
        other = "nonrenewable" if kind == "renewable" else "renewable"
        add("obqa", "%s, which comes from %s, is a" % (name.capitalize(), note), kind + " resource",
            [other + " resource", "man-made element", "kind of mineral salt"], "", "resource")
        add("mmlu", "A town plans to get its electricity from %s, which comes from %s. What kind of resource is it?" % (name, note),
            "a " + kind + " resource", ["a " + other + " resource", "an artificial resource", "a mineral resource"],
            "high_school_geography", "resource")
    machines = [x.split("|") for x in MACHINES]
    for example, machine in machines:
        kinds = ["lever", "pulley", "inclined plane", "wedge", "screw", "wheel and axle"]
        add("obqa", "%s works as a simple machine called a" % example[0].upper() + example[1:], machine,
            rng.sample([k for k in kinds if k != machine], 3), "", "simple machine")
        add("mmlu", "Which type of simple machine is %s?" % example, "a " + machine,
            ["a " + k for k in rng.sample([k for k in kinds if k != machine], 3)], "conceptual_physics", "simple machine")
    comps = [x.split("|") for x in COMPOUNDS]
    for name, formula in comps:
        others = [c for c in comps if c[0] != name]
        add("mmlu", "What is the chemical formula for %s?" % name, formula,
            [o[1] for o in rng.sample(others, 3)], "high_school_chemistry", "compound formula")
        add("mmlu", "Which substance has the chemical formula %s?" % formula, name,
            [o[0] for o in rng.sample(others, 3)], "high_school_chemistry", "compound name")
        add("obqa", "The compound with the formula %s is known as" % formula, name,
            [o[0] for o in rng.sample(others, 3)], "", "compound formula")
    chain = [x.split("|") for x in FOOD_CHAIN]
    for org, role, habitat in chain:
        roles = ["producer", "primary consumer", "secondary consumer", "tertiary consumer", "decomposer"]
        add("mmlu", "In a food web in %s, %s is best described as which of the following?" % (habitat, org),
            "a " + role, ["a " + x for x in rng.sample([x for x in roles if x != role], 3)], "high_school_biology", "food chain")
        add("obqa", "In %s, %s acts as a" % (habitat, org), role,
            rng.sample([x for x in roles if x != role], 3), "", "food chain")
    phases = [x.split("|") for x in PHASES]
    for proc, a, b, example in phases:
        others = [p[0] for p in phases if p[0] != proc]
        add("mmlu", "Which change of state is shown by %s?" % example, proc, rng.sample(others, 3),
            "conceptual_physics", "phase change")
        add("mmlu", "What is the name of the process in which matter changes from a %s into a %s?" % (a, b), proc,
            rng.sample(others, 3), "conceptual_physics", "phase change")
        add("obqa", "When a %s turns directly into a %s, the process is called" % (a, b) if proc in ("sublimation", "deposition")
            else "The change from a %s to a %s is called" % (a, b), proc, rng.sample(others, 3), "", "phase change")
    planets = [x.split("|") for x in PLANETS]
    for name, pos, c1, c2 in planets:
        others = [p[0] for p in planets if p[0] != name]
        add("mmlu", "Which planet %s?" % c1, name, rng.sample(others, 3), "astronomy", "planet")
        add("obqa", "The planet that %s is" % c2, name, rng.sample(others, 3), "", "planet")
        add("mmlu", "Which planet %s?" % c2, name, rng.sample(others, 3), "astronomy", "planet")
        add("mmlu", "Counting outward from the Sun, which planet is number %s?" % pos, name, rng.sample(others, 3),
            "astronomy", "planet order")
    for f in FACTS:
        q, stem, a, wrong, subject = f.split("|")
        add("mmlu", q, a, wrong.split(";"), subject, "fact")
        add("obqa", stem, a, wrong.split(";"), "", "fact")
    for kind in COMPUTED_SCIENCE:
        for i in range(10):
            items.append(computed_science(kind, rng))
    return items


def computed_science(kind, r):
    """A physics calculation with a unit; returns a science item (mmlu kind)."""
    if kind == "heat":
        m, c, dt = r.choice([1, 2, 3, 5]), r.choice([4200, 900, 450, 380]), r.randint(2, 20)
        v = m * c * dt
        q = "How much heat energy is needed to raise the temperature of %d kg of a substance with specific heat %d J/(kg\u00b7\u00b0C) by %d \u00b0C?" % (m, c, dt)
        unit = "J"
    elif kind == "pressure":
        f, a = r.choice([100, 200, 300, 600, 1200]), r.choice([2, 4, 5, 10])
        v = f // a if f % a == 0 else f
        a = a if f % a == 0 else 1
        q = "A crate pushes down on the floor with a force of %d N spread over an area of %d square meters. What pressure does it exert?" % (f, a)
        unit = "Pa"
    elif kind == "work":
        f, d = r.randint(5, 60), r.randint(2, 15)
        v = f * d
        q = "A worker pushes a cart with a steady force of %d N for a distance of %d m. How much work does the worker do?" % (f, d)
        unit = "J"
    elif kind == "power":
        t = r.choice([2, 4, 5, 10])
        w = t * r.randint(10, 90)
        v = w // t
        q = "A motor does %d J of work in %d seconds. What is its power output?" % (w, t)
        unit = "W"
    elif kind == "momentum":
        m, vel = r.randint(2, 80), r.randint(2, 12)
        v = m * vel
        q = "What is the momentum of a %d kg object moving at %d m/s?" % (m, vel)
        unit = "kg\u00b7m/s"
    elif kind == "kinetic":
        m, vel = 2 * r.randint(1, 20), r.randint(2, 10)
        v = m * vel * vel // 2
        q = "What is the kinetic energy of a %d kg ball rolling at %d m/s?" % (m, vel)
        unit = "J"
    elif kind == "wave":
        f, lam = r.randint(2, 50), r.choice([2, 3, 4, 5, 10])
        v = f * lam
        q = "A wave on a rope has a frequency of %d Hz and a wavelength of %d m. How fast does the wave travel?" % (f, lam)
        unit = "m/s"
    else:
        dv, t = r.randint(2, 12), r.randint(2, 8)
        dv = dv * t
        v = dv // t
        q = "A bicycle speeds up from rest to %d m/s in %d seconds. What is its average acceleration?" % (dv, t)
        unit = "m/s\u00b2"
    wrong = ["%d %s" % (x, unit) for x in int_distractors(v, 3, r)]
    return {"kind": "mmlu", "question": q, "correct": "%d %s" % (v, unit), "wrong": wrong,
            "subject": "high_school_physics", "topic": "calculation " + kind}


# Science families (near-duplicates by design) ------------------------------

SCI_MATERIALS = ["wood", "plastic", "wax", "metal", "clay"]
SCI_PLANTS = ["oak trees", "ferns", "grasses", "corn plants", "sunflowers", "mosses", "pine trees",
              "rose bushes", "cacti", "rice plants", "tomato plants", "maple trees", "water lilies",
              "bean plants", "apple trees", "wheat plants", "palm trees", "ivy vines", "bamboo plants",
              "pumpkin vines"]


def _three(right, cands):
    out = []
    for c in cands:
        if c > 0 and c != right and c not in out:
            out.append(c)
    return out[:3]


def _sci_density(r, v):
    d, vol = r.randint(2, 9), r.randint(5, 40)
    mat = r.choice(SCI_MATERIALS)
    m = d * vol
    qs = ["A student measures a block of %s and finds that it has a mass of %d grams and a volume of %d cubic centimeters. What is the density of the block?",
          "A student measures a block of %s and finds that it has a mass of %d grams and a volume of %d cubic centimeters. What is the density of the block of material?",
          "A student measures a small block of %s and finds that it has a mass of %d grams and a volume of %d cubic centimeters. What is the density of the block?"]
    wrong = _three(d, [d + 1, d - 1, d * 2, d + 2, m])
    return qs[v] % (mat, m, vol), "%d g/cm^3" % d, ["%d g/cm^3" % x for x in wrong], "conceptual_physics"


def _sci_speed(r, v):
    spd, t = 5 * r.randint(8, 24), r.randint(2, 6)
    qs = ["A car travels %d kilometers in %d hours at a constant speed. What is the speed of the car?",
          "A car travels %d kilometers in %d hours at a constant speed. What is the average speed of the car?",
          "A car travels a distance of %d kilometers in %d hours at a constant speed. What is the speed of the car?"]
    wrong = _three(spd, [spd * t * t, spd + 10, spd * t, spd - 5])
    return qs[v] % (spd * t, t), "%d km/h" % spd, ["%d km/h" % x for x in wrong], "high_school_physics"


def _sci_symbol(r, v):
    e = r.choice(ELEMENTS).split("|")
    others = [x.split("|")[1] for x in ELEMENTS if x.split("|")[0] != e[0]]
    qs = ["Which of the following is the chemical symbol used on the periodic table of the elements for %s?",
          "Which of the following is the correct chemical symbol used on the periodic table of the elements for %s?",
          "Which of the following is the chemical symbol used on the modern periodic table of the elements for %s?"]
    fake = e[0][:2].capitalize() if e[0][:2].capitalize() != e[1] else e[0][0].upper() + e[0][2]
    wrong = [fake] + [x for x in r.sample(others, 3) if x != fake][:2]
    return qs[v] % e[0], e[1], wrong, "high_school_chemistry"


def _sci_force(r, v):
    m, a = r.randint(2, 40), r.randint(2, 9)
    obj = r.choice(["cart", "box", "sled", "wagon"])
    qs = ["What net force is needed to accelerate a %d-kilogram %s at %d meters per second squared?",
          "What net force is required to accelerate a %d-kilogram %s at %d meters per second squared?",
          "What net force is needed to accelerate a %d-kilogram %s at a rate of %d meters per second squared?"]
    wrong = _three(m * a, [m + a] + int_distractors(m * a, 3, r))
    return qs[v] % (m, obj, a), "%d N" % (m * a), ["%d N" % x for x in wrong], "high_school_physics"


def _sci_photo(r, v):
    plants = r.choice(SCI_PLANTS)
    qs = ["Which gas do %s take in from the air through the tiny pores in their leaves to carry out photosynthesis?",
          "Which gas do %s take in from the air through the tiny pores in their leaves in order to carry out photosynthesis?",
          "During the day, which gas do %s take in from the air through the tiny pores in their leaves to carry out photosynthesis?"]
    return qs[v] % plants, "carbon dioxide", ["oxygen", "nitrogen", "hydrogen"], "high_school_biology"


def _sci_ohm(r, v):
    i, res = r.randint(2, 6), r.choice([2, 3, 4, 5, 6, 10])
    qs = ["A %d-volt battery is connected to a resistor of %d ohms. What is the current in the circuit?",
          "A %d-volt battery is connected to a single resistor of %d ohms. What is the current in the circuit?",
          "A %d-volt battery is connected to a resistor of %d ohms. What current flows in the circuit?"]
    volts = i * res
    wrong = _three(i, [volts * res, volts + res, i + 1, i + 2])
    return qs[v] % (volts, res), "%d A" % i, ["%d A" % x for x in wrong], "high_school_physics"


def _sci_astronaut(r, v):
    m = r.randint(55, 95)
    qs = ["An astronaut has a mass of %d kilograms on Earth. What is the astronaut's mass on the Moon?",
          "An astronaut has a mass of %d kilograms on Earth. What will the astronaut's mass be on the Moon?",
          "On Earth, an astronaut has a mass of %d kilograms. What is the astronaut's mass on the Moon?"]
    return qs[v] % m, "%d kilograms" % m, ["%d kilograms" % x for x in (m // 6, m * 6, 0)], "conceptual_physics"


SCI_FAMILIES = [
    ("density", "density of a block from its mass and volume", _sci_density),
    ("car_speed", "speed of a car from distance and time", _sci_speed),
    ("element_symbol", "chemical symbol of an element", _sci_symbol),
    ("net_force", "net force to accelerate an object (F = ma)", _sci_force),
    ("photosynthesis_gas", "gas plants take in for photosynthesis", _sci_photo),
    ("ohms_law", "current from voltage and resistance", _sci_ohm),
    ("astronaut_mass", "an astronaut's mass on the Moon", _sci_astronaut),
]


def _obqa_magnet(r, v):
    place = r.choice(["kitchen", "classroom", "garage", "workshop", "science lab", "art room", "dining room", "garden shed"])
    who = r.choice(["A student", "A child"])
    stems = ["%s holds a bar magnet over a pile of small objects on a table in the %s. The object the magnet will most likely pick up is",
             "%s holds a strong bar magnet over a pile of small objects on a table in the %s. The object the magnet will most likely pick up is",
             "%s holds a bar magnet above a pile of small objects on a table in the %s. The object the magnet will most likely pick up is"]
    right = r.choice(["an iron nail", "a steel paper clip", "a steel screw", "an iron key"])
    wrong = r.sample(["a plastic spoon", "a wooden block", "a rubber band", "a glass marble", "a copper coin", "a paper cup"], 3)
    return stems[v] % (who, place), right, wrong


def _obqa_fur(r, v):
    hab = r.choice(["tundra", "polar region", "snowy forest", "ice field", "mountain top", "arctic island",
                    "frozen plain", "polar coast", "snowy valley", "icy bay"])
    stems = ["An animal that lives all year in a cold %s, where the temperature stays below freezing for months, is most likely to have",
             "An animal that lives all year in the cold %s, where the temperature stays below freezing for months, is most likely to have",
             "An animal that lives all year in a cold %s, where the temperature stays below freezing for many months, is most likely to have"]
    right = r.choice(["thick fur", "a thick layer of fat", "a dense coat of fur"])
    wrong = r.sample(["thin skin", "large ears that release heat", "a light summer coat", "bare skin", "short thin hair"], 3)
    return stems[v] % hab, right, wrong


def _obqa_spoon(r, v):
    who = r.choice(["A cook", "A student", "A camper", "A chef", "A parent"])
    pot = r.choice(["pot of hot soup", "pan of boiling water", "pot of hot stew", "mug of hot cocoa", "kettle of hot tea"])
    stems = ["%s stirs a %s with spoons made of different materials. The spoon handle that gets hot the fastest is made of",
             "%s stirs a %s with spoons made of different materials, and the spoon handle that gets hot the fastest is made of",
             "%s stirs a %s with spoons made of different materials. The handle that gets hot the fastest is made of"]
    right = r.choice(["metal", "steel", "copper"])
    wrong = r.sample(["wood", "plastic", "rubber", "bamboo"], 3)
    return stems[v] % (who, pot), right, wrong


OBQA_FAMILIES = [
    ("magnet", "what a magnet picks up", _obqa_magnet),
    ("cold_habitat", "adaptations of animals in cold places", _obqa_fur),
    ("hot_spoon", "which spoon conducts heat fastest", _obqa_spoon),
]


# --------------------------------------------------------------------------
# OASST message trees (2023-04-12_oasst_ready.trees.jsonl shape)
# --------------------------------------------------------------------------
# A node is (text, [children]); roles alternate prompter/assistant from the
# root. The chat stage keeps English trees, turns every root-to-leaf path into
# a conversation, drops those shorter than 4 turns and cuts an odd trailing
# prompt.

CHAT_TREES = [
    ("en", ("How do I make a simple tomato sauce for pasta?", [
        ("Here is an easy one. Warm two tablespoons of olive oil in a pan, add a chopped onion and cook it for five minutes until soft. Add two crushed garlic cloves for one minute, then a 400 g can of chopped tomatoes, a pinch of salt and a pinch of sugar. Let it simmer for 15 to 20 minutes, stirring now and then, and finish with torn basil leaves.", [
            ("Can I freeze the leftovers?", [
                ("Yes. Let the sauce cool completely, portion it into airtight containers or freezer bags, and label them with the date. It keeps well for about three months. Thaw it overnight in the fridge or gently reheat it from frozen with a splash of water.", []),
                ("Absolutely. Tomato sauce freezes very well. Leave a little space at the top of the container because the sauce expands as it freezes, and use it within three months for the best flavor.", []),
            ]),
        ]),
        ("Cook garlic in olive oil, add canned tomatoes, salt and basil, and simmer for 20 minutes.", []),
    ])),
    ("en", ("What is the easiest way to reverse a list in Python?", [
        ("You have two common options. `my_list.reverse()` reverses the list in place and returns None, while `my_list[::-1]` returns a new reversed copy and leaves the original unchanged. If you only need to loop backwards, `reversed(my_list)` gives you an iterator without copying anything.", [
            ("Which one is faster for a list with a million items?", [
                ("`my_list.reverse()` is usually the fastest because it swaps the elements in place without allocating a new list. Slicing with `[::-1]` is also fast but needs memory for a full copy. `reversed()` is the cheapest if you just iterate once, because it never builds a new list.", []),
            ]),
            ("Does reversed() work on strings too?", [
                ("Yes, `reversed()` works on any sequence, including strings, but it returns an iterator of characters. To get a string back, join them: `''.join(reversed(text))`. For strings, the slice `text[::-1]` is the more common idiom.", [
                    ("Thanks, that's exactly what I needed.", []),
                ]),
            ]),
        ]),
    ])),
    ("en", ("Can you explain photosynthesis to a ten-year-old?", [
        ("Sure! Plants are like little food factories. Their leaves catch sunlight, drink up water through their roots and breathe in a gas from the air called carbon dioxide. Using the energy from sunlight, they turn the water and carbon dioxide into sugar, which is their food, and they let out oxygen, which is the air we breathe.", []),
    ])),
    ("en", ("What are some tips for doing well in a job interview?", [
        ("Research the company beforehand, practice answers to common questions such as 'Tell me about yourself', prepare two or three specific examples of your achievements, dress one step more formally than the everyday dress code, arrive ten minutes early, and bring a couple of thoughtful questions to ask the interviewer at the end.", [
            ("How should I answer the question about my biggest weakness?", [
                ("Pick a real weakness that is not central to the job, explain briefly how it affected you, and spend most of the answer on what you are doing to improve. For example: 'I used to take on too many tasks myself, so I started using a shared task board and delegating earlier. It has made my team faster.'", [
                    ("And what if they ask about a gap in my resume?", []),
                ]),
            ]),
        ]),
    ])),
    ("en", ("Write a haiku about autumn.", [
        ("Crimson maple leaves\ndrift across the quiet pond\nsummer's last whisper", [
            ("That's lovely. Can you write one about winter too?", [
                ("Silent falling snow\nblankets the sleeping village\nchimney smoke rises", []),
                ("Frost on the window\nbreath of the cold morning air\nthe kettle starts to sing", []),
            ]),
        ]),
    ])),
    ("de", ("Wie kann ich abends besser einschlafen?", [
        ("Gehe möglichst jeden Tag zur gleichen Zeit ins Bett, vermeide eine Stunde vor dem Schlafen helle Bildschirme, halte das Schlafzimmer kühl und dunkel und verzichte am Nachmittag auf Kaffee. Ein kurzer Spaziergang am Abend oder ein paar Seiten in einem Buch helfen vielen Menschen, zur Ruhe zu kommen.", [
            ("Hilft auch ein warmes Getränk?", [
                ("Ja, ein warmer Kräutertee ohne Koffein, zum Beispiel Kamille oder Melisse, kann beim Entspannen helfen. Trinke ihn aber nicht direkt vor dem Schlafengehen, damit du nachts nicht aufstehen musst.", []),
            ]),
        ]),
    ])),
    ("en", ("What is the difference between weather and climate?", [
        ("Weather is what the atmosphere is doing right now or over the next few days: today's temperature, rain, wind and clouds. Climate is the average pattern of weather in a place over a long time, usually thirty years or more. A cold day in July is weather; the fact that July is usually warm where you live is climate.", [
            ("So can one very cold winter disprove global warming?", [
                ("No. A single cold winter is a weather event in one region, while global warming describes the long-term rise in the average temperature of the whole planet. Scientists look at decades of measurements from around the world, and those show a clear warming trend even though individual seasons still vary.", [
                    ("How do scientists know what the climate was like hundreds of years ago?", [
                        ("They use natural records called proxies. Tree rings show how much a tree grew each year, air bubbles trapped in ancient ice cores preserve samples of the old atmosphere, and layers of sediment in lakes and oceans contain pollen and shells that reveal past temperatures. Combining many proxies gives a picture stretching back thousands of years.", []),
                    ]),
                ]),
            ]),
        ]),
    ])),
    ("en", ("Help me plan a three-day trip to Rome.", [
        ("Day 1: the ancient city. Visit the Colosseum, the Roman Forum and the Palatine Hill in the morning, then walk to the Capitoline Museums. Day 2: Vatican City. Book tickets for the Vatican Museums and the Sistine Chapel early, then climb the dome of St. Peter's Basilica. Day 3: the historic center. See the Pantheon, Piazza Navona and the Trevi Fountain, and end with dinner in Trastevere.", [
            ("What should I eat while I'm there?", [
                ("Try the four classic Roman pastas: cacio e pepe, carbonara, amatriciana and gricia. Grab a supplì, a fried rice ball with mozzarella, as a snack, eat pizza al taglio sold by weight, and finish with gelato from a shop that keeps its flavors in covered metal tins rather than piled high.", []),
            ]),
        ]),
    ])),
    ("en", ("How does compound interest work?", [
        ("With compound interest you earn interest on your original deposit and also on the interest you have already earned. For example, if you put 1,000 dollars in an account that pays 5 percent a year, you have 1,050 dollars after one year. In the second year you earn 5 percent of 1,050, which is 52.50 dollars, so you end with 1,102.50 dollars.", [
            ("How long would it take to double my money at 5 percent?", [
                ("A quick estimate is the rule of 72: divide 72 by the interest rate. At 5 percent that gives about 14.4 years. The exact answer, using logarithms, is ln(2) / ln(1.05), which is about 14.2 years.", []),
            ]),
        ]),
    ])),
    ("en", ("Can you recommend a beginner workout routine?", [
        ("Start with three full-body sessions a week on non-consecutive days. Each session: five minutes of brisk walking to warm up, then three rounds of ten squats, eight push-ups (on your knees if needed), ten glute bridges, a 20-second plank and ten lunges per leg. Rest a minute between rounds and add a few repetitions each week.", [
            ("Should I also stretch after the workout?", []),
        ]),
    ])),
    ("en", ("Translate 'good morning' into Spanish, French and Italian.", [
        ("Spanish: buenos días. French: bonjour. Italian: buongiorno.", [
            ("How do I say 'good night' in the same languages?", [
                ("Spanish: buenas noches. French: bonne nuit. Italian: buona notte. Note that in French 'bonne nuit' is only used when someone is going to bed; in the evening people usually say 'bonsoir'.", []),
            ]),
        ]),
    ])),
    ("en", ("Why is the sky blue?", [
        ("Sunlight contains all colors. When it passes through the atmosphere, the tiny nitrogen and oxygen molecules scatter short wavelengths, like blue, much more strongly than long wavelengths, like red. This is called Rayleigh scattering. Blue light is scattered all over the sky, so wherever you look away from the Sun, you see blue.", [
            ("Then why are sunsets red and orange?", [
                ("At sunset the light travels through much more air before it reaches you. Most of the blue light is scattered out of the direct beam along the way, so the light that remains is dominated by the longer red and orange wavelengths.", []),
            ]),
            ("Why isn't the sky violet, since violet has an even shorter wavelength?", [
                ("Three reasons: the Sun emits less violet than blue light, some violet is absorbed high in the atmosphere, and our eyes are much more sensitive to blue than to violet. The mix of scattered colors that reaches us looks sky blue.", []),
            ]),
        ]),
    ])),
]


def chat_tree_lines(rng):
    lines = []
    for lang, root in CHAT_TREES:
        def node(item, depth):
            text, children = item
            return {
                "message_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "text": text,
                "role": "prompter" if depth % 2 == 0 else "assistant",
                "lang": lang,
                "replies": [node(c, depth + 1) for c in children],
            }
        tree = node(root, 0)
        lines.append({"message_tree_id": tree["message_id"], "tree_state": "ready_for_export", "prompt": tree})
    return lines


def chat_paths(tree):
    """Every root-to-leaf path of a tree, as lists of texts."""
    out = []
    def walk(n, acc):
        acc = acc + [n["text"]]
        if not n["replies"]:
            out.append(acc)
        for c in n["replies"]:
            walk(c, acc)
    walk(tree["prompt"], [])
    return out


# --------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------
# Family sizes: chosen so that communities of very different sizes appear
# (a few above 30, several between 10 and 30, some between 5 and 10 that
# only show with min_community_size 5).

GSM_SIZES = {"ducks": 60, "clips": 48, "babysit": 40, "bookshelf": 34, "pizza": 30, "bicycle": 26,
             "tomatoes": 22, "buses": 18, "marbles": 14, "lemonade": 12, "reading": 9, "train": 7}
GSM_BACKGROUND = 700
MQ_SIZES = {"train_pole": 55, "simple_interest": 45, "gain_percent": 40, "fencing": 35,
            "average_removed": 30, "work_together": 25, "bag_probability": 20, "boat_downstream": 15}
MQ_BACKGROUND = 420
TAL_SIZES = {"digit_sum_count": 30, "ages": 25, "chickens_rabbits": 25, "rectangle_area": 20}
TAL_BACKGROUND = 90
MATH_SIZES = {"sum_remainder": 40, "quadratic_sum": 38, "linear_function": 35, "divisor_count": 30, "gcf": 25}
META_COUNTS = {"GSM_AnsAug": 140, "GSM_Rephrased": 130, "GSM_SV": 60, "GSM_FOBAR": 70,
               "MATH_SV": 12, "MATH_FOBAR": 12, "MATH_background": 70}
MI_COUNTS = {"gsm_rft": 60, "aqua_bg": 60, "pot_mathqa": 70, "pot_gsm": 40, "math_family": 25, "math_bg": 15}
AQUA_SIZES = {"walk_run": 35, "boys_girls": 28}
SCI_SIZES = {"density": 45, "car_speed": 40, "element_symbol": 30, "net_force": 35,
             "photosynthesis_gas": 25, "ohms_law": 30, "astronaut_mass": 20}
OBQA_SIZES = {"magnet": 35, "cold_habitat": 25, "hot_spoon": 30}
SCI_DUPLICATES = 55   # OpenBookQA stems repeated verbatim in MMLU auxiliary_train

POT_SUFFIXES = ["Let's write a Python program.", "Let's write a program.", "Please write a program to solve it",
                "Let's program in Python in the response.", "Write a Python program to solve it.",
                "Please respond by writing a program in Python."]
AQUA_OPENERS = ["Let's think about the multi-choice question.", "Let's reason about the multi-choice question.",
                "Let's solve the multi-choice question step by step.", "Let's think about the multi-choice question step by step."]


class Unique:
    """Keeps question texts unique across the corpus of one domain."""

    def __init__(self):
        self.seen = set()

    def fresh(self, text):
        if text in self.seen:
            return False
        self.seen.add(text)
        return True


def build_math():
    """Returns {source name: (rows, labels)}; a label names the row's family
    ('gsm8k/ducks', ...), 'background', or 'copy of ...' for exact copies."""
    u = Unique()
    out = {}

    # gsm8k ----------------------------------------------------------------
    r = rng_for("gsm8k")
    gsm = []   # (row, label, meta)
    for fam in GSM_FAMILIES:
        made = 0
        while made < GSM_SIZES[fam.key]:
            p = fam.params(r)
            who = person(r)
            variant = r.randrange(len(fam.variants))
            q = fam.question(p, who, variant)
            if not u.fresh(q):
                continue
            ans = fam.gsm_answer(p, who)
            assert ans.endswith("#### " + fmt(fam.value(p)))
            gsm.append(({"question": q, "answer": ans}, "gsm8k/" + fam.key,
                        {"fam": fam, "p": p, "who": who, "variant": variant}))
            made += 1
    made = 0
    while made < GSM_BACKGROUND:
        c = Chain(r)
        q = c.question()
        if not u.fresh(q):
            continue
        gsm.append(({"question": q, "answer": c.gsm_answer()}, "background", {"chain": c}))
        made += 1
    r.shuffle(gsm)
    out["gsm8k"] = gsm

    # math_qa ---------------------------------------------------------------
    r = rng_for("math_qa")
    mq = []
    for fam in MQ_FAMILIES:
        made = 0
        while made < MQ_SIZES[fam.key]:
            row, value, p = mq_family_row(fam, r)
            if not u.fresh(row["Problem"]):
                continue
            mq.append((row, "math_qa/" + fam.key, {"ops": fam.ops}))
            made += 1
    made = 0
    while made < MQ_BACKGROUND:
        c = Chain(r)
        row = mq_chain_row(c, r)
        if not u.fresh(row["Problem"]):
            continue
        mq.append((row, "background", {"ops": c.linear_formula()}))
        made += 1
    r.shuffle(mq)
    out["math_qa"] = mq

    # TAL-SCQ5K-EN -----------------------------------------------------------
    r = rng_for("tal")
    tal = []
    def tal_row(problem, value, analysis, wrong, route):
        n = r.choice([4, 5])
        wrong = clean_wrong(value, wrong, r, n - 1)
        opts = [value] + wrong
        r.shuffle(opts)
        letters = "ABCDE"
        return {
            "problem": problem,
            "answer_option_list": [[{"aoVal": letters[i], "content": TAL(o) if not o.startswith("$") else o}]
                                   for i, o in enumerate(opts)],
            "answer_analysis": [analysis + " "],
            "answer_value": letters[opts.index(value)],
            "knowledge_point_routes": [route if route.startswith("Overseas") else
                                       "Overseas Competition->Knowledge Point->" + route],
            "queID": "%032x" % r.getrandbits(128),
        }
    for key, topic, par, variants, sol, val, route in TAL_FAMILIES:
        made = 0
        while made < TAL_SIZES[key]:
            p = par(r)
            p.update(person(r))
            q = r.choice(variants)(p)
            if not u.fresh(q):
                continue
            v = str(val(p))
            tal.append((tal_row(q, v, sol(p), [str(x) for x in int_distractors(int(v), 5, r)], route),
                        "TAL-SCQ5K-EN/" + key, {}))
            made += 1
    made = 0
    gens = list(COMP_GENERATORS)
    while made < TAL_BACKGROUND:
        g = gens[made % len(gens)]
        q, v, analysis, wrong, route = g(r, TAL)
        if not u.fresh(q):
            continue
        tal.append((tal_row(q, v, analysis, wrong, route), "background/" + g.__name__, {}))
        made += 1
    r.shuffle(tal)
    out["TAL-SCQ5K-EN"] = tal

    # MetaMathQA ------------------------------------------------------------
    r = rng_for("metamathqa")
    meta = []
    def meta_row(query, response, typ, original):
        return {"query": query, "response": response, "type": typ, "original_question": original}
    gsm_fam = [x for x in gsm if x[1] != "background"]
    # GSM_AnsAug: the gsm8k question verbatim (exact duplicates across sources)
    for row, label, m in r.sample(gsm, META_COUNTS["GSM_AnsAug"]):
        if "fam" in m:
            sol = strip_calc("\n".join(m["fam"].solution(m["p"], m["who"])))
            v = fmt(m["fam"].value(m["p"]))
        else:
            sol = strip_calc("\n".join(m["chain"].solution_lines()))
            v = str(m["chain"].answer)
        meta.append((meta_row(row["question"], sol + "\n#### %s\nThe answer is: %s" % (v, v), "GSM_AnsAug", row["question"]),
                     label, {}))
    # GSM_Rephrased: the same problem in other words
    made = 0
    pool = list(gsm)
    r.shuffle(pool)
    for row, label, m in pool:
        if made == META_COUNTS["GSM_Rephrased"]:
            break
        if "fam" in m:
            fam = m["fam"]
            variant = (m["variant"] + 1 + r.randrange(len(fam.variants) - 1)) % len(fam.variants)
            q = fam.question(m["p"], m["who"], variant)
            sol = strip_calc("\n".join(fam.solution(m["p"], m["who"])))
            v = fmt(fam.value(m["p"]))
        else:
            c = m["chain"]
            q = c.question(with_opener=False, shift=1 + r.randrange(2))
            sol = strip_calc("\n".join(c.solution_lines()))
            v = str(c.answer)
        if not u.fresh(q):
            continue
        meta.append((meta_row(q, sol + "\n#### %s\nThe answer is: %s" % (v, v), "GSM_Rephrased", row["question"]), label, {}))
        made += 1
    # GSM_SV and GSM_FOBAR: one number becomes the unknown x
    for typ in ("GSM_SV", "GSM_FOBAR"):
        made = 0
        while made < META_COUNTS[typ]:
            row, label, m = r.choice(gsm_fam)
            fam, p, who = m["fam"], m["p"], m["who"]
            var = r.choice(fam.xvars)
            ans = fmt(fam.value(p))
            body, question = fam.render(p, who, m["variant"], {var: "x"})
            if typ == "GSM_SV":
                fields = dict(who)
                fields["ans"] = ans
                q = body + " " + fam.statement.format(**fields) + " What is the value of unknown variable x?"
            else:
                q = body + " " + question + "\nIf we know the answer to the above question is %s, what is the value of unknown variable x?" % ans
            if not u.fresh(q):
                continue
            fx = fam.formula.format(**{k: ("x" if k == var else str(v)) for k, v in p.items()})
            fv = fam.formula.format(**{k: str(v) for k, v in p.items()})
            assert ev(fv) == ev(ans)
            xv = fmt(p[var])
            resp = ("Let's write the quantity the problem describes as an expression in x: %s.\n"
                    "We know it equals %s, so %s = %s.\n"
                    "Substituting x = %s gives %s = %s, which checks out, so x = %s.\n"
                    "The value of x is %s.\n#### %s\nThe answer is: %s") % (
                        fx, ans, fx, ans, xv, fv, ans, xv, xv, xv, xv)
            meta.append((meta_row(q, resp, typ, row["question"]), label, {}))
            made += 1
    # MATH families
    math_items = []   # kept for MathInstruct
    for fam in MATH_FAMILIES:
        made = 0
        while made < MATH_SIZES[fam.key]:
            p = fam.params(r)
            variant = r.randrange(len(fam.variants))
            q = fam.variants[variant](p, MATH)
            if not u.fresh(q):
                continue
            v = str(fam.value(p))
            typ = "MATH_AnsAug" if variant == 0 else "MATH_Rephrased"
            meta.append((meta_row(q, fam.solution(p, MATH) + "\nThe answer is: " + v, typ, fam.variants[0](p, MATH)),
                         "MATH/" + fam.key, {}))
            math_items.append((fam, p))
            made += 1
    lin = [f for f in MATH_FAMILIES if f.key == "linear_function"][0]
    for typ in ("MATH_SV", "MATH_FOBAR"):
        made = 0
        while made < META_COUNTS[typ]:
            p = lin.params(r)
            a, b, c = p["a"], p["b"], p["c"]
            v = a * c + b
            if typ == "MATH_SV":
                q = "Let $f(x) = %dx + X$ be a linear function of the real number $x$. The value of the function at $x = %d$ is %d. What is the value of unknown variable X?" % (a, c, v)
            else:
                q = "Let $f(x) = %dx + X$ be a linear function of the real number $x$. What is the value of the function at $x = %d$?\nIf we know the answer to the above question is %d, what is the value of unknown variable X?" % (a, c, v)
            if not u.fresh(q):
                continue
            resp = ("We substitute $x = %d$: $f(%d) = %d \\cdot %d + X = %d + X$.\n"
                    "We are given that $f(%d) = %d$, so $%d + X = %d$.\n"
                    "Subtracting %d from both sides, we find $X = %d$.\n"
                    "The value of X is %d.\nThe answer is: %d") % (c, c, a, c, a * c, c, v, a * c, v, a * c, b, b, b)
            meta.append((meta_row(q, resp, typ, lin.variants[0](p, MATH)),
                         "MATH/linear_function", {}))
            made += 1
    made = 0
    while made < META_COUNTS["MATH_background"]:
        g = gens[(made * 7 + 3) % len(gens)]
        q, v, analysis, wrong, route = g(r, MATH)
        if not u.fresh(q):
            continue
        meta.append((meta_row(q, analysis + "\nThe answer is: " + v, "MATH_AnsAug", q), "background/" + g.__name__, {}))
        made += 1
    r.shuffle(meta)
    out["MetaMathQA"] = meta

    # MathInstruct ----------------------------------------------------------
    r = rng_for("mathinstruct")
    mi = []
    def mi_row(source, output, instruction):
        return {"source": source, "output": output, "instruction": instruction}
    for row, label, m in r.sample(gsm, MI_COUNTS["gsm_rft"]):
        if "fam" in m:
            sol = strip_calc("\n".join(m["fam"].solution(m["p"], m["who"])))
            v = fmt(m["fam"].value(m["p"]))
        else:
            sol = strip_calc("\n".join(m["chain"].solution_lines()))
            v = str(m["chain"].answer)
        mi.append((mi_row("data/CoT/gsm_rft.json", sol + "\nThe answer is %s." % v, row["question"]), label, {}))
    def aqua_instruction(q, value_text, wrong_texts):
        opts = [value_text] + wrong_texts
        r.shuffle(opts)
        letter = "ABCDE"[opts.index(value_text)]
        return q + " Answer Choices: " + " ".join("(%s) %s" % (l, o) for l, o in zip("ABCDE", opts)), letter
    for key, topic, par, variants, sol, val, show in AQUA_FAMILIES:
        made = 0
        while made < AQUA_SIZES[key]:
            p = par(r)
            q = r.choice(variants).format(**p)
            v = val(p)
            wrong = [show(Fraction(x)) for x in int_distractors(int(v), 4, r)] if is_int(v) else \
                [show(v + d) for d in (1, 2, -1, 3)]
            inst, letter = aqua_instruction(q, show(v), wrong)
            if not u.fresh(inst):
                continue
            mi.append((mi_row("data/CoT/aqua_rat.json", r.choice(AQUA_OPENERS) + "\n" + sol(p) + "\nThe answer is " + letter, inst),
                       "aqua/" + key, {}))
            made += 1
    made = 0
    while made < MI_COUNTS["aqua_bg"]:
        c = Chain(r)
        wrong = [str(x) for x in int_distractors(c.answer, 4, r)]
        inst, letter = aqua_instruction(c.question(with_opener=False), str(c.answer), wrong)
        if not u.fresh(inst):
            continue
        mi.append((mi_row("data/CoT/aqua_rat.json",
                          r.choice(AQUA_OPENERS) + "\n" + strip_calc("\n".join(c.solution_lines())) + "\nThe answer is " + letter,
                          inst), "background", {}))
        made += 1
    made = 0
    mq_pool = list(mq)
    r.shuffle(mq_pool)
    for row, label, m in mq_pool:
        if made == MI_COUNTS["pot_mathqa"]:
            break
        inst = row["Problem"] + " " + r.choice(POT_SUFFIXES)
        if not u.fresh(inst):
            continue
        mi.append((mi_row("data/PoT/mathqa.json", pot_program(m["ops"], numbers_in(row["Problem"])), inst), label, {}))
        made += 1
    made = 0
    while made < MI_COUNTS["pot_gsm"]:
        row, label, m = r.choice(gsm_fam)
        fam, p = m["fam"], m["p"]
        inst = row["question"] + " " + r.choice(POT_SUFFIXES)
        if not u.fresh(inst):
            continue
        prog = "# define the variables\n" + "".join("%s = %s\n" % (k, v) for k, v in p.items()) + \
            "# calculate the answer\nanswer = " + fam.formula.replace("{", "").replace("}", "") + "\nprint(answer)"
        mi.append((mi_row("data/PoT/gsm_gpt4.json", prog, inst), label, {}))
        made += 1
    made = 0
    while made < MI_COUNTS["math_family"]:
        fam = r.choice(MATH_FAMILIES)
        p = fam.params(r)
        q = r.choice(fam.variants)(p, MATH)
        if not u.fresh(q):
            continue
        mi.append((mi_row("data/CoT/MATH_train.json", fam.solution(p, MATH) + " The answer is $\\boxed{%d}$." % fam.value(p), q),
                   "MATH/" + fam.key, {}))
        made += 1
    made = 0
    while made < MI_COUNTS["math_bg"]:
        g = gens[(made * 5 + 11) % len(gens)]
        q, v, analysis, wrong, route = g(r, MATH)
        if not u.fresh(q):
            continue
        mi.append((mi_row("data/CoT/MATH_train.json", analysis + " The answer is $\\boxed{%s}$." % v, q), "background/" + g.__name__, {}))
        made += 1
    r.shuffle(mi)
    out["MathInstruct"] = mi
    return out


def build_science():
    u = Unique()
    out = {}
    r = rng_for("science")
    bg = science_background(r)
    # OpenBookQA -------------------------------------------------------------
    obqa = []
    ids = set()
    def obqa_id():
        while True:
            i = "%d-%d" % (r.randint(7, 9), r.randint(1, 999)) if r.random() < 0.7 else str(r.randint(100, 9999))
            if i not in ids:
                ids.add(i)
                return i
    def obqa_row(stem, right, wrong):
        opts = [right] + list(wrong)
        r.shuffle(opts)
        return {"id": obqa_id(), "question_stem": stem,
                "choices": {"text": opts, "label": ["A", "B", "C", "D"]},
                "answerKey": "ABCD"[opts.index(right)]}
    for key, topic, fn in OBQA_FAMILIES:
        made = 0
        while made < OBQA_SIZES[key]:
            stem, right, wrong = fn(r, r.randrange(3))
            if not u.fresh(stem):
                continue
            obqa.append((obqa_row(stem, right, wrong), "openbookqa/" + key, {}))
            made += 1
    for it in bg:
        if it["kind"] == "obqa" and u.fresh(it["question"]):
            obqa.append((obqa_row(it["question"], it["correct"], it["wrong"]), "background/" + it["topic"], {}))
    r.shuffle(obqa)
    out["openbookqa"] = obqa
    # MMLU auxiliary_train ---------------------------------------------------
    mmlu = []
    def mmlu_row(q, right, wrong, subject):
        opts = [right] + list(wrong)
        r.shuffle(opts)
        return {"question": q, "subject": subject, "choices": opts, "answer": opts.index(right)}
    for key, topic, fn in SCI_FAMILIES:
        made = 0
        while made < SCI_SIZES[key]:
            q, right, wrong, subject = fn(r, r.randrange(3))
            if not u.fresh(q):
                continue
            assert right not in wrong and len(set(wrong)) == 3, (q, right, wrong)
            mmlu.append((mmlu_row(q, right, wrong, subject), "mmlu/" + key, {}))
            made += 1
    for it in bg:
        if it["kind"] == "mmlu" and u.fresh(it["question"]):
            mmlu.append((mmlu_row(it["question"], it["correct"], it["wrong"], it["subject"]), "background/" + it["topic"], {}))
    # auxiliary_train contains OpenBookQA questions verbatim
    for row, label, m in r.sample(obqa, SCI_DUPLICATES):
        ch = row["choices"]["text"]
        mmlu.append(({"question": row["question_stem"], "subject": "", "choices": list(ch),
                      "answer": "ABCD".index(row["answerKey"])}, label, {}))
    r.shuffle(mmlu)
    out["mmlu"] = mmlu
    return out


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------

MATH_SOURCES = [  # name, path, question column, answer column, origin
    ("gsm8k", "math/gsm8k.jsonl", "question", "answer",
     "synthetic rows shaped like gsm8k (main, train); generated by resources/demo/generate.py"),
    ("math_qa", "math/math_qa.csv", "Problem", "correct",
     "synthetic rows shaped like math_qa (train), exported as CSV; generated by resources/demo/generate.py"),
    ("TAL-SCQ5K-EN", "math/TAL-SCQ5K-EN.jsonl", "problem", "answer_value",
     "synthetic rows shaped like math-eval/TAL-SCQ5K (TAL-SCQ5K-EN, train); generated by resources/demo/generate.py"),
    ("MetaMathQA", "math/MetaMathQA.json", "query", "response",
     "synthetic rows shaped like meta-math/MetaMathQA (train), as one JSON array; generated by resources/demo/generate.py"),
    ("MathInstruct", "math/MathInstruct.jsonl", "instruction", "output",
     "synthetic rows shaped like TIGER-Lab/MathInstruct (train); generated by resources/demo/generate.py"),
]
SCIENCE_SOURCES = [
    ("mmlu", "science/mmlu_auxiliary_train.jsonl", "question", "answer",
     "synthetic rows shaped like cais/mmlu (auxiliary_train); generated by resources/demo/generate.py"),
    ("openbookqa", "science/openbookqa.jsonl", "question_stem", "answerKey",
     "synthetic rows shaped like openbookqa (main, train); generated by resources/demo/generate.py"),
]
CHAT_PATH = "chat/oasst_demo.trees.jsonl"
BROKEN_PATH = "math/broken_sample.jsonl"


def jsonl_bytes(rows):
    return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in rows).encode("utf-8")


def csv_bytes(rows, header):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow([row[h] for h in header])
    return buf.getvalue().encode("utf-8")


def project_bytes(name, domain, sources):
    proj = {"distill_project": 1, "name": name, "domain": domain, "on_bad_line": "abort",
            "sources": [{"name": n, "path": p, "format": "auto", "question": q, "answer": a, "origin": o}
                        for n, p, q, a, o in sources]}
    return (json.dumps(proj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def broken_bytes():
    """gsm8k-shaped lines, three of them malformed on purpose (lines 4, 8, 11)."""
    r = rng_for("broken")
    good = []
    fam = [f for f in GSM_FAMILIES if f.key == "pizza"][0]
    while len(good) < 9:
        c = Chain(r)
        good.append(json.dumps({"question": c.question(), "answer": c.gsm_answer()}, ensure_ascii=False))
    lines = good[:3]
    truncated = good[3]
    lines.append(truncated[: len(truncated) // 2])                     # line 4: cut off mid-string
    lines += good[4:7]
    p, who = fam.params(r), person(r)
    lines.append(json.dumps({"prompt": fam.question(p, who, 0), "answer": fam.gsm_answer(p, who)}))  # line 8: no "question"
    lines += good[7:9]
    lines.append(json.dumps(["What is 7 + 5?", "7 + 5 = <<7+5=12>>12\n#### 12"]))  # line 11: not an object
    lines.append(json.dumps({"question": "What is 9 * 8?", "answer": "9 * 8 = <<9*8=72>>72\n#### 72"}))
    return ("\n".join(lines) + "\n").encode("utf-8")


def build_all():
    """Every generated file as {relative path: bytes}, plus the labels."""
    files = {}
    mathsrc = build_math()
    sci = build_science()
    files["math/gsm8k.jsonl"] = jsonl_bytes([x[0] for x in mathsrc["gsm8k"]])
    files["math/math_qa.csv"] = csv_bytes([x[0] for x in mathsrc["math_qa"]],
                                          ["Problem", "Rationale", "options", "correct", "annotated_formula",
                                           "linear_formula", "category"])
    files["math/TAL-SCQ5K-EN.jsonl"] = jsonl_bytes([x[0] for x in mathsrc["TAL-SCQ5K-EN"]])
    files["math/MetaMathQA.json"] = (json.dumps([x[0] for x in mathsrc["MetaMathQA"]], ensure_ascii=False, indent=2)
                                     + "\n").encode("utf-8")
    files["math/MathInstruct.jsonl"] = jsonl_bytes([x[0] for x in mathsrc["MathInstruct"]])
    files["science/mmlu_auxiliary_train.jsonl"] = jsonl_bytes([x[0] for x in sci["mmlu"]])
    files["science/openbookqa.jsonl"] = jsonl_bytes([x[0] for x in sci["openbookqa"]])
    files[CHAT_PATH] = jsonl_bytes(chat_tree_lines(rng_for("chat")))
    files[BROKEN_PATH] = broken_bytes()
    files["demo.distill.json"] = project_bytes("Demo: math", "math", MATH_SOURCES)
    files["demo-science.distill.json"] = project_bytes("Demo: science", "science", SCIENCE_SOURCES)
    labels = {}
    for name, path, qcol, acol, _ in MATH_SOURCES:
        labels[path] = [x[1] for x in mathsrc[name]]
    for name, path, qcol, acol, _ in SCIENCE_SOURCES:
        labels[path] = [x[1] for x in sci[name]]
    return files, labels


# --------------------------------------------------------------------------
# --check: parse everything back and measure the near-duplicate structure
# --------------------------------------------------------------------------

def _rows(files, path):
    text = files[path].decode("utf-8")
    if path.endswith(".csv"):
        return list(csv.DictReader(io.StringIO(text)))
    if path.endswith(".json"):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines()]


def _features(text):
    """IDF-free term counts of a lexical embedder: lower-cased words plus the
    character 3-grams of each word padded with < and >."""
    words = re.findall(r"\w+", text.lower())
    out = {}
    for w in words:
        out["w:" + w] = out.get("w:" + w, 0) + 1
        ww = "<" + w + ">"
        for i in range(len(ww) - 2):
            k = "c:" + ww[i:i + 3]
            out[k] = out.get(k, 0) + 1
    return out


def near_duplicate_stats(questions, labels, queries=300, threshold=0.75):
    """Pure-Python TF-IDF cosine of a sample of questions against all of them.

    Returns (rows sampled, how many have >= 5 / >= 10 neighbours at or above
    the threshold (themselves excluded), the same split by family vs
    background)."""
    feats = [_features(q) for q in questions]
    n = len(questions)
    df = {}
    for f in feats:
        for k in f:
            df[k] = df.get(k, 0) + 1
    vecs = []
    for f in feats:
        v = {k: (1.0 + math.log(c)) * (math.log((1.0 + n) / (1.0 + df[k])) + 1.0) for k, c in f.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vecs.append({k: x / norm for k, x in v.items()})
    postings = {}
    for i, v in enumerate(vecs):
        for k, x in v.items():
            postings.setdefault(k, []).append((i, x))
    step = max(1, n // queries)
    sample = list(range(0, n, step))
    res = {"sampled": len(sample), "ge5": 0, "ge10": 0, "family_ge5": 0, "family_sampled": 0,
           "background_ge5": 0, "background_sampled": 0}
    for i in sample:
        acc = [0.0] * n
        for k, x in vecs[i].items():
            for j, y in postings[k]:
                acc[j] += x * y
        nb = sum(1 for j in range(n) if j != i and acc[j] >= threshold)
        fam = not labels[i].startswith("background")
        res["family_sampled" if fam else "background_sampled"] += 1
        if nb >= 5:
            res["ge5"] += 1
            res["family_ge5" if fam else "background_ge5"] += 1
        if nb >= 10:
            res["ge10"] += 1
    return res


def check(out_dir):
    ok = True
    files, labels = build_all()
    again, _ = build_all()
    if again != files:
        print("FAIL: two builds in one process differ")
        ok = False
    # 1. the files on disk are what this script generates
    for path in sorted(files):
        disk = os.path.join(out_dir, path)
        if not os.path.exists(disk):
            print("MISSING  %s" % path)
            ok = False
        elif open(disk, "rb").read() != files[path]:
            print("DIFFERS  %s (regenerate)" % path)
            ok = False
    total = sum(len(b) for b in files.values())
    print("files: %d, %d bytes in all" % (len(files), total))
    for path in sorted(files):
        print("  %-38s %9d bytes" % (path, len(files[path])))
    # 2. sources parse, have their mapped columns, and answers are consistent
    for domain, sources in (("math", MATH_SOURCES), ("science", SCIENCE_SOURCES)):
        pooled = {}
        order = []
        total_rows = 0
        print("%s domain:" % domain)
        for name, path, qcol, acol, _ in sources:
            rows = _rows(files, path)
            total_rows += len(rows)
            for row in rows:
                if not isinstance(row.get(qcol), str) or acol not in row:
                    print("FAIL: %s lacks %s/%s: %r" % (path, qcol, acol, row))
                    ok = False
                q = row[qcol]
                if q not in pooled:
                    order.append(q)
                pooled[q] = path
            problems = _check_answers(name, rows)
            for p in problems[:5]:
                print("FAIL: %s: %s" % (path, p))
            ok = ok and not problems
            fam = sum(1 for l in labels[path] if not l.startswith("background"))
            print("  %-14s %5d records (%d from near-duplicate families)" % (name, len(rows), fam))
        print("  pooled: %d records, %d unique questions, %d exact duplicates replaced"
              % (total_rows, len(order), total_rows - len(order)))
        # 3. near-duplicate structure (sampled)
        lab = {}
        for name, path, qcol, acol, _ in sources:
            for row, l in zip(_rows(files, path), labels[path]):
                lab[row[qcol]] = l
        st = near_duplicate_stats(order, [lab[q] for q in order])
        print("  TF-IDF (words + char 3-grams) cosine >= 0.75, %d sampled questions: %d have >= 5 neighbours, %d have >= 10"
              % (st["sampled"], st["ge5"], st["ge10"]))
        print("    family questions with >= 5: %d of %d; background questions with >= 5: %d of %d"
              % (st["family_ge5"], st["family_sampled"], st["background_ge5"], st["background_sampled"]))
    # 4. chat trees
    trees = _rows(files, CHAT_PATH)
    en = [t for t in trees if t["prompt"]["lang"] == "en"]
    paths = [p for t in en for p in chat_paths(t)]
    kept = [p for p in paths if len(p) - (len(p) % 2) >= 4]
    print("chat: %d trees (%d English), %d English root-to-leaf conversations, %d with >= 4 turns after cutting an odd trailing prompt"
          % (len(trees), len(en), len(paths), len(kept)))
    # 5. the broken sample really has three bad lines
    bad = []
    for no, line in enumerate(files[BROKEN_PATH].decode("utf-8").splitlines(), 1):
        try:
            obj = json.loads(line)
        except ValueError:
            bad.append((no, "not valid JSON"))
            continue
        if not isinstance(obj, dict):
            bad.append((no, "not a JSON object"))
        elif "question" not in obj or "answer" not in obj:
            bad.append((no, "missing column"))
    print("broken sample: bad lines %s" % ", ".join("%d (%s)" % b for b in bad))
    if [b[0] for b in bad] != [4, 8, 11]:
        ok = False
    print("OK" if ok else "FAILED")
    return ok


def _check_answers(name, rows):
    """Recomputes what can be recomputed; returns a list of problems."""
    problems = []
    ann = re.compile(r"<<([^=>]*)=([^>]*)>>")
    for row in rows:
        if name == "gsm8k":
            for expr, val in ann.findall(row["answer"]):
                if ev(expr) != Fraction(val):
                    problems.append("%s != %s" % (expr, val))
            if not re.search(r"\n#### -?\d+(\.\d+)?$", row["answer"]):
                problems.append("no final '#### N': %r" % row["answer"][-40:])
        elif name == "math_qa":
            value = run_ops(_parse_linear(row["linear_formula"]), numbers_in(row["Problem"]))
            opts = dict(o.split(" ) ", 1) for o in row["options"].split(" , "))
            shown = opts[row["correct"]]
            expected = _frac_text(value) if "/" in shown else fmt(value)
            if shown != expected:
                problems.append("option %s is %s, formula gives %s" % (row["correct"], shown, value))
        elif name == "MetaMathQA":
            if not re.search(r"\nThe answer is: \S+$", row["response"]):
                problems.append("response without 'The answer is:'")
        elif name == "TAL-SCQ5K-EN":
            if row["answer_value"] not in [o[0]["aoVal"] for o in row["answer_option_list"]]:
                problems.append("answer_value not an option")
        elif name == "mmlu":
            if not (isinstance(row["answer"], int) and 0 <= row["answer"] < len(row["choices"])):
                problems.append("answer index out of range")
        elif name == "openbookqa":
            if row["answerKey"] not in row["choices"]["label"]:
                problems.append("answerKey not a label")
    return problems


def _parse_linear(text):
    return [tuple(re.match(r"(\w+)\(([^,]+),([^)]+)\)", part).groups()) for part in text.split("|") if part]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--output-dir", default=here, help="where to write (default: this script's folder)")
    ap.add_argument("--check", action="store_true",
                    help="compare the files in --output-dir with a fresh build, parse them back and print statistics")
    args = ap.parse_args()
    if args.check:
        sys.exit(0 if check(args.output_dir) else 1)
    files, _ = build_all()
    for path in sorted(files):
        full = os.path.join(args.output_dir, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(files[path])
        print("wrote %s (%d bytes)" % (full, len(files[path])))


if __name__ == "__main__":
    main()
