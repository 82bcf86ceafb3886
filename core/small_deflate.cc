#include "core/small_deflate.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>

#include "core/compression.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace agora_token {
namespace {

// zlib's level-6 parameters (good, lazy, nice, chain) and the limits it
// applies at every level.
constexpr int kMinMatch = 3;
constexpr int kMaxMatch = 258;
constexpr int kGoodLength = 8;    // a previous match this long quarters the chain
constexpr int kMaxLazy = 16;      // a previous match this long is taken unsearched
constexpr int kNiceLength = 128;  // a match this long ends the search
constexpr int kMaxChain = 128;
constexpr int kTooFar = 4096;  // zlib drops 3-byte matches farther back than this

// memLevel 8: a 15-bit rolling hash of three bytes, shifted 5 bits a byte.
constexpr int kHashBits = 15;
constexpr int kHashShift = 5;
constexpr uint32_t kHashMask = (1u << kHashBits) - 1;

// Deflate's alphabets (RFC 1951 section 3.2.5).
constexpr int kEndBlock = 256;
constexpr int kLitCodes = 286;  // literals, end of block, 29 length codes
constexpr int kDistCodes = 30;
constexpr int kBlCodes = 19;  // code-length alphabet
constexpr int kRep3To6 = 16;  // repeat the previous length 3-6 times
constexpr int kZeros3To10 = 17;
constexpr int kZeros11To138 = 18;
constexpr int kMaxBits = 15;
constexpr int kMaxBlBits = 7;
// Leaves and internal nodes of the largest tree: zlib's HEAP_SIZE, whose
// value also fixes where its length-limiting pass starts.
constexpr int kHeapSize = 2 * kLitCodes + 1;

constexpr std::array<uint8_t, 29> kLengthExtraBits = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::array<uint8_t, kDistCodes> kDistExtraBits = {0, 0, 0,  0,  1,  1,  2,  2,  3,  3,
                                                            4, 4, 5,  5,  6,  6,  7,  7,  8,  8,
                                                            9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
constexpr std::array<uint8_t, kBlCodes> kBlExtraBits = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                        0, 0, 0, 0, 0, 0, 2, 3, 7};
// The order in which code-length code lengths are sent.
constexpr std::array<uint8_t, kBlCodes> kBlOrder = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                    11, 4,  12, 3, 13, 2, 14, 1, 15};

int FloorLog2(uint32_t v) { return 31 - __builtin_clz(v); }

// Length code (0..28, before adding 257) of a match length minus 3; zlib
// sends 258 as code 285, not as 284 with all extra bits set.
int LengthCode(int length_minus_3) {
  if (length_minus_3 < 8) return length_minus_3;
  if (length_minus_3 == kMaxMatch - kMinMatch) return 28;
  const int log = FloorLog2(static_cast<uint32_t>(length_minus_3));
  return 4 * (log - 1) + ((length_minus_3 >> (log - 2)) & 3);
}
int LengthBase(int code) { return code < 8 ? code : (4 + (code & 3)) << (code / 4 - 1); }

// Distance code of a distance minus 1.
int DistCode(uint32_t distance_minus_1) {
  if (distance_minus_1 < 4) return static_cast<int>(distance_minus_1);
  const int log = FloorLog2(distance_minus_1);
  return 2 * log + static_cast<int>((distance_minus_1 >> (log - 1)) & 1);
}
uint32_t DistBase(int code) { return code < 4 ? code : (2u + (code & 1)) << (code / 2 - 1); }

// Every symbol of the code-length alphabet, which zlib always builds from.
constexpr std::array<uint16_t, kBlCodes> kAllBl = {0,  1,  2,  3,  4,  5,  6,  7,  8, 9,
                                                   10, 11, 12, 13, 14, 15, 16, 17, 18};

// Byte values with their bits reversed.
constexpr std::array<uint8_t, 256> kReversedBytes = [] {
  std::array<uint8_t, 256> table{};
  for (int b = 0; b < 256; ++b) {
    for (int i = 0; i < 8; ++i) table[b] |= static_cast<uint8_t>(((b >> i) & 1) << (7 - i));
  }
  return table;
}();

// The low `length` bits of `code`, reversed (deflate sends Huffman codes
// most significant bit first into an LSB-first stream). Length 0 gives 0.
uint16_t ReverseBits(uint32_t code, int length) {
  const uint32_t reversed =
      static_cast<uint32_t>(kReversedBytes[code & 0xff]) << 8 | kReversedBytes[(code >> 8) & 0xff];
  return static_cast<uint16_t>(reversed >> (16 - length));
}

// Canonical codes from code lengths, bit-reversed for an LSB-first writer.
// Unused symbols (length 0) get code 0, without a branch per symbol.
void AssignCodes(const uint8_t* lengths, int count, const uint16_t* length_counts,
                 uint16_t* codes) {
  std::array<uint32_t, kMaxBits + 1> next{};
  uint32_t code = 0;
  for (int bits = 1; bits <= kMaxBits; ++bits) {
    code = (code + length_counts[bits - 1]) << 1;
    next[bits] = code;
  }
  for (int n = 0; n < count; ++n) codes[n] = ReverseBits(next[lengths[n]]++, lengths[n]);
}

// AssignCodes for the listed symbols only (ascending, and every symbol with
// a non-zero length among them): the others have no code to assign.
void AssignListedCodes(const uint8_t* lengths, const uint16_t* symbols, int count,
                       const uint16_t* length_counts, uint16_t* codes) {
  std::array<uint32_t, kMaxBits + 1> next{};
  uint32_t code = 0;
  for (int bits = 1; bits <= kMaxBits; ++bits) {
    code = (code + length_counts[bits - 1]) << 1;
    next[bits] = code;
  }
  for (int i = 0; i < count; ++i) {
    const int n = symbols[i];
    codes[n] = ReverseBits(next[lengths[n]]++, lengths[n]);
  }
}

// What zlib needs to know about a tree's alphabet (its static_tree_desc),
// indexed by node so that internal nodes, past the leaves, read zeros.
struct Alphabet {
  int elems = 0;
  int max_length = 0;
  std::array<uint8_t, kHeapSize> extra_bits{};
  // Fixed-code length plus extra bits: a symbol's cost in a fixed block;
  // zero for the code-length alphabet, which has no fixed code.
  std::array<uint8_t, kHeapSize> fixed_cost{};
};

