#include "core/compression.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>

#include "core/small_deflate.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define AGORA_TOKEN_ADLER32_SSSE3 1
#endif

namespace agora_token {
namespace {

// A deflate stream kept for the life of a thread and reset per use.
class DeflateStream {
 public:
  // Compatible mode must use deflateInit's defaults (window 15, memLevel 8)
  // to match the reference builders byte for byte. Fast mode stores the
  // payload, so the smallest window and hash table make its reset cheap.
  explicit DeflateStream(Compression mode) {
    const bool fast = mode == Compression::kFast;
    const int rc = deflateInit2(&stream_, fast ? Z_NO_COMPRESSION : Z_DEFAULT_COMPRESSION,
                                Z_DEFLATED, fast ? 9 : 15, fast ? 1 : 8, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) std::abort();  // only on out-of-memory
  }
  ~DeflateStream() { deflateEnd(&stream_); }
  DeflateStream(const DeflateStream&) = delete;
  DeflateStream& operator=(const DeflateStream&) = delete;

  void Compress(std::string_view payload, std::string* out) {
    deflateReset(&stream_);
    const size_t start = out->size();
    const uLong bound = deflateBound(&stream_, payload.size());
    out->resize(start + bound);
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
    stream_.avail_in = static_cast<uInt>(payload.size());
    stream_.next_out = reinterpret_cast<Bytef*>(out->data() + start);
    stream_.avail_out = static_cast<uInt>(bound);
    // deflateBound guarantees one call finishes the stream.
    if (deflate(&stream_, Z_FINISH) != Z_STREAM_END) std::abort();
    out->resize(start + stream_.total_out);
  }

 private:
  z_stream stream_{};
};

// An inflate stream kept for the life of a thread and reset per use.
class InflateStream {
 public:
  InflateStream() {
    if (inflateInit(&stream_) != Z_OK) std::abort();  // only on out-of-memory
  }
  ~InflateStream() { inflateEnd(&stream_); }
  InflateStream(const InflateStream&) = delete;
  InflateStream& operator=(const InflateStream&) = delete;

  z_stream& Reset() {
    inflateReset(&stream_);
    return stream_;
  }

 private:
  z_stream stream_{};
};

// Inflates the streams the builders write, one final stored or fixed-code
// block, without zlib's per-call setup (inflateReset, its window, the
// Z_BLOCK round trips). Returns true with `out` filled only for a stream that
// zlib accepts with the same bytes and that ZlibDecompress's own checks
// (padding, trailing bytes, limit) pass; anything else, including every
// error, returns false and goes to zlib, which gives the verdict and message.
class SimpleInflater {
 public:
  SimpleInflater(std::string_view stream, size_t limit, std::string* out)
      : in_(reinterpret_cast<const uint8_t*>(stream.data())),
        size_(stream.size()),
        limit_(limit),
        out_(out) {}

  bool Run() {
    // CMF: deflate, window <= 32 KiB; FLG: check bits, no preset dictionary.
    if (size_ < 2 + 1 + 4) return false;
    const uint32_t cmf = in_[0];
    const uint32_t flg = in_[1];
    if ((cmf & 0x0f) != 8 || (cmf >> 4) > 7 || (cmf << 8 | flg) % 31 != 0 || (flg & 0x20)) {
      return false;
    }
    pos_ = 2;
    Refill();
    const uint32_t header = Take(3);
    if (bits_ < 0 || (header & 1) == 0) return false;  // one final block only
    const size_t room = std::min(limit_, 4 * size_ + 256);
    if (out_->size() < room) out_->resize(room);
    bool done = false;
    if ((header >> 1) == 0) {
      done = Stored();
    } else if ((header >> 1) == 1) {
      done = Fixed();
    }
    if (!done || bits_ < 0) return false;
    // Give back whole bytes read ahead; what is left of the last byte is
    // padding, which must be zero, as ZlibDecompress requires.
    pos_ -= static_cast<size_t>(bits_ / 8);
    bits_ %= 8;
    if ((buffer_ & ((uint64_t{1} << bits_) - 1)) != 0) return false;
    if (size_ - pos_ != 4) return false;  // the Adler-32, then nothing
    const uint32_t stored = uint32_t{in_[pos_]} << 24 | uint32_t{in_[pos_ + 1]} << 16 |
                            uint32_t{in_[pos_ + 2]} << 8 | in_[pos_ + 3];
    out_->resize(written_);
    return Adler32({out_->data(), written_}) == stored;
  }

