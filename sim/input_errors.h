// Reporting every error of a scenario at once. While an InputErrors is alive (per thread),
// YNode::finish()/allow_only() collect unknown keys here instead of throwing, and loaders may
// add the first error of each independent stage; throw_if_any() then throws one InputError
// holding them all. It also remembers which keys readers asked for on each map, so that an
// unknown key is answered with the valid keys and the closest one ("did you mean").
#pragma once
#include <map>
#include <string>
#include <vector>

namespace lmsim {

class YNode;

class InputErrors {
 public:
  InputErrors();
  ~InputErrors();
  InputErrors(const InputErrors&) = delete;
  InputErrors& operator=(const InputErrors&) = delete;
  static InputErrors* active();
  void add(std::string msg);
  const std::vector<std::string>& list() const { return list_; }
  // Throws one InputError with every message (one per line), if there is any.
  void throw_if_any() const;

  // Keys a reader asked for on a map node (present or not): the valid keys there. Keyed by the
  // node's address, which is stable while a scenario is being loaded.
  void note_asked(const YNode* map, const std::string& key);
  const std::vector<std::string>* asked(const YNode* map) const;

 private:
  std::vector<std::string> list_;
  std::map<const YNode*, std::vector<std::string>> asked_;
  InputErrors* prev_;
};

// Levenshtein distance (key suggestions).
std::size_t edit_distance(const std::string& a, const std::string& b);
// The candidate closest to `word` if it is close enough to be a typo of it; "" otherwise.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace lmsim
