// SPDX-License-Identifier: Apache-2.0
// The three questions asked of the encoding: which requests two policies decide differently
// (Prove), which one-field changes lower a decision (Counterfactuals), and which rules, branches
// and outcomes can never matter (AnalyzePolicy).
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "compiler/analyze/analyze.h"
#include "compiler/analyze/encode.h"
#include "runtime/base/countries.h"

namespace cordon::analyze {
namespace {

void Configure(z3::context& ctx, z3::solver& solver, const Bounds& bounds) {
  z3::params p(ctx);
  p.set("timeout", bounds.timeout_ms);
  solver.set(p);
}

auto TimeLimit(const z3::solver& solver, const Bounds& bounds) -> std::string {
  std::string why = solver.reason_unknown();
  if (why.find("timeout") != std::string::npos || why.find("canceled") != std::string::npos) {
    return fmt::format("time limit {} ms", bounds.timeout_ms);
  }
  return fmt::format("the solver gave up ({}; time limit {} ms)", why, bounds.timeout_ms);
}

// A decision as one integer over both policies' outcome names: -1 is `error`.
auto DecisionCode(z3::context& ctx, const ir::Program& program, const DecisionTerms& d,
                  std::vector<std::string>& names) -> z3::expr {
  z3::expr code = ctx.int_val(-1);
  for (size_t o = program.outcomes.size(); o-- > 0;) {
    auto it = std::find(names.begin(), names.end(), program.outcomes[o]);
    if (it == names.end()) {
      names.push_back(program.outcomes[o]);
      it = names.end() - 1;
    }
    code = z3::ite(d.outcome == static_cast<int>(o),
                   ctx.int_val(static_cast<int>(it - names.begin())), code);
  }
  return z3::ite(d.error, ctx.int_val(-1), code);
}

auto CodeName(const std::vector<std::string>& names, int64_t code) -> std::string {
  return code < 0 || static_cast<size_t>(code) >= names.size() ? "error"
                                                               : names[static_cast<size_t>(code)];
}

// "a ≥ b" negated as a reader would write it.
auto Negate(const std::string& text) -> std::string {
  static const std::pair<std::string_view, std::string_view> kFlips[] = {
      {" ≥ ", " < "}, {" ≤ ", " > "}, {" < ", " ≥ "},       {" > ", " ≤ "},
      {" = ", " ≠ "}, {" ≠ ", " = "}, {" in ", " not in "}, {" is given", " is not given"}};
  // A quantifier ("all o in owners: …") or a truncated text is negated whole.
  bool quantifier = false;
  for (size_t i = 0, level = 0; i < text.size(); ++i) {
    if (text[i] == '(') ++level;
    if (text[i] == ')' && level > 0) --level;
    quantifier = quantifier || (level == 0 && text.compare(i, 2, ": ") == 0);
  }
  if (quantifier || text.find("…") != std::string::npos) return "not (" + text + ")";
  int depth = 0;
  // Only an operator at the top level (outside parentheses) can be flipped.
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')') --depth;
    if (depth != 0) continue;
    for (auto [from, to] : kFlips) {
      if (text.compare(i, from.size(), from) == 0) {
        if (from == " in " && text.find(" and ") != std::string::npos) break;
        if (text.find(" and ") != std::string::npos || text.find(" or ") != std::string::npos) {
          break;
        }
        return text.substr(0, i) + std::string(to) + text.substr(i + from.size());
      }
    }
  }
  if (text.starts_with("not ")) return text.substr(4);
  return "not (" + text + ")";
}

struct Literal {
  z3::expr expr;
  std::string text;
};