 private:
  // Tops the bit buffer up to at least 56 bits, or to the end of the input.
  // Eight bytes at once where there are eight: bits of a byte loaded twice
  // land at the same place, so the overlap is harmless.
  void Refill() {
    if (size_ - pos_ >= 8) {
      uint64_t word;
      std::memcpy(&word, in_ + pos_, 8);
      if (!IsLittleEndian()) word = __builtin_bswap64(word);
      buffer_ |= word << bits_;
      pos_ += static_cast<size_t>((63 - bits_) >> 3);
      bits_ |= 56;
      return;
    }
    while (bits_ <= 56 && pos_ < size_) {
      buffer_ |= uint64_t{in_[pos_++]} << bits_;
      bits_ += 8;
    }
  }

  // The next `count` bits, LSB first, from a buffer already refilled; a
  // short buffer (the input ended) makes bits_ negative, which callers check.
  uint32_t Take(int count) {
    const auto v = static_cast<uint32_t>(buffer_ & ((uint64_t{1} << count) - 1));
    buffer_ >>= count;
    bits_ -= count;
    return v;
  }

  static bool IsLittleEndian() {
    const uint16_t one = 1;
    uint8_t first;
    std::memcpy(&first, &one, 1);
    return first == 1;
  }

  // Makes the output at least `n` bytes long, within the limit.
  bool Room(size_t n) {
    if (n > limit_) return false;
    if (n <= out_->size()) return true;
    out_->resize(std::min(limit_, std::max(n, 2 * out_->size())));
    return true;
  }

  bool Stored() {
    // Padding to the byte must be zero (ZlibDecompress's pre-check).
    if ((buffer_ & ((uint64_t{1} << (bits_ % 8)) - 1)) != 0) return false;
    pos_ -= static_cast<size_t>(bits_ / 8);  // back to the byte after the header's
    bits_ = 0;
    buffer_ = 0;
    if (size_ - pos_ < 4) return false;
    const uint32_t len = in_[pos_] | uint32_t{in_[pos_ + 1]} << 8;
    const uint32_t nlen = in_[pos_ + 2] | uint32_t{in_[pos_ + 3]} << 8;
    pos_ += 4;
    if ((len ^ 0xffff) != nlen || size_ - pos_ < len || !Room(written_ + len)) return false;
    std::memcpy(out_->data() + written_, in_ + pos_, len);
    written_ += len;
    pos_ += len;
    return true;
  }