// The fixed codes of block type 1 and the three alphabets, built once.
struct Tables {
  std::array<uint8_t, kLitCodes + 2> fixed_lit_lengths{};
  std::array<uint16_t, kLitCodes + 2> fixed_lit_codes{};
  std::array<uint8_t, kDistCodes> fixed_dist_lengths{};
  std::array<uint16_t, kDistCodes> fixed_dist_codes{};
  Alphabet lit;
  Alphabet dist;
  Alphabet bl;

  Tables() {
    std::array<uint16_t, kMaxBits + 1> counts{};
    for (int n = 0; n < kLitCodes + 2; ++n) {
      fixed_lit_lengths[n] = n < 144 ? 8 : n < 256 ? 9 : n < 280 ? 7 : 8;
      ++counts[fixed_lit_lengths[n]];
    }
    AssignCodes(fixed_lit_lengths.data(), kLitCodes + 2, counts.data(), fixed_lit_codes.data());
    for (int n = 0; n < kDistCodes; ++n) {
      fixed_dist_lengths[n] = 5;
      fixed_dist_codes[n] = ReverseBits(n, 5);
    }
    lit.elems = kLitCodes;
    lit.max_length = kMaxBits;
    for (int n = 0; n < kLitCodes; ++n) {
      lit.extra_bits[n] = n > kEndBlock ? kLengthExtraBits[n - kEndBlock - 1] : 0;
      lit.fixed_cost[n] = static_cast<uint8_t>(fixed_lit_lengths[n] + lit.extra_bits[n]);
    }
    dist.elems = kDistCodes;
    dist.max_length = kMaxBits;
    for (int n = 0; n < kDistCodes; ++n) {
      dist.extra_bits[n] = kDistExtraBits[n];
      dist.fixed_cost[n] = static_cast<uint8_t>(fixed_dist_lengths[n] + kDistExtraBits[n]);
    }
    bl.elems = kBlCodes;
    bl.max_length = kMaxBlBits;
    for (int n = 0; n < kBlCodes; ++n) bl.extra_bits[n] = kBlExtraBits[n];
  }
};

// A Huffman tree under construction: leaves first, then internal nodes in
// the order zlib creates them, so its tie-breaks can be followed exactly.
struct Tree {
  // Of the leaves; zero for internal nodes, and all zero between calls
  // (SmallDeflate clears the entries it used).
  std::array<uint16_t, kHeapSize> freq{};
  std::array<uint16_t, kHeapSize> dad;
  std::array<uint8_t, kHeapSize> len;
  std::array<uint16_t, kLitCodes> code;
  std::array<uint16_t, kMaxBits + 1> length_counts;  // leaves of each length
  int max_code;
};

// A built tree's codes, for the symbols it was built from.
void AssignTreeCodes(Tree& tree, const uint16_t* symbols, int count) {
  AssignListedCodes(tree.len.data(), symbols, count, tree.length_counts.data(), tree.code.data());
}

// Builds Huffman trees with zlib's algorithm (trees.c build_tree and
// gen_bitlen): a heap ordered by frequency, then depth, with zlib's sift-down
// tie-breaks; lengths over the limit are fixed up by moving leaves, and the
// lengths are then reassigned in increasing frequency. Also totals zlib's
// opt_len and static_len, which decide the block type. Written without
// data-dependent branches where it could be: mispredictions were most of
// its cost.
class TreeBuilder {
 public:
  uint32_t opt_len = 0;
  uint32_t static_len = 0;

  // `symbols` lists, ascending, every symbol with a non-zero frequency and
  // those zlib forces in when fewer than two are used (UsedSymbols::List);
  // the alphabet's other symbols are never looked at.
  void Build(Tree& tree, const Alphabet& alphabet, const uint16_t* symbols, int count) {
    int heap_len = 0;
    int max_code = -1;
    std::fill_n(tree.len.begin(), alphabet.elems, 0);
    for (int i = 0; i < count; ++i) {
      const int n = symbols[i];
      const uint32_t freq = tree.freq[n];
      heap_[heap_len + 1] = Entry(freq, 0, n);
      heap_len += freq != 0;
      max_code = freq != 0 ? n : max_code;
    }
    // Deflate needs two codes in every tree: zlib adds codes 0 and 1 (or 0)
    // with frequency 1, and counts them as free.
    while (heap_len < 2) {
      const int node = max_code < 2 ? ++max_code : 0;
      heap_[++heap_len] = Entry(1, 0, node);
      tree.freq[node] = 1;
      --opt_len;
      static_len -= alphabet.fixed_cost[node];  // nodes 0 and 1 have no extra bits
    }
    // SiftDown reads children past the end: they must never move up.
    std::fill(heap_.begin() + heap_len + 1, heap_.begin() + 2 * heap_len + 2, kSentinel);
    tree.max_code = max_code;
    for (int n = heap_len / 2; n >= 1; --n) SiftDown(n, heap_len);

    // Nodes leave the heap in increasing (frequency, depth) order; zlib
    // keeps that order from the top of its heap array down, and so does
    // sorted_.
    int sorted = kHeapSize;
    int node = alphabet.elems;
    do {
      const uint32_t a = heap_[1];
      heap_[1] = heap_[heap_len];
      heap_[heap_len--] = kSentinel;
      SiftDown(1, heap_len);
      const uint32_t b = heap_[1];
      sorted_[--sorted] = static_cast<uint16_t>(a & kNodeMask);
      sorted_[--sorted] = static_cast<uint16_t>(b & kNodeMask);
      const uint32_t depth = std::max(a & kDepthMask, b & kDepthMask) + (1u << kDepthShift);
      tree.dad[a & kNodeMask] = tree.dad[b & kNodeMask] = static_cast<uint16_t>(node);
      heap_[1] = ((a >> kFreqShift) + (b >> kFreqShift)) << kFreqShift | depth | node++;
      SiftDown(1, heap_len);
    } while (heap_len >= 2);
    sorted_[--sorted] = static_cast<uint16_t>(heap_[1] & kNodeMask);

    AssignLengths(tree, alphabet, sorted);
    // The codes are assigned only if the block is sent dynamic (AssignTreeCodes).
    tree.length_counts = length_counts_;
  }

