// libFuzzer target comparing core/small_deflate.h with the system zlib on
// arbitrary inputs: SmallDeflate must produce exactly the bytes of zlib's
// compress2 at the default level (6), and StoredDeflate those of zlib level 0
// with windowBits 9 and memLevel 1 (fast mode's stream); both must refuse
// exactly what is over their size limits, appending nothing. ZlibCompress,
// which picks between them and zlib, must also match zlib in both modes.
// A difference aborts, so libFuzzer keeps the input.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/compression.h"
#include "core/small_deflate.h"

namespace {

void Fail(const char* what, size_t size) {
  std::fprintf(stderr, "deflate_differential_fuzz: %s (input of %zu bytes)\n", what, size);
  std::abort();
}

// zlib's deflate on a stream kept for the process and reset per input, with
// compress2's settings or fast mode's.
class ZlibDeflater {
 public:
  ZlibDeflater(int level, int window_bits, int mem_level) {
    if (deflateInit2(&stream_, level, Z_DEFLATED, window_bits, mem_level, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      std::abort();
    }
  }
  ~ZlibDeflater() { deflateEnd(&stream_); }
  ZlibDeflater(const ZlibDeflater&) = delete;
  ZlibDeflater& operator=(const ZlibDeflater&) = delete;

  std::string Compress(std::string_view input) {
    deflateReset(&stream_);
    std::string out(deflateBound(&stream_, input.size()), '\0');
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    stream_.avail_in = static_cast<uInt>(input.size());
    stream_.next_out = reinterpret_cast<Bytef*>(out.data());
    stream_.avail_out = static_cast<uInt>(out.size());
    if (deflate(&stream_, Z_FINISH) != Z_STREAM_END) Fail("zlib deflate failed", input.size());
    out.resize(stream_.total_out);
    return out;
  }

 private:
  z_stream stream_{};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static ZlibDeflater* const level6 = new ZlibDeflater(Z_DEFAULT_COMPRESSION, 15, 8);
  static ZlibDeflater* const stored = new ZlibDeflater(Z_NO_COMPRESSION, 9, 1);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string expected = level6->Compress(input);
  const std::string expected_stored = stored->Compress(input);

  // A prefix checks that both append rather than overwrite.
  const std::string prefix = "prefix";
  std::string small = prefix;
  if (agora_token::SmallDeflate(input, &small)) {
    if (size > agora_token::kSmallDeflateMaxInput)
      Fail("SmallDeflate took an oversized input", size);
    if (small != prefix + expected) Fail("SmallDeflate differs from zlib level 6", size);
  } else if (size <= agora_token::kSmallDeflateMaxInput || small != prefix) {
    Fail("SmallDeflate refused wrongly, or appended when refusing", size);
  }

  std::string stored_out = prefix;
  if (agora_token::StoredDeflate(input, &stored_out)) {
    if (stored_out != prefix + expected_stored) Fail("StoredDeflate differs from zlib", size);
  } else if (size <= 65535 || stored_out != prefix) {
    Fail("StoredDeflate refused wrongly, or appended when refusing", size);
  }

  std::string compatible;
  agora_token::ZlibCompress(input, agora_token::Compression::kCompatible, &compatible);
  if (compatible != expected) Fail("ZlibCompress(kCompatible) differs from zlib", size);
  std::string fast;
  agora_token::ZlibCompress(input, agora_token::Compression::kFast, &fast);
  if (fast != expected_stored) Fail("ZlibCompress(kFast) differs from zlib", size);
  return 0;
}