  // Locals, not members, in the loop: the output is written through char
  // pointers, which may alias anything, so members would be reloaded after
  // every byte.
  bool Fixed() {
    const FixedCodes& codes = FixedCodes::Get();
    uint64_t buffer = buffer_;
    int bits = bits_;
    size_t pos = pos_;
    size_t written = written_;
    char* out = out_->data();
    size_t room = out_->size();
    const auto refill = [&] {
      if (size_ - pos >= 8) {
        uint64_t word;
        std::memcpy(&word, in_ + pos, 8);
        if (!IsLittleEndian()) word = __builtin_bswap64(word);
        buffer |= word << bits;
        pos += static_cast<size_t>((63 - bits) >> 3);
        bits |= 56;
        return;
      }
      while (bits <= 56 && pos < size_) {
        buffer |= uint64_t{in_[pos++]} << bits;
        bits += 8;
      }
    };
    const auto take = [&](int count) {
      const auto v = static_cast<uint32_t>(buffer & ((uint64_t{1} << count) - 1));
      buffer >>= count;
      bits -= count;
      return v;
    };
    const auto make_room = [&](size_t n) {
      if (n > limit_) return false;
      if (n <= room) return true;
      out_->resize(std::min(limit_, std::max(n, 2 * room)));
      out = out_->data();
      room = out_->size();
      return true;
    };
    const auto copy_match = [&](size_t match, size_t distance) {
      char* dst = out + written;
      const char* src = dst - distance;
      for (size_t i = 0; i < match; ++i) dst[i] = src[i];  // may overlap forward
      written += match;
    };
    // The longest match, and the two literals a fast step may write.
    constexpr size_t kFastRoom = 258 + 2;
    bool ok = false;
    for (;;) {
      // Fast steps while eight input bytes and room for a longest match are
      // at hand: no per-byte output or truncation checks, and the buffer
      // kept at 56+ bits (two literals then a length and distance need at
      // most 9 + 9 + 8 + 5 + 5 + 13). Each step looks its codes up in the
      // buffer it starts with and refills at its end from a word loaded at
      // its start, so the input load is off the chain of lookups.
      if (size_ - pos >= 8 && bits < 64 && room - written >= kFastRoom) {
        const auto load = [&] {
          uint64_t word;
          std::memcpy(&word, in_ + pos, 8);
          return IsLittleEndian() ? word : __builtin_bswap64(word);
        };
        const auto merge = [&](uint64_t word) {
          buffer |= word << bits;
          pos += static_cast<size_t>((63 - bits) >> 3);
          bits |= 56;
        };
        merge(load());
        int result = 0;  // 1: end of block, -1: invalid
        do {
          const uint64_t word = load();
          uint32_t entry = codes.lit[buffer & 511];
          const uint32_t after8 = codes.lit[(buffer >> 8) & 511];
          const uint32_t after9 = codes.lit[(buffer >> 9) & 511];
          if ((entry & 511) < 256) {
            const int length = static_cast<int>(entry >> 9);
            out[written++] = static_cast<char>(entry & 0xff);
            take(length);
            entry = length == 8 ? after8 : after9;  // both looked up at once
            if ((entry & 511) < 256) {
              out[written++] = static_cast<char>(entry & 0xff);
              take(static_cast<int>(entry >> 9));
              merge(word);
              continue;
            }
          }
          take(static_cast<int>(entry >> 9));
          const int symbol = static_cast<int>(entry & 511);
          if (symbol == 256) {
            result = 1;
            break;
          }
          if (symbol > 285) {  // 286 and 287 are invalid
            result = -1;
            break;
          }
          const int l = symbol - 257;
          const size_t match = kLengthBase[l] + take(kLengthExtra[l]);
          const int d = codes.dist[take(5)];
          const size_t distance = d > 29 ? SIZE_MAX : kDistBase[d] + take(kDistExtra[d]);
          if (distance > written) {  // also codes 30 and 31, which are invalid
            result = -1;
            break;
          }
          copy_match(match, distance);
          merge(word);
        } while (size_ - pos >= 8 && room - written >= kFastRoom);
        if (result == 1) {
          ok = true;
          break;
        }
        if (result < 0) break;
        continue;
      }
      // 56 bits hold the longest symbol: 9 + 5 length, 5 + 13 distance bits.
      if (bits < 32) refill();
      const uint16_t entry = codes.lit[buffer & 511];
      const int symbol = entry & 511;
      // Two literals a step where they follow each other: a literal's code
      // is 8 or 9 bits, so the next one's entry is looked up for both
      // lengths at once instead of after this one's length is known (the
      // lookup-then-shift chain per symbol was the loop's whole cost).
      const uint16_t after8 = codes.lit[(buffer >> 8) & 511];
      const uint16_t after9 = codes.lit[(buffer >> 9) & 511];
      if (symbol < 256) {
        const int length = entry >> 9;
        const uint16_t next = length == 8 ? after8 : after9;
        const int both = length + (next >> 9);
        if ((next & 511) < 256 && bits >= both && room - written >= 2) {
          out[written] = static_cast<char>(symbol);
          out[written + 1] = static_cast<char>(next & 511);
          written += 2;
          take(both);
          continue;
        }
      }
      take(entry >> 9);
      if (bits < 0) break;  // truncated
      if (symbol < 256) {
        if (written == room && !make_room(written + 1)) break;
        out[written++] = static_cast<char>(symbol);
        continue;
      }
      if (symbol == 256) {
        ok = true;
        break;
      }
      if (symbol > 285) break;  // 286 and 287 are invalid
      const int l = symbol - 257;
      const size_t match = kLengthBase[l] + take(kLengthExtra[l]);
      const int d = codes.dist[take(5)];
      if (d > 29) break;  // 30 and 31 are invalid
      const size_t distance = kDistBase[d] + take(kDistExtra[d]);
      if (bits < 0 || distance > written || !make_room(written + match)) break;
      copy_match(match, distance);
    }
    buffer_ = buffer;
    bits_ = bits;
    pos_ = pos;
    written_ = written;
    return ok;
  }

