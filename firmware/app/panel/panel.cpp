#include "app/panel/panel.h"

namespace lmc {

Panel::Panel(Loop& loop, Gpio& gpio, Log& log, PanelActions& actions)
    : loop_(loop),
      gpio_(gpio),
      log_(log),
      actions_(actions),
      power_("led-power", loop, &Panel::set_power, this),
      status_("led-status", loop, &Panel::set_status, this),
      button_timer_("button", Callback::of<&Panel::on_button_timer>(this)),
      hotspot_timer_("hotspot-led", Callback::of<&Panel::on_hotspot_timeout>(this)) {}

void Panel::start() {
  if (power_.set(unconfigured_ ? Pattern::Attention : Pattern::On))
    log_.event("panel", "led").kv("led", "power").kv("pattern", pattern_name(power_.pattern()));
  last_raw_ = gpio_.button_pressed();
  button_.begin(last_raw_, loop_.now_ms());
  if (last_raw_) log_.event("panel", "button-held-at-boot").kv("action", "ignored-until-released");
  loop_.add_poller("panel", Callback::of<&Panel::poll>(this));
  update_status();
}

void Panel::poll() {
  // Cheap: one GPIO read per wake-up; the edge interrupt is what wakes us.
  bool raw = gpio_.button_pressed();
  if (raw != last_raw_) sample();
}

void Panel::on_button_timer() {
  sample();
}

void Panel::sample() {
  std::uint64_t now = loop_.now_ms();
  last_raw_ = gpio_.button_pressed();
  ButtonEvent ev = button_.update(last_raw_, now);
  switch (ev.kind) {
    case ButtonEvent::kPressed: log_.event("panel", "button-down"); break;
    case ButtonEvent::kIgnoredAtBoot:
      log_.event("panel", "button-ignored").kv("reason", "pressed-at-boot").kv("held_ms", ev.held_ms);
      break;
    case ButtonEvent::kStuck: log_.event("panel", "button-stuck").kv("held_ms", ev.held_ms); break;
    case ButtonEvent::kReleased:
      log_.event("panel", "button-up").kv("held_ms", ev.held_ms).kv("gesture", gesture_name(ev.gesture));
      break;
    case ButtonEvent::kNone: break;
  }
  arm_button_timer();
  // The action first: a hotspot gesture keeps the fast blink going without a phase restart.
  if (ev.kind == ButtonEvent::kReleased) actions_.on_gesture(ev.gesture, ev.held_ms);
  update_status();
}

void Panel::arm_button_timer() {
  std::uint64_t next = button_.next_deadline();
  if (next == Button::kNever)
    loop_.stop(button_timer_);
  else
    loop_.start_at(button_timer_, next);
}

void Panel::set_network(NetLed n) {
  if (n == net_) return;
  net_ = n;
  update_status();
}

void Panel::hotspot_starting() {
  hotspot_starting_ = true;
  loop_.start(hotspot_timer_, kHotspotStartMaxMs);
  update_status();
}

void Panel::hotspot_up() {
  if (!hotspot_starting_) return;
  hotspot_starting_ = false;
  loop_.stop(hotspot_timer_);
  update_status();
}

void Panel::on_hotspot_timeout() {
  hotspot_starting_ = false;
  update_status();
}

void Panel::set_unconfigured(bool on) {
  unconfigured_ = on;
  if (power_.set(on ? Pattern::Attention : Pattern::On))
    log_.event("panel", "led").kv("led", "power").kv("pattern", pattern_name(power_.pattern()));
}

void Panel::update_status() {
  Pattern p = status_pattern(button_.feedback(loop_.now_ms()), hotspot_starting_, net_);
  if (status_.set(p)) log_.event("panel", "led").kv("led", "status").kv("pattern", pattern_name(p));
}

}  // namespace lmc