 private:
  // A heap entry packs a node's frequency, depth and index, so that zlib's
  // "smaller" (frequency, then depth) is one comparison of entry >> 10.
  // Frequencies stay below 2^16 (at most one per input byte), depths below
  // 2^6 (a deeper tree needs more symbols than that).
  static constexpr int kFreqShift = 16;
  static constexpr int kDepthShift = 10;
  static constexpr uint32_t kDepthMask = 0x3fu << kDepthShift;
  static constexpr uint32_t kNodeMask = (1u << kDepthShift) - 1;
  // After the last entry: larger than any, so a missing right child is
  // never taken.
  static constexpr uint32_t kSentinel = 0xffffffffu;
  static_assert(kSmallDeflateMaxInput + 2 < (1u << (32 - kFreqShift)) - 1, "frequencies overflow");
  static_assert(kHeapSize <= kNodeMask + 1, "node indexes overflow");

  static uint32_t Entry(uint32_t freq, uint32_t depth, int node) {
    return freq << kFreqShift | depth << kDepthShift | static_cast<uint32_t>(node);
  }

  // zlib's pqdownheap: ties go to the right child, and stop the descent.
  // Stopping is a conditional move rather than a branch (its misprediction
  // was most of a sift's cost): the loop always runs as many levels as the
  // heap has below k; once v has stopped, k stays and each step rewrites v
  // there. Slots past the heap hold sentinels, which never move up.
  // The heap's length is a parameter, not a member: stores into heap_ could
  // alias a member int, which made the compiler reload it on every level.
  void SiftDown(int k, int heap_len) {
    const uint32_t v = heap_[k];
    const uint32_t key = v >> kDepthShift;
    for (int levels = FloorLog2(heap_len) - FloorLog2(k); levels > 0; --levels) {
      const int j = k << 1;
      const uint32_t left = heap_[j];
      const uint32_t right = heap_[j + 1];
      const bool take_right = (right >> kDepthShift) <= (left >> kDepthShift);
      const uint32_t child = take_right ? right : left;
      const bool move = key > (child >> kDepthShift);
      heap_[k] = move ? child : v;
      k = move ? j + take_right : k;
    }
    heap_[k] = v;
  }

  // Code lengths from depths, limited to alphabet.max_length as zlib does.
  void AssignLengths(Tree& tree, const Alphabet& alphabet, int sorted) {
    const int max_length = alphabet.max_length;
    length_counts_.fill(0);
    int overflow = 0;
    tree.len[sorted_[sorted]] = 0;  // the root
    int h = sorted + 1;
    for (; h < kHeapSize; ++h) {
      const int n = sorted_[h];
      int bits = tree.len[tree.dad[n]] + 1;
      const bool over = bits > max_length;
      bits = over ? max_length : bits;
      overflow += over;
      tree.len[n] = static_cast<uint8_t>(bits);
      length_counts_[bits] += n <= tree.max_code;  // leaves only
      const uint32_t freq = tree.freq[n];
      opt_len += freq * static_cast<uint32_t>(bits + alphabet.extra_bits[n]);
      static_len += freq * alphabet.fixed_cost[n];
    }
    if (overflow == 0) return;

    // Make room at max_length: move the deepest leaf above it down one
    // level, pairing it with an overflowed leaf, until none overflow.
    do {
      int bits = max_length - 1;
      while (length_counts_[bits] == 0) --bits;
      --length_counts_[bits];
      length_counts_[bits + 1] += 2;
      --length_counts_[max_length];
      overflow -= 2;
    } while (overflow > 0);
    // Hand the lengths out again, longest to the least frequent leaves.
    for (int bits = max_length; bits != 0; --bits) {
      int count = length_counts_[bits];
      while (count != 0) {
        const int m = sorted_[--h];
        if (m > tree.max_code) continue;
        if (tree.len[m] != bits) {
          opt_len += (static_cast<uint32_t>(bits) - tree.len[m]) * tree.freq[m];
          tree.len[m] = static_cast<uint8_t>(bits);
        }
        --count;
      }
    }
  }

  std::array<uint32_t, 2 * kHeapSize + 2> heap_;  // 1-based, then sentinels
  std::array<uint16_t, kHeapSize> sorted_;
  std::array<uint16_t, kMaxBits + 1> length_counts_;
};

// An LSB-first bit writer into a buffer the caller has sized, with 8 bytes
// to spare. Each Put stores the whole 64-bit accumulator and keeps only the
// bits of an unfinished byte: no branch on how full it is, which was
// unpredictable and mispredicted on every few symbols.
class BitWriter {
 public:
  explicit BitWriter(uint8_t* out) : p_(out) {}

  // At most 57 bits: with at most 7 bits pending, the total fits in 64.
  void Put(uint64_t bits, int count) {
    acc_ |= bits << fill_;
    fill_ += count;
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    std::memcpy(p_, &acc_, 8);
#else
    for (int i = 0; i < 8; ++i) p_[i] = static_cast<uint8_t>(acc_ >> (8 * i));
#endif
    p_ += fill_ >> 3;
    acc_ >>= fill_ & ~7;
    fill_ &= 7;
  }
  // Pads the last byte with zero bits (zlib's bi_windup).
  uint8_t* Align() {
    if (fill_ > 0) *p_++ = static_cast<uint8_t>(acc_);
    fill_ = 0;
    acc_ = 0;
    return p_;
  }
  void PutBytes(const void* data, size_t size) {
    Align();
    std::memcpy(p_, data, size);
    p_ += size;
  }

 private:
  uint8_t* p_;
  uint64_t acc_ = 0;
  int fill_ = 0;
};