  // The fixed literal/length codes by their next 9 input bits (symbol | code
  // length << 9), and the distance codes by their next 5 bits.
  struct FixedCodes {
    std::array<uint16_t, 512> lit{};
    std::array<uint8_t, 32> dist{};

    static const FixedCodes& Get() {
      static const FixedCodes codes;
      return codes;
    }

    FixedCodes() {
      const auto reverse = [](uint32_t code, int length) {
        uint32_t r = 0;
        for (int i = 0; i < length; ++i) r |= ((code >> i) & 1) << (length - 1 - i);
        return r;
      };
      // RFC 1951 3.2.6.
      for (int symbol = 0; symbol < 288; ++symbol) {
        int length;
        uint32_t code;
        if (symbol < 144) {
          length = 8, code = 0x30 + symbol;
        } else if (symbol < 256) {
          length = 9, code = 0x190 + (symbol - 144);
        } else if (symbol < 280) {
          length = 7, code = symbol - 256;
        } else {
          length = 8, code = 0xc0 + (symbol - 280);
        }
        for (uint32_t k = reverse(code, length); k < 512; k += 1u << length) {
          lit[k] = static_cast<uint16_t>(symbol | length << 9);
        }
      }
      for (uint32_t d = 0; d < 32; ++d) dist[reverse(d, 5)] = static_cast<uint8_t>(d);
    }
  };

  static constexpr uint16_t kLengthBase[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                               15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                               67, 83, 99, 115, 131, 163, 195, 227, 258};
  static constexpr uint8_t kLengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                               2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
  static constexpr uint16_t kDistBase[30] = {
      1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
      193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
  static constexpr uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                             6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

  const uint8_t* in_;
  size_t size_;
  size_t pos_ = 0;
  uint64_t buffer_ = 0;
  int bits_ = 0;  // valid bits in buffer_; negative once a read ran past the input
  size_t limit_;
  std::string* out_;
  size_t written_ = 0;
};

// CRC-32 (the zlib/PNG polynomial, reflected) eight bytes per step: every
// 006 token takes two, of a channel name and a uid, and for such short
// strings zlib's crc32 costs more in setup than in bytes.
struct Crc32Tables {
  std::array<std::array<uint32_t, 256>, 8> t{};

