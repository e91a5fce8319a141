// Writes an HTTP/1.1 message (a server's response or a client's request) into a fixed buffer:
// start line, header fields, then a body framed by Content-Length or chunked coding.
// Never writes past the buffer: an overflow or a header with CR/LF (injection) sets !ok() and
// the message must not be sent. For long bodies, send data() and drain() between chunks.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "app/http/message.h"

namespace lmc::http {

class MessageWriter {
 public:
  MessageWriter(char* out, std::size_t capacity) : out_(out), cap_(capacity) {}

  // Start lines: "HTTP/1.1 404 Not Found" / "GET /v1/settings HTTP/1.1".
  MessageWriter& status(int code);
  MessageWriter& request(Method method, std::string_view target);
  MessageWriter& header(std::string_view name, std::string_view value);
  MessageWriter& header(std::string_view name, std::uint64_t value);

  // Responses to HEAD: body() still announces Content-Length but writes no body bytes.
  void set_head_only(bool on) { head_only_ = on; }

  // Content-Length framing: ends the header section and writes the whole body.
  MessageWriter& body(std::string_view content);
  // Content-Length framing of a body the caller sends itself (e.g. straight from flash):
  // ends the header section; the message counts as complete.
  MessageWriter& body_follows(std::uint64_t length);
  // Chunked framing: Transfer-Encoding: chunked, then any number of chunks, then the last one.
  MessageWriter& begin_chunked();
  MessageWriter& chunk(std::string_view data);
  MessageWriter& end_chunked();

  bool ok() const { return ok_; }
  bool complete() const { return complete_; }  // the message is finished (body() or end_chunked())
  std::string_view data() const { return {out_, size_}; }
  std::size_t size() const { return size_; }
  // The bytes so far were sent: reuse the buffer for the rest of the message.
  void drain() { size_ = 0; }
  // Start a new message in the same buffer.
  void reset();

 private:
  void put(std::string_view s);
  void put_uint(std::uint64_t v, int base);

  char* out_;
  std::size_t cap_;
  std::size_t size_ = 0;
  bool ok_ = true;
  bool head_only_ = false;
  bool complete_ = false;
  bool chunked_ = false;
};

using ResponseWriter = MessageWriter;
using RequestWriter = MessageWriter;

}  // namespace lmc::http