// Runs of code lengths as the code-length alphabet sends them (zlib's
// scan_tree and send_tree, which never run across the literal/distance
// boundary), for a tree whose non-zero lengths are exactly those of
// `symbols` (ascending; the last is its max_code). Appends each code to be
// sent as symbol | extra_value << 5 and returns the new end.
//
// zlib walks every length; its counters come down to this per maximal run
// of equal lengths: a run of zeros goes out in chunks of up to 138 (fewer
// than 3 as single zeros, up to 10 as code 17, else 18); a run of a
// non-zero length (always different from the one before it) first as one
// chunk of up to 7 (fewer than 4 singly, else the length and a repeat of
// the rest), then in chunks of up to 6 (fewer than 3 singly, else a
// repeat). Walking the used symbols skips the zeros between them at once.
uint16_t* AppendLengthCodes(const uint8_t* lengths, const uint16_t* symbols, int count,
                            uint16_t* out) {
  const auto emit = [&out](int symbol, int extra) {
    *out++ = static_cast<uint16_t>(symbol | extra << 5);
  };
  int previous = -1;
  for (int i = 0; i < count;) {
    for (int zeros = symbols[i] - previous - 1; zeros > 0;) {
      const int chunk = std::min(zeros, 138);
      if (chunk < 3) {
        for (int k = 0; k < chunk; ++k) emit(0, 0);
      } else if (chunk <= 10) {
        emit(kZeros3To10, chunk - 3);
      } else {
        emit(kZeros11To138, chunk - 11);
      }
      zeros -= chunk;
    }
    const int length = lengths[symbols[i]];
    int run = 1;
    while (i + run < count && symbols[i + run] == symbols[i] + run &&
           lengths[symbols[i + run]] == length) {
      ++run;
    }
    previous = symbols[i + run - 1];
    i += run;
    int chunk = std::min(run, 7);
    if (chunk < 4) {
      for (int k = 0; k < chunk; ++k) emit(length, 0);
    } else {
      emit(length, 0);
      emit(kRep3To6, chunk - 4);
    }
    for (run -= chunk; run > 0; run -= chunk) {
      chunk = std::min(run, 6);
      if (chunk < 3) {
        for (int k = 0; k < chunk; ++k) emit(length, 0);
      } else {
        emit(kRep3To6, chunk - 3);
      }
    }
  }
  return out;
}

// Which symbols of an alphabet are used, one bit each, read from the counts
// after parsing (sixteen at a time where SSE2 is there): listing them from
// the bits costs the used symbols, not the alphabet.
struct UsedSymbols {
  std::array<uint64_t, (kLitCodes + 63) / 64> words{};

  // `freq` must be readable, and zero, up to the next multiple of 64.
  UsedSymbols(const uint16_t* freq, int elems) {
    for (int w = 0; w * 64 < elems; ++w) {
      const uint16_t* f = freq + 64 * w;
      uint64_t bits = 0;
#if defined(__SSE2__)
      const __m128i zero = _mm_setzero_si128();
      for (int i = 0; i < 64; i += 16) {
        const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(f + i));
        const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(f + i + 8));
        const __m128i unused =
            _mm_packs_epi16(_mm_cmpeq_epi16(lo, zero), _mm_cmpeq_epi16(hi, zero));
        bits |= uint64_t{~static_cast<uint32_t>(_mm_movemask_epi8(unused)) & 0xffff} << i;
      }
#else
      for (int i = 0; i < 64; ++i) bits |= uint64_t{f[i] != 0} << i;
#endif
      words[w] = bits;
    }
  }

  // The symbols the tree gives codes, ascending: the used ones and the ones
  // zlib forces in (TreeBuilder::Build). Returns how many.
  int List(uint16_t* symbols) const {
    int count = 0;
    for (size_t w = 0; w < words.size(); ++w) {
      for (uint64_t bits = words[w]; bits != 0; bits &= bits - 1) {
        symbols[count++] = static_cast<uint16_t>(64 * w + __builtin_ctzll(bits));
      }
    }
    if (count == 0) {
      symbols[0] = 0;
      symbols[1] = 1;
    } else if (count == 1 && symbols[0] < 2) {
      symbols[1] = static_cast<uint16_t>(symbols[0] + 1);
    } else if (count == 1) {
      symbols[1] = symbols[0];
      symbols[0] = 0;
    }
    return count < 2 ? 2 : count;
  }
};

// Weights of equal value, `count` of them, in HuffmanCost's queues.
struct WeightRun {
  uint32_t weight;
  uint32_t count;
};

// The cost, in bits, of an optimal Huffman code for the counts of
// `symbols` (the sum of its internal nodes' weights). Every optimal tree
// costs the same whatever its tie-breaks, and a length-limited one no less,
// so this is a lower bound on what zlib's tree costs, needing no heap.
// Token-sized inputs have a few distinct small counts, many times each, so
// the usual two queues (sorted leaves, merged nodes in increasing order)
// hold runs of equal weights, and all the pairs of the smallest weight merge
// in one step, as merging them one pair at a time would. `scratch` needs
// 2 * count entries.
uint32_t HuffmanCost(const uint16_t* freq, const uint16_t* symbols, int count, WeightRun* scratch) {
  WeightRun* const leaves = scratch;
  int leaf_runs = 0;
  uint32_t items = 0;
  // A few counts (the distance tree's, the code-length classes'): an
  // insertion sort, cheaper than clearing and walking the buckets below.
  constexpr int kFewCounts = 8;
  if (count <= kFewCounts) {
    uint32_t sorted[kFewCounts];
    for (int i = 0; i < count; ++i) {
      const uint32_t f = freq[symbols[i]];
      if (f == 0) continue;
      int j = static_cast<int>(items++);
      for (; j > 0 && sorted[j - 1] > f; --j) sorted[j] = sorted[j - 1];
      sorted[j] = f;
    }
    for (uint32_t i = 0; i < items; ++i) {
      if (leaf_runs > 0 && leaves[leaf_runs - 1].weight == sorted[i]) {
        ++leaves[leaf_runs - 1].count;
      } else {
        leaves[leaf_runs++] = {sorted[i], 1};
      }
    }
  } else {
    // Counting sort of the non-zero counts: small ones into buckets, walked
    // up to the largest; the few large ones sorted.
    constexpr uint32_t kSmallCount = 64;
    std::array<uint16_t, kSmallCount> buckets{};
    uint32_t large[kLitCodes];
    int large_count = 0;
    uint32_t max_small = 0;
    for (int i = 0; i < count; ++i) {
      const uint32_t f = freq[symbols[i]];
      const bool is_large = f >= kSmallCount;
      large[large_count] = f;
      large_count += is_large;
      ++buckets[is_large ? 0 : f];  // bucket 0: unused or large
      max_small = !is_large && f > max_small ? f : max_small;
      items += f != 0;
    }
    for (uint32_t f = 1; f <= max_small; ++f) {
      if (buckets[f] != 0) leaves[leaf_runs++] = {f, buckets[f]};
    }
    std::sort(large, large + large_count);
    for (int i = 0; i < large_count; ++i) {
      if (leaf_runs > 0 && leaves[leaf_runs - 1].weight == large[i]) {
        ++leaves[leaf_runs - 1].count;
      } else {
        leaves[leaf_runs++] = {large[i], 1};
      }
    }
  }
  constexpr uint32_t kNone = 0xffffffffu;
  leaves[leaf_runs] = {kNone, 0};
  // Merged nodes come out in non-decreasing order: equal ones join the
  // last run. Both queues end in a sentinel heavier than any weight.
  WeightRun* const merged = scratch + leaf_runs + 1;
  int head = 0;
  int tail = 0;
  merged[0] = {kNone, 0};
  const auto push = [&](uint32_t weight, uint32_t n) {
    if (tail > head && merged[tail - 1].weight == weight) {
      merged[tail - 1].count += n;
    } else {
      merged[tail++] = {weight, n};
      merged[tail] = {kNone, 0};
    }
  };
  int leaf = 0;
  uint32_t cost = 0;
  while (items > 1) {
    // Take every item of the smallest weight.
    const uint32_t weight = std::min(leaves[leaf].weight, merged[head].weight);
    uint32_t n = 0;
    if (leaves[leaf].weight == weight) n += leaves[leaf++].count;
    if (merged[head].weight == weight) n += merged[head++].count;
    const uint32_t pairs = n / 2;
    if (pairs != 0) {
      push(2 * weight, pairs);
      cost += 2 * weight * pairs;
      items -= pairs;
    }
    if (n % 2 != 0) {
      // The odd one out pairs with the next smallest item (there is one:
      // items > 1 still, or a pair was just merged).
      WeightRun& next = merged[head].weight < leaves[leaf].weight ? merged[head] : leaves[leaf];
      const uint32_t sum = weight + next.weight;
      if (--next.count == 0) {
        if (&next == &merged[head]) {
          ++head;
        } else {
          ++leaf;
        }
      }
      push(sum, 1);
      cost += sum;
      --items;
    }
  }
  return cost;
}