  constexpr Crc32Tables() {
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; ++n) {
      for (size_t k = 1; k < 8; ++k) t[k][n] = t[0][t[k - 1][n] & 0xff] ^ (t[k - 1][n] >> 8);
    }
  }
};
constexpr Crc32Tables kCrc32;

constexpr uint32_t kAdlerBase = 65521;

#ifdef AGORA_TOKEN_ADLER32_SSSE3
// Adler-32 sixteen bytes a step with SSSE3 (chosen at run time): per step,
// b gains 16a plus the bytes weighted 16..1 and a the bytes' sum. Runs of at
// most 4096 bytes keep every 32-bit lane, and the sums, below overflow
// (zlib's NMAX bound is 5552). Returns the bytes done; *a and *b reduced.
__attribute__((target("ssse3"))) size_t Adler32Ssse3(const uint8_t* p, size_t n, uint32_t* a,
                                                     uint32_t* b) {
  constexpr size_t kMaxSteps = 4096 / 16;
  const __m128i weights = _mm_setr_epi8(16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
  const __m128i ones = _mm_set1_epi16(1);
  const __m128i zero = _mm_setzero_si128();
  const auto sum_lanes = [](__m128i v) {
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 3, 2)));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(2, 3, 0, 1)));
    return static_cast<uint32_t>(_mm_cvtsi128_si32(v));
  };
  size_t done = 0;
  while (n - done >= 16) {
    size_t steps = (n - done) / 16;
    if (steps > kMaxSteps) steps = kMaxSteps;
    *b += *a * 16 * static_cast<uint32_t>(steps);  // the a this run starts with
    __m128i starts = zero;                         // this run's byte sum at the start of each step
    __m128i sums = zero;                           // this run's byte sum
    __m128i weighted = zero;                       // the bytes weighted 16..1 within their step
    for (size_t k = 0; k < steps; ++k, done += 16) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + done));
      starts = _mm_add_epi32(starts, sums);
      sums = _mm_add_epi32(sums, _mm_sad_epu8(x, zero));
      weighted = _mm_add_epi32(weighted, _mm_madd_epi16(_mm_maddubs_epi16(x, weights), ones));
    }
    *b += sum_lanes(_mm_add_epi32(weighted, _mm_slli_epi32(starts, 4)));
    *a += sum_lanes(sums);
    *a %= kAdlerBase;
    *b %= kAdlerBase;
  }
  return done;
}

bool HasSsse3() {
  static const bool has = __builtin_cpu_supports("ssse3");
  return has;
}
#endif

}  // namespace

