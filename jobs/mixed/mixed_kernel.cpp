#include "mixed_kernel.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string_view>

namespace mixed {
namespace {

using namespace std::string_view_literals;

// SplitMix64 (Steele, Lea and Flood, 2014), one stream per task.
class Random {
 public:
  Random(std::uint64_t seed, std::uint64_t stream)
      : state_(mix(seed + kIncrement * (stream + 1))) {}
  std::uint64_t next() {
    state_ += kIncrement;
    return mix(state_);
  }
  /// Uniform in [-1, 1): the top 53 bits of the next output, exactly.
  double symmetric() { return static_cast<double>(next() >> 11) * 0x1.0p-52 - 1.0; }

 private:
  static constexpr std::uint64_t kIncrement = 0x9E3779B97F4A7C15ull;
  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t state_;
};

// Words for task names: bytes above 0x7f (char is signed on x86, unsigned on s390x and ARM),
// a tab, an empty word and an embedded NUL all have to survive the trip.
constexpr std::array kWords{"alpha"sv,
                            "Z\xc3\xbcrich"sv,
                            "na\xc3\xafve"sv,
                            "\xce\x95\xce\xbb\xce\xbb\xce\xac\xce\xb4\xce\xb1"sv,
                            "x"sv,
                            ""sv,
                            "tab\tstop"sv,
                            "nul\0byte"sv};

// Numbers that a byte-order or width mistake would mangle in telling ways.
std::vector<double> special_values() {
  using limits = std::numeric_limits<double>;
  return {-0.0,
          limits::denorm_min(),
          -limits::denorm_min(),
          limits::min(),
          limits::max(),
          limits::lowest(),
          limits::infinity(),
          -limits::infinity(),
          std::bit_cast<double>(std::uint64_t{0x7ff8000000000123}),   // a quiet NaN with a payload
          std::bit_cast<double>(std::uint64_t{0xfff0000000000001})};  // a negative signalling NaN
}

// FNV-1a over values, not over memory: the same on every machine.
class Hash {
 public:
  void add(std::uint64_t value) {
    for (int shift = 0; shift < 64; shift += 8)
      byte(static_cast<std::uint8_t>(value >> shift));
  }
  void add(double value) { add(std::bit_cast<std::uint64_t>(value)); }
  void add(const std::string& text) {
    add(std::uint64_t{text.size()});
    for (const char c : text)
      byte(static_cast<unsigned char>(c));
  }
  [[nodiscard]] std::uint64_t value() const { return state_; }

 private:
  void byte(std::uint8_t b) { state_ = (state_ ^ b) * 0x100000001b3ull; }
  std::uint64_t state_ = 0xcbf29ce484222325ull;
};

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts(1);
  for (const char c : text) {
    if (c == separator)
      parts.emplace_back();
    else
      parts.back() += c;
  }
  return parts;
}

// Text in double quotes; control characters, quotes and backslashes as \xNN.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || c == '"' || c == '\\') {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\x%02x", byte);
      out += escape;
    } else {
      out += c;
    }
  }
  return out + '"';
}

std::string hex_float(double value) {
  char text[40];
  std::snprintf(text, sizeof text, "%a", value);
  return text;
}

std::string hex_bits(double value) {
  char text[20];
  std::snprintf(text, sizeof text, "%016" PRIx64, std::bit_cast<std::uint64_t>(value));
  return text;
}

}  // namespace

Params make_params(const std::string& label, std::uint64_t seed, std::uint64_t degree,
                   std::uint64_t rounds) {
  Random random(seed, ~std::uint64_t{0});
  Params params;
  params.label = label;
  for (std::uint64_t i = 0; i <= degree; ++i)
    params.coefficients.push_back(random.symmetric());
  params.scale = 1.0 / 3.0;
  params.rounds = rounds;
  params.shift = static_cast<std::int16_t>(-1000 - static_cast<int>(seed % 1000));
  return params;
}