// The code-length codes a tree's lengths take, as far as they are known
// from which symbols have codes: zero runs are coded exactly so (zlib's
// scan_tree treats them alike whatever the other lengths), and a run of r
// non-zero lengths takes at least 1 + ceil((r - 1) / 6) codes (one explicit
// length, then repeats of at most 6).
struct LengthCodeCounts {
  uint16_t freq[4] = {};  // symbol 0, symbol 17 (3-10 zeros), 18 (11-138), non-zero
  uint32_t extra_bits = 0;

  void Add(const uint16_t* symbols, int count) {
    int previous = -1;
    int run = 0;
    for (int i = 0; i < count; ++i) {
      int zeros = symbols[i] - previous - 1;
      previous = symbols[i];
      if (zeros > 0) {
        AddNonZeroRun(run);
        run = 0;
      }
      for (; zeros > 0; zeros -= std::min(zeros, 138)) {
        const int chunk = std::min(zeros, 138);
        if (chunk < 3) {
          freq[0] += static_cast<uint16_t>(chunk);
        } else if (chunk <= 10) {
          ++freq[1];
          extra_bits += 3;
        } else {
          ++freq[2];
          extra_bits += 7;
        }
      }
      ++run;
    }
    AddNonZeroRun(run);
  }

 private:
  void AddNonZeroRun(int run) {
    if (run > 0) freq[3] += static_cast<uint16_t>(1 + (run - 1 + 5) / 6);
  }
};

// A lower bound on zlib's max_blindex (the rank in kBlOrder of the last
// code-length code length sent) from the number of codes of the literal and
// distance trees (each >= 2): a complete prefix code of n codes has one no
// longer than floor(log2 n), whose length needs an explicit code-length
// code, so the rank is at least the lowest rank of lengths 1..floor(log2 n).
// A two-code distance tree (lengths 1 and 1) puts it at 17.
int MinLastLengthCodeRank(int lit_coded, int dist_coded) {
  // The lowest rank of a length 1..s, for s = floor(log2 n) up to 9 (n < 2^10).
  static constexpr std::array<uint8_t, 10> kLowestRank = [] {
    std::array<uint8_t, 10> lowest{};
    for (int s = 0; s < 10; ++s) {
      lowest[s] = kBlCodes;
      for (int r = 0; r < kBlCodes; ++r) {
        if (kBlOrder[r] >= 1 && kBlOrder[r] <= s && r < lowest[s])
          lowest[s] = static_cast<uint8_t>(r);
      }
    }
    return lowest;
  }();
  return std::max({3, int{kLowestRank[FloorLog2(static_cast<uint32_t>(lit_coded))]},
                   int{kLowestRank[FloorLog2(static_cast<uint32_t>(dist_coded))]}});
}

// A match found by the parser: the bytes [start, start + length) repeat
// those `distance` bytes before.
struct Match {
  uint16_t start;
  uint16_t distance;
  uint16_t length;
};

// The mask of the hash bits that index the chain heads for an input of
// `size` bytes: at least four heads a position (few positions share a
// bucket), at most all 15 bits (then a bucket is one hash, as in zlib).
uint32_t BucketMask(int size) {
  const int bits = std::min(kHashBits, std::max(8, FloorLog2(static_cast<uint32_t>(size) | 1) + 3));
  return (1u << bits) - 1;
}

// Everything one compression needs, kept per thread. Only as many chain
// heads as the input needs are used and cleared (BucketMask), not zlib's
// 64 KiB table per stream.
struct Workspace {
  std::array<uint16_t, 1u << kHashBits> head{};  // all zero between calls
  std::array<uint16_t, kSmallDeflateMaxInput> hash;
  std::array<uint16_t, kSmallDeflateMaxInput> prev;  // previous position of the same hash
  std::array<uint16_t, kSmallDeflateMaxInput> link;  // previous position of the same bucket
  // The parser's matches; the bytes between them are literals.
  std::array<Match, kSmallDeflateMaxInput / kMinMatch> matches;
  Tree lit;
  Tree dist;
  Tree bl;
  TreeBuilder builder;
  // The code lengths of both trees as code-length codes (at most one each).
  std::array<uint16_t, kLitCodes + kDistCodes> length_codes;
  std::array<uint16_t, kLitCodes + kDistCodes> coded_symbols;
  std::array<WeightRun, 2 * kLitCodes + 2> cost_scratch;
};