// The literals (atoms as the model has them) that, with the bounds, imply `goal`: an unsat core
// of `not goal`, then shrunk one literal at a time. Empty and false when they do not imply it.
auto Generalise(z3::context& ctx, const std::vector<z3::expr>& domain, const Bounds& bounds,
                const std::vector<z3::expr>& hard, const std::vector<Literal>& literals,
                const z3::expr& goal, std::vector<size_t>& kept) -> bool {
  // A fresh solver: faster here than push/pop on one that keeps the bounds (measured).
  z3::solver s(ctx);
  Configure(ctx, s, bounds);
  for (const z3::expr& d : domain) s.add(d);
  s.push();
  for (const z3::expr& h : hard) s.add(h);
  s.add(!goal);
  z3::expr_vector marks(ctx);
  std::map<unsigned, size_t> index;
  for (size_t i = 0; i < literals.size(); ++i) {
    z3::expr m = ctx.bool_const(fmt::format("lit#{}#{}", literals[i].expr.id(), i).c_str());
    s.add(z3::implies(m, literals[i].expr));
    marks.push_back(m);
    index[m.id()] = i;
  }
  if (s.check(marks) != z3::unsat) {
    s.pop();
    return false;
  }
  z3::expr_vector core = s.unsat_core();
  std::vector<z3::expr> current;
  for (unsigned i = 0; i < core.size(); ++i) current.push_back(core[i]);
  // In the literals' order: the first are the first tried for dropping.
  std::sort(current.begin(), current.end(),
            [&](const z3::expr& x, const z3::expr& y) { return index[x.id()] < index[y.id()]; });
  // Shrink: drop each literal whose absence keeps the implication.
  for (size_t i = 0; i < current.size();) {
    z3::expr_vector trial(ctx);
    for (size_t j = 0; j < current.size(); ++j) {
      if (j != i) trial.push_back(current[j]);
    }
    if (s.check(trial) == z3::unsat) {
      current.erase(current.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  for (const z3::expr& m : current) kept.push_back(index[m.id()]);
  std::sort(kept.begin(), kept.end());
  s.pop();
  return true;
}

auto Run(const std::function<void()>& body) -> std::optional<Error> {
  try {
    body();
  } catch (const z3::exception& e) {
    return Error{fmt::format("the solver failed: {}", e.msg())};
  } catch (const std::exception& e) {
    return Error{e.what()};
  }
  return std::nullopt;
}

}  // namespace

auto Prove(const ir::Program& studied, const ir::Program& baseline, std::optional<DayNumber> as_of,
           const Bounds& bounds) -> ErrorOr<ProveResult> {
  ProveResult result;
  std::optional<Error> failed = Run([&] {
    z3::context ctx;
    RequestSpace space(ctx, bounds);
    space.AddProgram(baseline);
    space.AddProgram(studied);
    space.SetDay(as_of);
    DecisionTerms from = EncodeDecision(space, baseline);
    DecisionTerms to = EncodeDecision(space, studied);
    std::vector<std::string> names;
    z3::expr from_code = DecisionCode(ctx, baseline, from, names);
    z3::expr to_code = DecisionCode(ctx, studied, to, names);
    bool approximate = from.approximate || to.approximate;

    // The atoms of both policies, each once (Z3 shares equal terms); `focus` marks those of the
    // rules that changed: a rule of one policy with no rule of the same name and the same terms
    // in the other. A region is described by them where they suffice.
    std::vector<Literal> atoms;
    std::vector<bool> focus;
    std::map<unsigned, size_t> seen;
    auto changed = [](const ir::Program& p, const DecisionTerms& d, const ir::Program& q,
                      const DecisionTerms& e, size_t r) {
      for (size_t k = 0; k < q.rules.size(); ++k) {
        if (q.rules[k].name != p.rules[r].name) continue;
        return !(z3::eq(d.rules[r].fires, e.rules[k].fires) &&
                 z3::eq(d.rules[r].outcome, e.rules[k].outcome) &&
                 z3::eq(d.rules[r].fails, e.rules[k].fails) &&
                 p.rules[r].requirement == q.rules[k].requirement);
      }
      return true;
    };
    for (int side = 0; side < 2; ++side) {
      const ir::Program& p = side == 0 ? studied : baseline;
      const ir::Program& q = side == 0 ? baseline : studied;
      const DecisionTerms& d = side == 0 ? to : from;
      const DecisionTerms& e = side == 0 ? from : to;
      std::vector<bool> in_focus(d.atoms.size(), false);
      for (size_t r = 0; r < p.rules.size(); ++r) {
        if (!changed(p, d, q, e, r)) continue;
        for (size_t a : d.rules[r].atoms) in_focus[a] = true;
      }
      for (size_t i = 0; i < d.atoms.size(); ++i) {
        z3::expr a = d.atoms[i].simplify();
        if (a.is_true() || a.is_false()) continue;
        auto [it, fresh] = seen.try_emplace(a.id(), atoms.size());
        if (fresh) {
          atoms.push_back(Literal{a, d.atom_texts[i]});
          focus.push_back(in_focus[i]);
        } else if (in_focus[i]) {
          focus[it->second] = true;
        }
      }
    }
    z3::solver s(ctx);
    Configure(ctx, s, bounds);
    for (const z3::expr& d : space.domain()) s.add(d);
    s.add(from_code != to_code);
    while (true) {
      z3::check_result r = s.check();
      if (r == z3::unknown) {
        result.status = ProveResult::Status::kUnknown;
        result.unknown_reason = TimeLimit(s, bounds);
        return;
      }
      if (r == z3::unsat) {
        result.status =
            result.regions.empty() ? ProveResult::Status::kSame : ProveResult::Status::kDiffers;
        return;
      }
      if (result.regions.size() >= bounds.max_regions) {
        result.status = ProveResult::Status::kDiffers;
        result.capped = true;
        return;
      }
      z3::model m = s.get_model();
      int64_t a = m.eval(from_code, true).get_numeral_int64();
      int64_t b = m.eval(to_code, true).get_numeral_int64();
      std::vector<Literal> literals;
      for (const Literal& atom : atoms) {
        bool holds = m.eval(atom.expr, true).is_true();
        literals.push_back(holds ? atom : Literal{!atom.expr, Negate(atom.text)});
      }
      Region region{.from = CodeName(names, a), .to = CodeName(names, b)};
      region.example = space.ModelJson(m);
      region.approximate = approximate;
      // First the changed rules' conditions, with the baseline's decision as given: the region
      // is "requests the baseline decides `a` where these hold". Else every atom of both.
      std::vector<Literal> focused;
      std::vector<size_t> focused_index;
      for (size_t i = 0; i < literals.size(); ++i) {
        if (focus[i]) {
          focused.push_back(literals[i]);
          focused_index.push_back(i);
        }
      }
      // The focus, then the atoms of every rule that fires in `model` under either policy.
      // For a small policy: every atom, the changed rules' last, so that shrinking drops the
      // others first and a region reads in the terms of the change.
      auto with_firing = [&](const z3::model&) {
        std::vector<Literal> out;
        for (size_t i = 0; i < literals.size(); ++i) {
          if (!focus[i]) out.push_back(literals[i]);
        }
        for (const Literal& l : focused) out.push_back(l);
        return out;
      };
      std::vector<size_t> kept;
      z3::expr_vector block(ctx);
      z3::expr pair = from_code == static_cast<int>(a) && to_code == static_cast<int>(b);
      if (!focused.empty() && atoms.size() <= 64 &&
          Generalise(ctx, space.domain(), bounds, {}, focused, pair, kept)) {
        // The changed rules' conditions settle both decisions: the region is where they hold.
        for (size_t i : kept) {
          region.conditions.push_back(focused[i].text);
          block.push_back(focused[i].expr);
        }
      } else if (!focused.empty() && atoms.size() <= 64 &&
                 (kept.clear(),
                  Generalise(ctx, space.domain(), bounds, {}, with_firing(m), pair, kept))) {
        // A small policy: with the conditions of the rules that fired in the example too.
        std::vector<Literal> lits = with_firing(m);
        for (size_t i : kept) {
          region.conditions.push_back(lits[i].text);
          block.push_back(lits[i].expr);
        }
      } else if (!focused.empty() &&
                 (kept.clear(),
                  Generalise(ctx, space.domain(), bounds, {from_code == static_cast<int>(a)},
                             focused, to_code == static_cast<int>(b), kept))) {
        for (size_t i : kept) {
          region.conditions.push_back(focused[i].text);
          block.push_back(focused[i].expr);
        }
        block.push_back(from_code == static_cast<int>(a));
      } else if (kept.clear(),
                 Generalise(ctx, space.domain(), bounds, {}, literals,
                            from_code == static_cast<int>(a) && to_code == static_cast<int>(b),
                            kept)) {
        for (size_t i : kept) {
          region.conditions.push_back(literals[i].text);
          block.push_back(literals[i].expr);
        }
      } else {
        // The atoms do not settle both decisions (an approximation, a list): this request alone.
        region.conditions.push_back("(a single request: the conditions could not be generalised)");
        for (const Literal& l : literals) block.push_back(l.expr);
        for (SlotVar* f : space.fields()) {
          block.push_back(f->value == m.eval(f->value, true));
        }
      }
      // An example a request can write: numbers in decimals (a fraction such as 4799/810.64…,
      // rounded, could leave the region). Another request of the region if the model's is not.
      bool decimal = true;
      z3::expr_vector decimals(ctx);
      for (SlotVar* f : space.fields()) {
        if (f->kind != ir::Kind::kNumber || f->node->integer || f->node->duration) continue;
        std::optional<Number> n = ToNumber(m.eval(f->value, true));
        Int128 den = n ? n->den : 3;
        while (den % 2 == 0) den /= 2;
        while (den % 5 == 0) den /= 5;
        decimal = decimal && den == 1;
        decimals.push_back(z3::is_int(f->value / ToZ3(ctx, f->node->scale) * ctx.real_val(1000)));
      }
      if (!decimal) {
        z3::solver w(ctx);
        Configure(ctx, w, bounds);
        for (const z3::expr& e : space.domain()) w.add(e);
        w.add(z3::mk_and(block));
        w.add(from_code == static_cast<int>(a) && to_code == static_cast<int>(b));
        w.add(z3::mk_and(decimals));
        if (w.check() == z3::sat) region.example = space.ModelJson(w.get_model());
      }
      result.regions.push_back(std::move(region));
      s.add(!z3::mk_and(block));
    }
  });
  if (failed) return *failed;
  return result;
}

// ---------------------------------------------------------------------------------------------

namespace {

// " GB / s" after a number, or nothing for a plain number.
auto UnitOf(const ir::SchemaNode& node) -> std::string {
  std::string unit = UnitText(node);
  return unit.empty() ? "" : " " + unit;
}

auto c_int(z3::context& ctx, int64_t v) -> z3::expr { return ctx.int_val(v); }

auto ValueList(const std::vector<std::string>& values) -> std::string {
  std::string out;
  for (size_t i = 0; i < values.size() && i < 40; ++i) out += (i ? ", " : "") + values[i];
  if (values.size() > 40) out += fmt::format(", … ({} in all)", values.size());
  return out;
}

}  // namespace

auto Counterfactuals(const ir::Program& program, std::span<const ir::Datum> request,
                     const std::string& /*text*/, std::optional<DayNumber> as_of,
                     ir::OutcomeId decision, const Bounds& bounds)
    -> ErrorOr<CounterfactualResult> {
  CounterfactualResult result;
  std::optional<Error> failed = Run([&] {
    z3::context ctx;
    RequestSpace space(ctx, bounds);
    space.AddProgram(program);
    std::vector<RequestSpace::Fixed> fixes = space.Fix(program, request);
    space.SetDay(as_of);
    DecisionTerms d = EncodeDecision(space, program);
    // The fields one may change: leaves outside lists, in schema order.
    std::vector<SlotVar*> fields;
    for (const RequestSpace::Fixed& f : fixes) {
      if (f.var->path.find('[') != std::string::npos || f.var->kind == ir::Kind::kList) continue;
      if (std::find(fields.begin(), fields.end(), f.var) == fields.end()) fields.push_back(f.var);
    }
    z3::model original(ctx);
    {
      z3::solver s(ctx);
      for (const z3::expr& e : space.domain()) s.add(e);
      for (const RequestSpace::Fixed& f : fixes) s.add(f.symbol == f.value);
      if (s.check() != z3::sat) {
        throw std::runtime_error("the request lies outside what the analysis explores");
      }
      original = s.get_model();
    }
    // Per field: the decision with every other field replaced by its value, simplified. The
    // question is then about one field alone, and each check is small.
    struct Focused {
      z3::expr error;
      z3::expr outcome;
      z3::expr domain;
    };
    // First what is never varied (the fields inside lists, the lists' lengths), once: the bulk
    // of a policy's terms (an ownership tree) folds away here, not again for every field.
    z3::expr base_error = d.error;
    z3::expr base_outcome = d.outcome;
    z3::expr base_domain = z3::mk_and([&] {
      z3::expr_vector all(ctx);
      for (const z3::expr& e : space.domain()) all.push_back(e);
      return all;
    }());
    {
      z3::expr_vector from(ctx);
      z3::expr_vector to(ctx);
      for (const RequestSpace::Fixed& f : fixes) {
        if (std::find(fields.begin(), fields.end(), f.var) != fields.end()) continue;
        from.push_back(f.symbol);
        to.push_back(f.value);
      }
      base_error = base_error.substitute(from, to).simplify();
      base_outcome = base_outcome.substitute(from, to).simplify();
      base_domain = base_domain.substitute(from, to).simplify();
    }
    auto focus_on = [&](SlotVar* field) {
      z3::expr_vector from(ctx);
      z3::expr_vector to(ctx);
      for (const RequestSpace::Fixed& f : fixes) {
        if (f.var == field) continue;
        if (std::find(fields.begin(), fields.end(), f.var) == fields.end()) continue;
        from.push_back(f.symbol);
        to.push_back(f.value);
      }
      return Focused{base_error.substitute(from, to).simplify(),
                     base_outcome.substitute(from, to).simplify(),
                     base_domain.substitute(from, to).simplify()};
    };
    auto changed_json = [&](const z3::model& m, SlotVar* field) {
      // The changed request: the field as `m` has it, every other as it was.
      z3::expr_vector from(ctx);
      z3::expr_vector to(ctx);
      from.push_back(field->symbol);
      to.push_back(m.eval(field->symbol, true));
      if (field->own.is_const() && !field->own.is_true()) {
        from.push_back(field->own);
        to.push_back(m.eval(field->own, true));
      }
      return space.ModelJson(
          [&](const z3::expr& e) { return original.eval(z3::expr(e).substitute(from, to), true); });
    };
    std::vector<std::optional<Focused>> focused(fields.size());
    for (auto o = static_cast<int>(decision) + 1; o < static_cast<int>(program.outcomes.size());
         ++o) {
      const std::string& outcome = program.outcomes[static_cast<size_t>(o)];
      bool any = false;
      bool unknown = false;
      for (size_t fi = 0; fi < fields.size(); ++fi) {
        SlotVar* field = fields[fi];
        if (!focused[fi]) focused[fi] = focus_on(field);
        const Focused& f = *focused[fi];
        z3::expr reached = (!f.error && f.outcome == o).simplify();
        if (reached.is_false()) continue;
        auto solver = [&] {
          z3::solver s(ctx);
          Configure(ctx, s, bounds);
          s.add(f.domain);
          s.add(reached);
          return s;
        };
        z3::solver s = solver();
        z3::check_result r = s.check();
        if (r == z3::unknown) {
          unknown = true;
          continue;
        }
        if (r == z3::unsat) continue;
        z3::model m = s.get_model();
        const ir::SchemaNode& node = *field->node;
        bool optional = field->own.is_const() && !field->own.is_true();
        std::string is = optional && !original.eval(field->own, true).is_true()
                             ? "absent"
                             : space.FormatValue(*field, original);
        Counterfactual change{.outcome = outcome, .field = field->path};
        if (optional && !m.eval(field->own, true).is_true()) {
          change.description = fmt::format("{} is absent (is {})", field->path, is);
        } else if (field->kind == ir::Kind::kNumber || field->kind == ir::Kind::kDate) {
          // The nearest value on each side, by the optimiser; a strict bound is a limit.
          z3::expr v = field->value;
          z3::expr v0 = original.eval(v, true);
          std::optional<std::string> best;
          std::optional<z3::model> best_model;
          std::optional<Number> best_distance;
          for (bool below : {true, false}) {
            // A first value that works on this side, then the limit: one of the numbers the
            // decision compares with when one is (checked: nothing nearer the original works,
            // and the limit itself does, `≤`, or values just inside it do, `<`), else found by
            // bisection. Solving one field's formula is quick; Z3's optimiser was slower here.
            z3::model om(ctx);
            auto works = [&](const z3::expr& constraint) {
              z3::solver probe = solver();
              if (optional) probe.add(field->own);
              probe.add(constraint);
              z3::check_result r = probe.check();
              if (r == z3::sat) om = probe.get_model();
              return r;
            };
            auto beyond = [&](const z3::expr& x) {
              return below ? (v > x && v < v0) : (v < x && v > v0);
            };
            if (works(below ? v < v0 : v > v0) != z3::sat) continue;
            z3::expr limit = om.eval(v, true);
            {
              // The numbers in the formula, nearest the original first.
              std::vector<std::pair<Number, z3::expr>> candidates;
              std::set<unsigned> visited;
              std::vector<z3::expr> stack = {reached};
              std::optional<Number> origin = ToNumber(v0);
              std::optional<Number> first = ToNumber(limit);
              while (!stack.empty() && visited.size() < 100000) {
                z3::expr e = stack.back();
                stack.pop_back();
                if (!visited.insert(e.id()).second) continue;
                if (e.is_numeral() && e.get_sort().id() == v.get_sort().id()) {
                  std::optional<Number> n = ToNumber(e);
                  if (n && origin && first &&
                      (below ? (*n > *first && *n < *origin) : (*n<*first&& * n> * origin))) {
                    candidates.emplace_back(*n, e);
                  }
                }
                if (e.is_app()) {
                  for (unsigned i = 0; i < e.num_args(); ++i) stack.push_back(e.arg(i));
                }
              }
              std::sort(candidates.begin(), candidates.end(), [&](const auto& x, const auto& y) {
                return below ? y.first < x.first : x.first < y.first;
              });
              z3::expr tiny = v.is_int() ? ctx.int_val(1) : ctx.real_val("1/1000000000");
              for (const auto& [n, c] : candidates) {
                if (works(beyond(c)) != z3::unsat) continue;
                if (works(v == c) == z3::sat ||
                    works(below ? (v < c && v > c - tiny) : (v > c && v < c + tiny)) == z3::sat) {
                  limit = c;
                  break;
                }
              }
            }
            if (works(beyond(limit)) != z3::unsat) {
              z3::expr lo = limit;
              z3::expr hi = v0;
              for (int i = 0; i < 64; ++i) {
                z3::expr mid =
                    ((lo + hi) / (v.is_int() ? ctx.int_val(2) : ctx.real_val(2))).simplify();
                if (works(beyond(mid)) == z3::sat) {
                  lo = mid;
                } else {
                  hi = mid;
                }
              }
              limit = hi;
              // A round number near it, when one is exactly the limit.
              std::optional<Number> h;
              if (!v.is_int()) h = ToNumber(hi);
              if (h) {
                Int128 scale10 = 1;
                for (int k = 0; k <= 6; ++k, scale10 *= 10) {
                  Int128 floor = h->num * scale10 / h->den;
                  bool found = false;
                  for (Int128 n : {floor, floor + 1, floor - 1}) {
                    Number r;
                    r.num = n;
                    r.den = scale10;
                    z3::expr rz = ToZ3(ctx, r);
                    if (works(beyond(rz)) == z3::unsat) {
                      limit = rz;
                      found = true;
                      break;
                    }
                  }
                  if (found) break;
                }
              }
            }
            z3::expr at = limit;
            std::string limit_text;
            if (works(v == limit) != z3::sat) {
              limit_text = field->kind == ir::Kind::kDate
                               ? FormatDate(static_cast<DayNumber>(limit.get_numeral_int64()))
                               : space.FormatNumberIn(node, limit) + UnitOf(node);
              z3::expr step = v.is_int() ? ctx.int_val(1)
                              : (node.integer || node.duration)
                                  ? ToZ3(ctx, node.scale)
                                  : ctx.real_val("1/100") * ToZ3(ctx, node.scale);
              z3::expr inside =
                  below ? (v < limit && v >= limit - step) : (v > limit && v <= limit + step);
              if (works(inside) != z3::sat && works(below ? v < limit : v > limit) != z3::sat) {
                continue;
              }
              at = om.eval(v, true);
            }
            std::optional<Number> dist = ToNumber(z3::abs(at - v0).simplify());
            std::string value_text =
                field->kind == ir::Kind::kDate
                    ? FormatDate(static_cast<DayNumber>(at.get_numeral_int64()))
                    : space.FormatNumberIn(node, at) + UnitOf(node);
            std::string description = limit_text.empty()
                                          ? fmt::format("{} {} {} (is {})", field->path,
                                                        below ? "≤" : "≥", value_text, is)
                                          : fmt::format("{} {} {} (is {})", field->path,
                                                        below ? "<" : ">", limit_text, is);
            if (!best || (dist && best_distance && *dist < *best_distance)) {
              best = description;
              best_model = om;
              best_distance = dist;
            }
          }
          if (!best) continue;
          change.description = *best;
          m = *best_model;
        } else if (field->kind == ir::Kind::kCountry || field->kind == ir::Kind::kEnum) {
          // The values that reach the outcome, or those that do not, whichever is found to be
          // the shorter list first: each model names one more, until none is left.
          auto name = [&](int64_t i) {
            return field->kind == ir::Kind::kCountry
                       ? CountryCode(static_cast<CountryIndex>(i))
                       : program.enums[node.enum_id].values[static_cast<size_t>(i)];
          };
          z3::solver yes_s = solver();
          z3::solver no_s(ctx);
          Configure(ctx, no_s, bounds);
          no_s.add(f.domain);
          no_s.add(!reached);
          if (optional) {
            yes_s.add(field->own);
            no_s.add(field->own);
          }
          int64_t current = original.eval(field->value, true).get_numeral_int64();
          no_s.add(field->value != c_int(ctx, current));
          std::vector<int64_t> yes;
          std::vector<int64_t> no;
          bool yes_done = false;
          bool no_done = false;
          while (!yes_done && !no_done) {
            z3::check_result ry = yes_s.check();
            if (ry == z3::sat) {
              int64_t x = yes_s.get_model().eval(field->value, true).get_numeral_int64();
              yes.push_back(x);
              yes_s.add(field->value != c_int(ctx, x));
            } else {
              yes_done = ry == z3::unsat;
              if (ry == z3::unknown) break;
            }
            if (yes_done) break;
            z3::check_result rn = no_s.check();
            if (rn == z3::sat) {
              int64_t x = no_s.get_model().eval(field->value, true).get_numeral_int64();
              no.push_back(x);
              no_s.add(field->value != c_int(ctx, x));
            } else {
              no_done = rn == z3::unsat;
              if (rn == z3::unknown) break;
            }
          }
          if (!yes_done && !no_done) {
            unknown = true;
            continue;
          }
          auto names = [&](std::vector<int64_t> values) {
            std::sort(values.begin(), values.end());
            std::vector<std::string> out;
            for (int64_t x : values) out.push_back(name(x));
            return ValueList(out);
          };
          change.description =
              yes_done
                  ? fmt::format("{} is one of {} (is {})", field->path, names(yes), name(current))
                  : fmt::format("{} is outside {} (is {})", field->path, names([&] {
                                  std::vector<int64_t> all = no;
                                  all.push_back(current);
                                  return all;
                                }()),
                                name(current));
        } else if (field->kind == ir::Kind::kText) {
          // A name listed nowhere and named by no rule says the most, when one will do.
          z3::solver other = solver();
          if (optional) other.add(field->own);
          other.add(field->value >= static_cast<int>(space.texts().known.size()));
          if (other.check() == z3::sat) {
            m = other.get_model();
            change.description =
                fmt::format("{} is a name no table lists and no rule names, such as {} (is {})",
                            field->path, space.FormatValue(*field, m), is);
          } else {
            change.description =
                fmt::format("{} is {} (is {})", field->path, space.FormatValue(*field, m), is);
          }
        } else {
          change.description =
              fmt::format("{} is {} (is {})", field->path, space.FormatValue(*field, m), is);
        }
        change.example = changed_json(m, field);
        result.changes.push_back(std::move(change));
        any = true;
      }
      if (!any) (unknown ? result.unknown : result.none).push_back(outcome);
    }
  });
  if (failed) return *failed;
  return result;
}

// ---------------------------------------------------------------------------------------------

auto AnalyzePolicy(const ir::Program& program, const Bounds& bounds) -> ErrorOr<AnalyzeResult> {
  AnalyzeResult result;
  std::optional<Error> failed = Run([&] {
    z3::context ctx;
    RequestSpace space(ctx, bounds);
    space.AddProgram(program);
    space.SetDay(std::nullopt);
    DecisionTerms d = EncodeDecision(space, program);
    z3::solver s(ctx);
    Configure(ctx, s, bounds);
    for (const z3::expr& e : space.domain()) s.add(e);
    auto check = [&](const z3::expr& e) {
      s.push();
      s.add(e);
      z3::check_result r = s.check();
      std::optional<z3::model> m;
      if (r == z3::sat) m = s.get_model();
      s.pop();
      return std::make_pair(r, m);
    };
    const std::string bounded = "within " + bounds.Describe();
    std::vector<std::optional<z3::model>> fire_models(program.rules.size());
    for (ir::RuleId r = 0; r < program.rules.size(); ++r) {
      const ir::Rule& rule = program.rules[r];
      const RuleTerms& t = d.rules[r];
      if (rule.requirement) continue;
      auto [fires, model] = check(t.fires);
      if (fires == z3::unknown) {
        result.unknown.push_back(
            fmt::format("whether rule `{}` can fire ({})", rule.name, TimeLimit(s, bounds)));
        continue;
      }
      if (fires == z3::unsat) {
        auto [in_force, unused] = check(t.in_force);
        std::string reason = in_force == z3::unsat
                                 ? "it is in force on no day the analysis explores"
                                 : (check(t.when).first == z3::unsat
                                        ? "no request satisfies its `when` on a day it is in force"
                                        : "whenever its `when` holds, the rule is in error");
        result.findings.push_back(
            Finding{.kind = Finding::Kind::kRuleNeverFires,
                    .rule = r,
                    .message = fmt::format("rule `{}` can never fire", rule.name),
                    .help = fmt::format("{} ({}); a `when` of exclusive conditions, or dates "
                                        "that leave it no day, are the usual causes",
                                        reason, bounded)});
        continue;
      }
      fire_models[r] = model;
      for (uint32_t k = 0; k < rule.unless.size(); ++k) {
        auto [taken, m2] = check(t.taken[k]);
        if (taken == z3::unknown) {
          result.unknown.push_back(fmt::format("whether `unless` {} of rule `{}` can apply ({})",
                                               k + 1, rule.name, TimeLimit(s, bounds)));
          continue;
        }
        if (taken == z3::sat) continue;
        bool reached = check(t.reached[k]).first == z3::sat;
        result.findings.push_back(Finding{
            .kind = Finding::Kind::kUnlessNeverTaken,
            .rule = r,
            .exception = k,
            .message =
                fmt::format("`unless` branch {} of rule `{}` can never apply", k + 1, rule.name),
            .help = fmt::format("{} ({})",
                                reached ? "no request that reaches it satisfies its condition"
                                        : "no request reaches it: the rule's `when` or an "
                                          "earlier `unless` always decides first",
                                bounded)});
      }
    }
    for (size_t o = 0; o < program.outcomes.size(); ++o) {
      // An outcome no rule yields is the checker's OutcomeNeverProduced already.
      bool yielded = o + 1 == program.outcomes.size();
      for (const ir::Rule& rule : program.rules) {
        if (rule.requirement) continue;
        yielded = yielded || rule.outcome == o;
        for (const ir::Exception& e : rule.unless) yielded = yielded || e.outcome == o;
      }
      if (!yielded) continue;
      auto [r, m] = check(!d.error && d.outcome == static_cast<int>(o));
      if (r == z3::unknown) {
        result.unknown.push_back(fmt::format("whether outcome `{}` can be produced ({})",
                                             program.outcomes[o], TimeLimit(s, bounds)));
      } else if (r == z3::unsat) {
        result.findings.push_back(Finding{
            .kind = Finding::Kind::kOutcomeNeverProduced,
            .outcome = program.outcomes[o],
            .message = fmt::format("no request is decided `{}`", program.outcomes[o]),
            .help = fmt::format("the rules that yield it never decide a request: they cannot "
                                "fire, or a higher outcome always comes with them "
                                "({})",
                                bounded)});
      }
    }
    // Overlaps that matter: a rule that fires only where another rule outranks it never
    // decides anything (its outcome, its message and its citation are never the answer).
    for (ir::RuleId r = 0; r < program.rules.size(); ++r) {
      if (!fire_models[r] || program.rules[r].requirement) continue;
      const z3::model& m = *fire_models[r];
      const RuleTerms& t = d.rules[r];
      for (ir::RuleId q = 0; q < program.rules.size(); ++q) {
        if (q == r || program.rules[q].requirement) continue;
        const RuleTerms& u = d.rules[q];
        if (!m.eval(u.fires, true).is_true()) continue;
        if (!m.eval(u.outcome < t.outcome, true).is_true()) continue;
        auto [r2, m2] = check(t.fires && !(u.fires && u.outcome < t.outcome));
        if (r2 != z3::unsat) continue;
        result.findings.push_back(Finding{
            .kind = Finding::Kind::kRuleShadowed,
            .rule = r,
            .other = q,
            .message = fmt::format("rule `{}` never decides a request: whenever it fires, rule "
                                   "`{}` fires with a higher outcome",
                                   program.rules[r].name, program.rules[q].name),
            .help = fmt::format("its conditions lie inside `{}`'s ({}); drop it, or narrow `{}`",
                                program.rules[q].name, bounded, program.rules[q].name)});
        break;
      }
    }
  });
  if (failed) return *failed;
  return result;
}

}  // namespace cordon::analyze