Item make_item(std::uint64_t seed, std::uint64_t index, std::uint64_t points) {
  Random random(seed, index);
  Item item;
  item.index = index;
  const std::uint64_t words = 1 + random.next() % 4;
  for (std::uint64_t w = 0; w < words; ++w) {
    if (w > 0) item.name += '-';
    item.name += kWords[random.next() % kWords.size()];
  }
  for (std::uint64_t p = 0; p < points; ++p) {
    item.points.push_back(2.0 * random.symmetric());
    item.offsets.push_back(static_cast<std::int32_t>(random.next() >> 32));  // either sign
  }
  item.keep = special_values();
  item.weight = static_cast<float>(random.symmetric()) * 1e-3f;
  item.sign = (index % 2 == 0) ? std::int8_t{1} : std::int8_t{-1};
  item.reverse = index % 3 == 0;
  return item;
}

Report compute(const Params& params, const Item& item) {
  Report report;
  report.index = item.index;
  std::string name = item.name;
  if (item.reverse) std::reverse(name.begin(), name.end());
  report.title = params.label + ":" + name;
  report.words = split(item.name, '-');
  for (const double x : item.points) {
    double v = x;
    for (std::uint64_t round = 0; round < params.rounds; ++round) {
      const double t = v / (1.0 + std::fabs(v));
      double p = 0;  // Horner, highest coefficient first
      for (auto c = params.coefficients.rbegin(); c != params.coefficients.rend(); ++c)
        p = p * t + *c;
      v = params.scale * p / (1.0 + t * t);
    }
    const double value = v + std::sqrt(std::fabs(x));
    report.values.push_back(value);
    report.weighted.push_back(static_cast<float>(value) * item.weight);
    report.total += value;
  }
  report.kept = item.keep;
  std::int64_t sum = 0;
  for (const std::int32_t offset : item.offsets) {
    sum += std::int64_t{item.sign} * (std::int64_t{offset} + params.shift);
    report.sums.push_back(sum);
  }
  report.fingerprint = fingerprint(params, item);
  return report;
}

std::uint64_t fingerprint(const Params& params, const Item& item) {
  Hash hash;
  hash.add(params.label);
  hash.add(std::uint64_t{params.coefficients.size()});
  for (const double c : params.coefficients)
    hash.add(c);
  hash.add(params.scale);
  hash.add(params.rounds);
  hash.add(static_cast<std::uint64_t>(std::int64_t{params.shift}));
  hash.add(item.index);
  hash.add(item.name);
  hash.add(std::uint64_t{item.points.size()});
  for (const double x : item.points)
    hash.add(x);
  hash.add(std::uint64_t{item.keep.size()});
  for (const double x : item.keep)
    hash.add(x);
  hash.add(std::uint64_t{item.offsets.size()});
  for (const std::int32_t offset : item.offsets)
    hash.add(static_cast<std::uint64_t>(std::int64_t{offset}));
  hash.add(std::uint64_t{std::bit_cast<std::uint32_t>(item.weight)});
  hash.add(static_cast<std::uint64_t>(std::int64_t{item.sign}));
  hash.add(std::uint64_t{item.reverse});
  return hash.value();
}

std::string to_text(const Report& report) {
  char head[96];
  std::snprintf(head, sizeof head, "task %" PRIu64 " fingerprint %016" PRIx64 " total %s\n",
                report.index, report.fingerprint, hex_float(report.total).c_str());
  std::string text = head;
  text += "  title " + quoted(report.title) + "\n  words";
  for (const std::string& word : report.words)
    text += " " + quoted(word);
  text += "\n  values";
  for (const double value : report.values)
    text += " " + hex_float(value);
  text += "\n  kept";
  for (const double value : report.kept)
    text += " " + hex_bits(value);
  text += "\n  weighted";
  for (const float value : report.weighted)
    text += " " + hex_float(static_cast<double>(value));  // exact: every float is a double
  text += "\n  sums";
  for (const std::int64_t sum : report.sums)
    text += " " + std::to_string(sum);
  return text + "\n";
}

}  // namespace mixed