// The lazy-matching parser of zlib's deflate_slow, for an input that is all
// in the window from the start. Every position up to size - 3 is inserted
// into its hash chain in increasing order, whatever the parser decides, so
// the chains can be linked up front; position 0 is never a match (zlib's NIL).
class LazyMatcher {
 public:
  LazyMatcher(const uint8_t* data, int size, const uint16_t* prev)
      : data_(data), size_(size), prev_(prev) {}

  // Calls match(start, distance, length) for each match in stream order;
  // the bytes no match covers are the literals. prev must be zero from
  // size - 2 on (no chain starts there: fewer than three bytes are left).
  template <typename Match>
  void Run(Match match) {
    int strstart = 0;
    int match_length = kMinMatch - 1;
    while (strstart < size_) {
      // No match pending: a position without a chain is a literal, and
      // leaves no match pending, so skip to the next one with a chain.
      if (match_length < kMinMatch) {
        strstart = NextChained(strstart);
        if (strstart == size_) break;
      }
      const int lookahead = size_ - strstart;
      const int hash_head = prev_[strstart];
      const int prev_length = match_length;
      const int prev_match = match_start_;
      match_length = kMinMatch - 1;
      // With prev_length >= lookahead the previous match is taken whatever
      // is found here, and zlib's search would look past the input.
      if (hash_head != 0 && prev_length < kMaxLazy && prev_length < lookahead) {
        match_length = LongestMatch(strstart, hash_head, prev_length, lookahead);
        if (match_length == kMinMatch && strstart - match_start_ > kTooFar) {
          match_length = kMinMatch - 1;
        }
      }
      if (prev_length >= kMinMatch && match_length <= prev_length) {
        match(strstart - 1, strstart - 1 - prev_match, prev_length);
        strstart += prev_length - 1;
        match_length = kMinMatch - 1;
      } else {
        ++strstart;
      }
    }
  }

 private:
  // zlib's longest_match: the first longest match along the chain, giving
  // up after the chain limit or at a nice length; match_start_ changes only
  // when a longer match is found. Bytes past the input are never compared:
  // where zlib's comparison runs off the input it stops at the nice length,
  // which is clamped to the bytes left.
  int LongestMatch(int strstart, int cur_match, int best_len, int lookahead) {
    const uint8_t* scan = data_ + strstart;
    int chain = best_len >= kGoodLength ? kMaxChain >> 2 : kMaxChain;
    const int nice = kNiceLength < lookahead ? kNiceLength : lookahead;
    const int max_len = kMaxMatch < lookahead ? kMaxMatch : lookahead;
    // zlib's quick rejection: the two bytes that would end a longer match,
    // and the first two; compared two at a time.
    const uint16_t scan_start = Load16(scan);
    uint16_t scan_end = Load16(scan + best_len - 1);
    do {
      const uint8_t* match = data_ + cur_match;
      if (Load16(match + best_len - 1) != scan_end || Load16(match) != scan_start) continue;
      const int len = CommonLength(scan, match, max_len);
      if (len > best_len) {
        match_start_ = cur_match;
        best_len = len;
        if (len >= nice) break;
        scan_end = Load16(scan + best_len - 1);
      }
    } while ((cur_match = prev_[cur_match]) > 0 && --chain != 0);
    return best_len <= lookahead ? best_len : lookahead;
  }

  // The first position from p on with a chain, or size_: eight at a time
  // where SSE2 is there (a token's random signature has no chains for 32
  // bytes or so), without reading past the input.
  int NextChained(int p) const {
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    for (; p + 8 <= size_; p += 8) {
      const __m128i chains = _mm_loadu_si128(reinterpret_cast<const __m128i*>(prev_ + p));
      const uint32_t unchained =
          static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi16(chains, zero)));
      if (unchained != 0xffff) return p + __builtin_ctz(~unchained) / 2;
    }
#endif
    while (p < size_ && prev_[p] == 0) ++p;
    return p;
  }

  static uint16_t Load16(const uint8_t* p) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
  }

  static int CommonLength(const uint8_t* a, const uint8_t* b, int max_len) {
    int i = 2;  // the first two bytes are known to match
    for (; i + 8 <= max_len; i += 8) {
      uint64_t x;
      uint64_t y;
      std::memcpy(&x, a + i, 8);
      std::memcpy(&y, b + i, 8);
      if (x != y) {
        // Little-endian: the lowest differing bit is in the first differing byte.
        if (IsLittleEndian()) return i + __builtin_ctzll(x ^ y) / 8;
        break;
      }
    }
    while (i < max_len && a[i] == b[i]) ++i;
    return i;
  }

  static bool IsLittleEndian() {
    const uint16_t one = 1;
    uint8_t first;
    std::memcpy(&first, &one, 1);
    return first == 1;
  }

  const uint8_t* data_;
  int size_;
  const uint16_t* prev_;
  int match_start_ = 0;
};

void PutU16Le(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}

void PutAdler32(std::string_view input, uint8_t* p) {
  const uint32_t adler = Adler32(input);
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(adler >> (24 - 8 * i));
}

// Emits the block's symbols with the given codes (zlib's compress_block):
// the literals between the matches, two at a time, and the matches.
void SendSymbols(const uint8_t* data, int size, const Match* matches, int match_count,
                 const uint16_t* lit_codes, const uint8_t* lit_lengths, const uint16_t* dist_codes,
                 const uint8_t* dist_lengths, BitWriter& bits) {
  int pos = 0;
  for (int m = 0; m <= match_count; ++m) {
    const int end = m < match_count ? matches[m].start : size;
    for (; pos + 1 < end; pos += 2) {
      const int a = data[pos];
      const int b = data[pos + 1];
      bits.Put(lit_codes[a] | uint64_t{lit_codes[b]} << lit_lengths[a],
               lit_lengths[a] + lit_lengths[b]);
    }
    if (pos < end) {
      bits.Put(lit_codes[data[pos]], lit_lengths[data[pos]]);
      ++pos;
    }
    if (m == match_count) break;
    // Length code, its extra bits, distance code, its extra bits: at most
    // 15 + 5 + 15 + 13 bits, one Put.
    const int value = matches[m].length - kMinMatch;
    const uint32_t distance = matches[m].distance;
    const int lcode = LengthCode(value);
    const int dcode = DistCode(distance - 1);
    const int lsym = kEndBlock + 1 + lcode;
    uint64_t word = lit_codes[lsym];
    int count = lit_lengths[lsym];
    // Code 285 (length 258) has no extra bits, though value - base is -1.
    const uint32_t length_extra =
        static_cast<uint32_t>(value - LengthBase(lcode)) & ((1u << kLengthExtraBits[lcode]) - 1);
    word |= uint64_t{length_extra} << count;
    count += kLengthExtraBits[lcode];
    word |= uint64_t{dist_codes[dcode]} << count;
    count += dist_lengths[dcode];
    word |= uint64_t{distance - 1 - DistBase(dcode)} << count;
    count += kDistExtraBits[dcode];
    bits.Put(word, count);
    pos += matches[m].length;
  }
  bits.Put(lit_codes[kEndBlock], lit_lengths[kEndBlock]);
}

}  // namespace