uint32_t Crc32(std::string_view data) {
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t n = data.size();
  uint32_t c = 0xffffffffu;
  const auto& t = kCrc32.t;
  for (; n >= 8; n -= 8, p += 8) {
    const uint32_t lo =
        c ^ (p[0] | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24);
    c = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
        t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
  }
  for (; n > 0; --n, ++p) c = t[0][(c ^ *p) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

uint32_t Adler32(std::string_view data) {
  // zlib's NMAX: the most bytes before the sums could overflow 32 bits.
  constexpr size_t kMaxRun = 5552;
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t n = data.size();
  uint32_t a = 1;
  uint32_t b = 0;
#ifdef AGORA_TOKEN_ADLER32_SSSE3
  if (HasSsse3()) {
    const size_t done = Adler32Ssse3(p, n, &a, &b);
    p += done;
    n -= done;
  }
#endif
  while (n > 0) {
    size_t run = n < kMaxRun ? n : kMaxRun;
    n -= run;
    // Eight bytes add 8a to b, plus each byte weighted by how many of the
    // eight running sums it is in; the chain of dependent adds is shorter.
    for (; run >= 8; run -= 8, p += 8) {
      b +=
          8 * a + 8 * p[0] + 7 * p[1] + 6 * p[2] + 5 * p[3] + 4 * p[4] + 3 * p[5] + 2 * p[6] + p[7];
      a += p[0] + p[1] + p[2] + p[3] + p[4] + p[5] + p[6] + p[7];
    }
    for (; run > 0; --run) {
      a += *p++;
      b += a;
    }
    a %= kAdlerBase;
    b %= kAdlerBase;
  }
  return b << 16 | a;
}

void ZlibCompress(std::string_view payload, Compression mode, std::string* out) {
  // zlib only for what the small deflaters refuse (inputs beyond any token's).
  if (mode == Compression::kFast) {
    if (StoredDeflate(payload, out)) return;
    thread_local DeflateStream fast(Compression::kFast);
    fast.Compress(payload, out);
  } else {
    if (SmallDeflate(payload, out)) return;
    thread_local DeflateStream compatible(Compression::kCompatible);
    compatible.Compress(payload, out);
  }
}

bool InflateSimpleStream(std::string_view stream, size_t limit, std::string* out) {
  return SimpleInflater(stream, limit, out).Run();
}

absl::Status ZlibDecompress(std::string_view stream, size_t limit, std::string* out) {
  if (SimpleInflater(stream, limit, out).Run()) return absl::OkStatus();
  return ZlibDecompressReference(stream, limit, out);
}

absl::Status ZlibDecompressReference(std::string_view stream, size_t limit, std::string* out) {
  // A leading stored block pads its 3 header bits to a byte boundary and
  // zlib skips those padding bits unread: require them to be zero.
  constexpr size_t kZlibHeaderSize = 2;
  if (stream.size() > kZlibHeaderSize) {
    const auto first = static_cast<uint8_t>(stream[kZlibHeaderSize]);
    const bool stored = ((first >> 1) & 3) == 0;
    if (stored && (first >> 3) != 0) {
      return absl::InvalidArgumentError("token: non-canonical compressed payload");
    }
  }

  thread_local InflateStream inflater;
  z_stream& zs = inflater.Reset();
  // Grow the output as needed, one spare byte past `limit` so "exactly
  // limit" and "more" differ.
  out->resize(std::min(limit + 1, std::max<size_t>(256, stream.size() * 4)));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(stream.data()));
  zs.avail_in = static_cast<uInt>(stream.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(out->size());

  // Z_BLOCK returns at every block boundary, which exposes the padding bits
  // after the final block (zlib skips them unread before the checksum).
  bool checked_final_padding = false;
  for (;;) {
    const int rc = inflate(&zs, Z_BLOCK);
    if (rc == Z_STREAM_END) break;
    if (zs.avail_out == 0) {
      if (out->size() > limit) {
        return absl::InvalidArgumentError(
            "token: compressed payload inflates beyond the size limit");
      }
      out->resize(std::min(limit + 1, out->size() * 2));
      zs.next_out = reinterpret_cast<Bytef*>(out->data() + zs.total_out);
      zs.avail_out = static_cast<uInt>(out->size() - zs.total_out);
      if (rc == Z_BUF_ERROR) continue;  // it only lacked room
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return absl::InvalidArgumentError("token: corrupt compressed payload");
    }
    // data_type: 128 = at a block boundary, 64 = the last block was read,
    // low 3 bits = unused bits of the last input byte.
    const bool after_final_block = (zs.data_type & 128) && (zs.data_type & 64);
    if (after_final_block && !checked_final_padding) {
      checked_final_padding = true;
      const int unused_bits = zs.data_type & 7;
      const auto last = static_cast<uint8_t>(*(zs.next_in - 1));
      if (unused_bits > 0 && (last >> (8 - unused_bits)) != 0) {
        return absl::InvalidArgumentError("token: non-canonical compressed payload");
      }
    }
    if (zs.avail_in == 0) return absl::InvalidArgumentError("token: truncated compressed payload");
    // Input and room left but no progress: the stream cannot continue.
    if (rc == Z_BUF_ERROR) return absl::InvalidArgumentError("token: corrupt compressed payload");
  }
  if (zs.avail_in != 0) {
    return absl::InvalidArgumentError("token: trailing bytes after the compressed payload");
  }
  out->resize(zs.total_out);
  return absl::OkStatus();
}

}  // namespace agora_token
