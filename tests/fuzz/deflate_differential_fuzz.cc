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
#include "tests/core/zlib_reference.h"

namespace {

void Fail(const char* what, size_t size) {
  std::fprintf(stderr, "deflate_differential_fuzz: %s (input of %zu bytes)\n", what, size);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using agora_token_test::ZlibReference;
  static ZlibReference* const level6 = new ZlibReference(Z_DEFAULT_COMPRESSION, 15, 8);
  static ZlibReference* const stored = new ZlibReference(Z_NO_COMPRESSION, 9, 1);
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
