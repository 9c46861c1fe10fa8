// S3's XML answers: every parser of s3tar/s3/responses.h over the same bytes. Each either
// returns a value or throws MalformedResponse (its documented error); anything else — a crash,
// a sanitizer report, another exception — is a finding.
// Input: the body, as a server or a proxy in between might send it.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "s3tar/s3/responses.h"

namespace {

template <class F>
void parse_or_reject(F&& parse) {
  try {
    parse();
  } catch (const s3tar::s3::MalformedResponse&) {
    // the documented error for a body that is not the expected document
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace s3tar::s3;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string code, message, request_id;
  if (parse_error_body(body, code, message, request_id) && code.empty()) std::abort();  // a Code is required
  parse_or_reject([&] { parse_list_objects(body); });
  parse_or_reject([&] { parse_initiate_upload(body); });
  parse_or_reject([&] { parse_copy_part_result(body); });
  parse_or_reject([&] { parse_copy_object_result(body); });
  parse_or_reject([&] { parse_complete_result(body); });
  parse_or_reject([&] { parse_list_uploads(body); });
  parse_or_reject([&] { parse_list_parts(body); });
  parse_or_reject([&] { parse_delete_result(body); });
  return 0;
}
