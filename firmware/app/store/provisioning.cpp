#include "app/store/provisioning.h"

#include <cstring>

#include "app/settings/line.h"

namespace lmc::store {
namespace {

using settings::Line;

char g_page[4096];  // the page as read (the firmware reads it once per boot)

void report(settings::Reporter* rep, const Line& l) {
  if (rep) rep->report(l.c_str());
}

std::size_t line_end(const char* t, std::size_t len, std::size_t p) {
  while (p < len && t[p] != '\n') ++p;
  return p;
}

bool parse_hex8(const char* s, std::size_t n, std::uint32_t* out) {
  while (n && (s[n - 1] == '\r' || s[n - 1] == ' ')) --n;
  if (n != 8) return false;
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[i];
    std::uint32_t d;
    if (c >= '0' && c <= '9')
      d = static_cast<std::uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      d = static_cast<std::uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      d = static_cast<std::uint32_t>(c - 'A' + 10);
    else
      return false;
    v = v << 4 | d;
  }
  *out = v;
  return true;
}

}  // namespace

Provision import_provisioning_text(const char* page, std::size_t len, settings::Settings& s, settings::Reporter* rep,
                                   int* accepted, int* rejected) {
  if (accepted) *accepted = 0;
  if (rejected) *rejected = 0;
  // The text ends at the first erased (0xFF) or NUL byte.
  std::size_t end = 0;
  while (end < len && page[end] != '\0' && page[end] != static_cast<char>(0xFF)) ++end;
  if (end == 0) {
    bool erased = true;
    for (std::size_t i = 0; i < len; ++i) erased = erased && page[i] == static_cast<char>(0xFF);
    if (erased) return Provision::None;
  }
  auto invalid = [&](const char* why) {
    report(rep, Line().s("config provision-invalid reason=").s(why));
    return Provision::Invalid;
  };
  const std::size_t hlen = std::strlen(kProvisionHeader);
  std::size_t e0 = line_end(page, end, 0);
  std::size_t first = e0 && page[e0 - 1] == '\r' ? e0 - 1 : e0;
  if (first != hlen || std::memcmp(page, kProvisionHeader, hlen) != 0) return invalid("no_header");
  // The crc line: the last non-empty line.
  std::size_t stop = end;
  while (stop && (page[stop - 1] == '\n' || page[stop - 1] == '\r' || page[stop - 1] == ' ')) --stop;
  std::size_t crc_line = stop;
  while (crc_line && page[crc_line - 1] != '\n') --crc_line;
  std::uint32_t want;
  if (crc_line == 0 || stop - crc_line < 4 || std::memcmp(page + crc_line, "crc=", 4) != 0 ||
      !parse_hex8(page + crc_line + 4, stop - crc_line - 4, &want))
    return invalid("no_crc");
  std::uint32_t got = crc32(page, crc_line);
  if (got != want) {
    report(rep, Line().s("config provision-invalid reason=bad_crc want=").x(want).s(" got=").x(got));
    return Provision::Invalid;
  }
  if (s.is_set(settings::Id::ProvisionCrc) && static_cast<std::uint32_t>(s.get(settings::Id::ProvisionCrc)) == got)
    return Provision::Same;
  int ok = 0, bad = 0;
  std::uint32_t line_no = 1;
  for (std::size_t p = e0 + 1; p < crc_line; ++line_no) {
    std::size_t e = line_end(page, crc_line, p);
    const char* l = page + p;
    std::size_t n = e - p;
    p = e + 1;
    while (n && (l[n - 1] == '\r' || l[n - 1] == ' ')) --n;
    std::size_t lead = 0;
    while (lead < n && l[lead] == ' ') ++lead;
    if (lead == n || l[lead] == '#') continue;  // blank line or comment
    const char* eq = static_cast<const char*>(std::memchr(l, '=', n));
    settings::Result r;
    std::size_t klen;
    if (!eq) {
      klen = n;
      r = settings::Result::BadValue;
    } else {
      klen = static_cast<std::size_t>(eq - l);
      r = s.set_from_text(l, klen, eq + 1, n - klen - 1, settings::kProvisioning);
    }
    if (r == settings::Result::Ok) {
      ++ok;
      continue;
    }
    ++bad;
    if (klen > 48) klen = 48;
    report(rep, Line()
                    .s("config reject line=")
                    .u(line_no + 1)
                    .s(" key=")
                    .v(l + lead, klen > lead ? klen - lead : 0)
                    .s(" reason=")
                    .s(eq ? settings::reason(r) : "no_equals_sign"));
  }
  s.set(settings::Id::ProvisionCrc, static_cast<std::int32_t>(got), settings::kSystem);
  report(rep, Line()
                  .s("config provisioned crc=")
                  .x(got)
                  .s(" accepted=")
                  .u(static_cast<std::uint32_t>(ok))
                  .s(" rejected=")
                  .u(static_cast<std::uint32_t>(bad)));
  if (accepted) *accepted = ok;
  if (rejected) *rejected = bad;
  return Provision::Imported;
}

Provision import_provisioning(Flash& flash, settings::Settings& s, settings::Reporter* rep, const Layout& layout,
                              int* accepted, int* rejected) {
  std::uint32_t ps = flash.page_size();
  std::size_t n = ps < sizeof g_page ? ps : sizeof g_page;
  if (!flash.read(layout.provision_page * ps, g_page, n)) {
    report(rep, Line().s("config provision-invalid reason=read_error"));
    return Provision::Invalid;
  }
  return import_provisioning_text(g_page, n, s, rep, accepted, rejected);
}

}  // namespace lmc::store