bool SmallDeflate(std::string_view input, std::string* out) {
  if (input.size() > kSmallDeflateMaxInput) return false;
  static const Tables tables;
  // On the heap, not in every thread's static TLS block (about 130 KiB).
  thread_local const std::unique_ptr<Workspace> workspace = std::make_unique<Workspace>();
  Workspace& ws = *workspace;
  const auto* data = reinterpret_cast<const uint8_t*>(input.data());
  const int size = static_cast<int>(input.size());

  // Link every position to the previous one with the same 15-bit hash
  // (zlib's prev[]), then leave the heads all zero again. The heads are
  // indexed by the hash's low bits only, sized to the input, so they stay in
  // L1 instead of spreading over zlib's 64 KiB table: a bucket's positions
  // are linked in `link`, and each position's zlib predecessor is the latest
  // earlier one in its bucket with the same full hash. A walk skips an
  // entry only for the first later position of each other hash in the
  // bucket, and at most 2^(15 - bucket bits) hashes share one (32 for
  // token-sized inputs): the walks cost at most that many steps a position.
  const int last_insert = size - kMinMatch;
  const uint32_t bucket_mask = BucketMask(size);
  // zlib's rolling hash: each byte shifts the earlier ones up by 5 bits, so
  // after three bytes only those three are left in the 15 bits. Computed
  // from the three bytes, in a loop of its own: no chain from one position
  // to the next, so the compiler vectorizes it.
  for (int p = 0; p <= last_insert; ++p) {
    ws.hash[p] = static_cast<uint16_t>(((uint32_t{data[p]} << (2 * kHashShift)) ^
                                        (uint32_t{data[p + 1]} << kHashShift) ^ data[p + 2]) &
                                       kHashMask);
  }
  for (int p = 0; p <= last_insert; ++p) {
    const uint32_t h = ws.hash[p];
    uint32_t q = ws.head[h & bucket_mask];
    ws.link[p] = static_cast<uint16_t>(q);
    // Position 0 ends every walk: it is zlib's NIL, never a match.
    while (q != 0 && ws.hash[q] != h) q = ws.link[q];
    ws.prev[p] = static_cast<uint16_t>(q);
    ws.head[h & bucket_mask] = static_cast<uint16_t>(p);
  }
  // At most eight heads a byte (or 256): clearing them all is a short memset.
  std::memset(ws.head.data(), 0, (bucket_mask + 1) * sizeof(ws.head[0]));

  // No chain starts in the last two bytes.
  for (int p = std::max(0, last_insert + 1); p < size; ++p) ws.prev[p] = 0;

  // Literal counts: every byte, less those the matches cover.
  for (int p = 0; p < size; ++p) ++ws.lit.freq[data[p]];
  ws.lit.freq[kEndBlock] = 1;
  int match_count = 0;
  LazyMatcher(data, size, ws.prev.data()).Run([&](int start, int distance, int length) {
    ws.matches[match_count++] = {static_cast<uint16_t>(start), static_cast<uint16_t>(distance),
                                 static_cast<uint16_t>(length)};
    for (int i = 0; i < length; ++i) --ws.lit.freq[data[start + i]];
    ++ws.lit.freq[kEndBlock + 1 + LengthCode(length - kMinMatch)];
    ++ws.dist.freq[DistCode(static_cast<uint32_t>(distance - 1))];
  });

  // zlib's _tr_flush_block: dynamic trees, costed against fixed codes and a
  // stored block. Building zlib's exact trees is most of the work, and for
  // most token payloads a fixed-code or stored block wins; a lower bound on
  // the dynamic block's cost often proves that without the trees.
  enum class Block { kStored, kFixed, kDynamic };
  Block block;
  // zlib's opt_len = data bits + code-length code bits and their extra bits
  // + 3 bits per code-length code length sent (at least 4) + 5 + 5 + 4.
  uint16_t* const lit_symbols = ws.coded_symbols.data();
  uint16_t* const dist_symbols = lit_symbols + kLitCodes;
  const int lit_coded = UsedSymbols(ws.lit.freq.data(), kLitCodes).List(lit_symbols);
  const int dist_coded = UsedSymbols(ws.dist.freq.data(), kDistCodes).List(dist_symbols);
  // The block's cost in fixed codes (zlib's static_len), and the extra bits
  // of lengths and distances, which every block type but stored pays.
  uint32_t static_len = 0;
  uint32_t extra_len = 0;
  for (int i = 0; i < lit_coded; ++i) {
    const int n = lit_symbols[i];
    static_len += ws.lit.freq[n] * uint32_t{tables.lit.fixed_cost[n]};
    extra_len += ws.lit.freq[n] * uint32_t{tables.lit.extra_bits[n]};
  }
  for (int i = 0; i < dist_coded; ++i) {
    const int n = dist_symbols[i];
    static_len += ws.dist.freq[n] * uint32_t{tables.dist.fixed_cost[n]};
    extra_len += ws.dist.freq[n] * uint32_t{tables.dist.extra_bits[n]};
  }
  const uint32_t static_bytes = (static_len + 3 + 7) >> 3;
  const uint32_t stored_bytes = static_cast<uint32_t>(size) + 4;
  LengthCodeCounts length_code_counts;
  length_code_counts.Add(lit_symbols, lit_coded);
  length_code_counts.Add(dist_symbols, dist_coded);
  WeightRun* const scratch = ws.cost_scratch.data();
  const uint16_t all_four[4] = {0, 1, 2, 3};
  const uint32_t lower_bound =
      extra_len + HuffmanCost(ws.lit.freq.data(), lit_symbols, lit_coded, scratch) +
      HuffmanCost(ws.dist.freq.data(), dist_symbols, dist_coded, scratch) +
      HuffmanCost(length_code_counts.freq, all_four, 4, scratch) + length_code_counts.extra_bits +
      3 * (MinLastLengthCodeRank(lit_coded, dist_coded) + 1) + 5 + 5 + 4;
  const uint32_t lower_bound_bytes = (lower_bound + 3 + 7) >> 3;

  TreeBuilder& builder = ws.builder;
  int max_blindex = 0;
  const uint16_t* length_codes_end = ws.length_codes.data();
  if (static_bytes <= lower_bound_bytes) {
    // zlib's dynamic cost is no smaller: fixed, unless stored is smaller.
    block = stored_bytes <= static_bytes ? Block::kStored : Block::kFixed;
  } else if (stored_bytes <= lower_bound_bytes && stored_bytes <= static_bytes) {
    block = Block::kStored;
  } else {
    builder.opt_len = 0;
    builder.static_len = 0;
    builder.Build(ws.lit, tables.lit, lit_symbols, lit_coded);
    builder.Build(ws.dist, tables.dist, dist_symbols, dist_coded);
    uint16_t* const end = AppendLengthCodes(
        ws.dist.len.data(), dist_symbols, dist_coded,
        AppendLengthCodes(ws.lit.len.data(), lit_symbols, lit_coded, ws.length_codes.data()));
    length_codes_end = end;
    for (const uint16_t* c = ws.length_codes.data(); c != end; ++c) ++ws.bl.freq[*c & 31];
    builder.Build(ws.bl, tables.bl, kAllBl.data(), kBlCodes);
    max_blindex = kBlCodes - 1;
    for (; max_blindex >= 3; --max_blindex) {
      if (ws.bl.len[kBlOrder[max_blindex]] != 0) break;
    }
    builder.opt_len += 3 * (static_cast<uint32_t>(max_blindex) + 1) + 5 + 5 + 4;
    uint32_t opt_bytes = (builder.opt_len + 3 + 7) >> 3;
    if (static_bytes <= opt_bytes) opt_bytes = static_bytes;
    block = stored_bytes <= opt_bytes   ? Block::kStored
            : static_bytes == opt_bytes ? Block::kFixed
                                        : Block::kDynamic;
  }

  // The counts are all zero again for the next call: clearing only the used
  // entries costs the symbols used, not the alphabets.
  for (int i = 0; i < lit_coded; ++i) ws.lit.freq[lit_symbols[i]] = 0;
  for (int i = 0; i < dist_coded; ++i) ws.dist.freq[dist_symbols[i]] = 0;
  std::fill_n(ws.bl.freq.begin(), kBlCodes, 0);

  // Header (CMF 0x78: deflate, 32 KiB window; FLG 0x9c: level 6, check
  // bits), the block, at most size + 5 bytes, and the Adler-32.
  const size_t start = out->size();
  out->resize(start + 2 + size + 5 + 4 + 8);  // + 8: the bit writer's last word
  auto* begin = reinterpret_cast<uint8_t*>(out->data() + start);
  begin[0] = 0x78;
  begin[1] = 0x9c;
  BitWriter bits(begin + 2);
  constexpr int kLastBlock = 1;
  if (block == Block::kStored) {
    bits.Put((0 << 1) | kLastBlock, 3);
    uint8_t lengths[4];
    PutU16Le(lengths, static_cast<uint32_t>(size));
    PutU16Le(lengths + 2, ~static_cast<uint32_t>(size) & 0xffff);
    bits.PutBytes(lengths, 4);
    bits.PutBytes(data, input.size());
  } else if (block == Block::kFixed) {
    bits.Put((1 << 1) | kLastBlock, 3);
    SendSymbols(data, size, ws.matches.data(), match_count, tables.fixed_lit_codes.data(),
                tables.fixed_lit_lengths.data(), tables.fixed_dist_codes.data(),
                tables.fixed_dist_lengths.data(), bits);
  } else {
    AssignTreeCodes(ws.lit, lit_symbols, lit_coded);
    AssignTreeCodes(ws.dist, dist_symbols, dist_coded);
    AssignTreeCodes(ws.bl, kAllBl.data(), kBlCodes);
    bits.Put((2 << 1) | kLastBlock, 3);
    bits.Put(static_cast<uint32_t>(ws.lit.max_code + 1 - 257), 5);
    bits.Put(static_cast<uint32_t>(ws.dist.max_code + 1 - 1), 5);
    bits.Put(static_cast<uint32_t>(max_blindex + 1 - 4), 4);
    for (int rank = 0; rank <= max_blindex; ++rank) bits.Put(ws.bl.len[kBlOrder[rank]], 3);
    for (const uint16_t* c = ws.length_codes.data(); c != length_codes_end; ++c) {
      const int symbol = *c & 31;
      bits.Put(ws.bl.code[symbol], ws.bl.len[symbol]);
      if (kBlExtraBits[symbol] != 0) bits.Put(*c >> 5, kBlExtraBits[symbol]);
    }
    SendSymbols(data, size, ws.matches.data(), match_count, ws.lit.code.data(), ws.lit.len.data(),
                ws.dist.code.data(), ws.dist.len.data(), bits);
  }
  uint8_t* end = bits.Align();
  PutAdler32(input, end);
  out->resize(static_cast<size_t>(end + 4 - reinterpret_cast<uint8_t*>(out->data())));
  return true;
}

bool StoredDeflate(std::string_view input, std::string* out) {
  constexpr size_t kMaxStored = 65535;
  if (input.size() > kMaxStored) return false;
  const size_t start = out->size();
  out->resize(start + 2 + 5 + input.size() + 4);
  auto* p = reinterpret_cast<uint8_t*>(out->data() + start);
  // CMF 0x18: deflate with a 512-byte window (windowBits 9); FLG 0x19:
  // level 0 and the check bits.
  p[0] = 0x18;
  p[1] = 0x19;
  p[2] = 0x01;  // the final block, stored, padded to a byte
  PutU16Le(p + 3, static_cast<uint32_t>(input.size()));
  PutU16Le(p + 5, ~static_cast<uint32_t>(input.size()) & 0xffff);
  if (!input.empty()) std::memcpy(p + 7, input.data(), input.size());
  PutAdler32(input, p + 7 + input.size());
  return true;
}

}  // namespace agora_token
