#include "app/web/pages.h"

namespace lmc::web {

#define LMC_HEAD                                                                                         \
  "<!doctype html><html><head><meta charset=utf-8><meta name=viewport content='width=device-width'>"     \
  "<title>CLEMAP Load Management</title><style>body{font-family:sans-serif;margin:1em;max-width:46em}"   \
  "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #aaa;padding:2px 8px;text-align:" \
  "right}nav a,nav button{margin-right:1em}.err{color:#b00}.ok{color:#070}label{display:block;margin:"   \
  ".3em 0}input,select{margin-left:.5em}</style></head><body><h1>CLEMAP Load Management</h1>"

#define LMC_NAV                                                                                         \
  "<nav><a href=/status id=nav-status>Status</a><a href=/lm id=nav-lm>Load Management</a><a href=/net " \
  "id=nav-net>Network</a><a href=/device"                                                               \
  " id=nav-device>Device Config</a><form method=post action=/logout style=display:inline><button "      \
  "id=logout>Log out</button></form></nav>"

#define LMC_LOGIN_FORM                                                                                 \
  "<form method=post action=/login><label>User<input name=user id=user value=clemap autocomplete=off>" \
  "</label><label>Password (serial number on the case)<input name=password id=password type=password>" \
  "</label><button id=login>Log in</button></form></body></html>"

// Settings forms: each input is named after its settings key; the server validates every field
// with the settings schema and answers {"ok":true} or {"error":reason,"key":key}.
#define LMC_FORM_SCRIPT                                                                                \
  "<p id=msg></p><script>const f=document.getElementById('f'),m=document.getElementById('msg');"       \
  "fetch('/api/settings').then(r=>{if(r.status==401)location='/';return r.json()}).then(j=>{"          \
  "for(const e of f.elements)if(e.name&&j[e.name]!==undefined)e.value=j[e.name];f.dataset.ready=1});"  \
  "f.onsubmit=ev=>{ev.preventDefault();const b=new URLSearchParams();for(const e of f.elements)"       \
  "if(e.name)b.append(e.name,e.value);fetch('/api/settings',{method:'POST',body:b}).then(r=>r.json())" \
  ".then(j=>{m.className=j.ok?'ok':'err';m.textContent=j.ok?'Saved':'Not saved: '+j.key+' '+j.error;"  \
  "m.id='msg';f.dataset.saved=j.ok?1:0})}</script></body></html>"

const std::string_view kLoginPage = LMC_HEAD LMC_LOGIN_FORM;
const std::string_view kLoginWrongPage = LMC_HEAD "<p class=err id=err>Wrong user or password.</p>" LMC_LOGIN_FORM;
const std::string_view kLoginLockedPage =
    LMC_HEAD "<p class=err id=err>Too many wrong attempts: try again in 60 s.</p>" LMC_LOGIN_FORM;

const std::string_view kStatusPage = LMC_HEAD LMC_NAV
    "<h2>Status</h2><p id=info></p><table id=ph><tr><th><th>L1<th>L2<th>L3</tr></table>"
    "<p id=tot></p><h3>Stations</h3><table id=st></table><h3>Warnings</h3><ul id=warn></ul>"
    "<script>const $=i=>document.getElementById(i),r1=v=>v.toFixed(1);"
    "function row(n,u,a){return '<tr><th>'+n+' ['+u+']'+a.map(v=>'<td>'+r1(v)).join('')+'</tr>'}"
    "function f(){fetch('/api/status').then(r=>{if(r.status==401)location='/';return r.json()}).then(j=>{"
    "const n=j.network;$('info').textContent='Serial '+j.serial+', firmware '+j.version+(n?', '+n.via+' '+n.ip+"
    "(n.ssid?' '+n.ssid:'')+(n.rssi!==null?' '+n.rssi+' dBm':'')+', cloud '+(n.cloud?'online':'offline'):'')+"
    "', ripple '+(j.ripple?j.ripple.mode+"
    "' ('+j.ripple.source+')':'?')+(j.external.active?', external limit '+j.external.CurrentLimit+' A':'');"
    "$('ph').innerHTML='<tr><th><th>L1<th>L2<th>L3</tr>'+row('P','W',j.active_power)+row('V','V',j.voltage)"
    "+row('I','A',j.current);$('tot').textContent='P total '+r1(j.active_power_total)+' W';"
    "$('st').innerHTML='<tr><th>Station<th>State<th>L1 [A]<th>L2 [A]<th>L3 [A]<th>Limit [A]</tr>'+"
    "j.stations.map(s=>'<tr><th>'+s.id+'<td>'+s.status+s.current.map(v=>'<td>'+r1(v)).join('')+'<td>'+"
    "r1(s.limit)+'</tr>').join('');$('warn').innerHTML=j.warnings.map(w=>'<li>'+w).join('')||'<li>none';"
    "document.body.dataset.ready=1})}f();setInterval(f,2000)</script></body></html>";

const std::string_view kLmPage = LMC_HEAD LMC_NAV
    "<h2>Load Management</h2><form id=f>"
    "<label>Main fuse [A]<input name=lm.fuse id=lm.fuse></label>"
    "<label>Safety margin [A] (empty: 5 %, at least 1 A)<input name=lm.margin></label>"
    "<label>Limit L1 [A] (empty: fuse - margin)<input name=lm.limit_l1 id=lm.limit_l1></label>"
    "<label>Limit L2 [A]<input name=lm.limit_l2></label><label>Limit L3 [A]<input name=lm.limit_l3></label>"
    "<label>Max building load [kW] (empty: off)<input name=lm.max_power></label>"
    "<label>Ripple signal means<select name=ripple.mode><option>blocked<option>reduced</select></label>"
    "<label>Reduced power [kW]<input name=ripple.reduced_power></label>"
    "<button id=save>Save</button></form>" LMC_FORM_SCRIPT;

const std::string_view kDevicePage = LMC_HEAD LMC_NAV
    "<h2>Device Config</h2><form id=f>"
    "<label>Current sensors<select name=meter.sensor><option value=ct>CT<option value=rogowski>Rogowski"
    "</select></label><h3>External Input Mapping</h3>"
    "<label>Ripple control input<select name=ripple.mapping id=ripple.mapping><option value=nc>normally "
    "closed (24 V = signal)<option value=no>normally open (0 V = signal)</select></label>"
    "<button id=save>Save</button></form>" LMC_FORM_SCRIPT;

const std::string_view kNetworkPage = LMC_HEAD LMC_NAV
    "<h2>Network</h2><p id=link></p><form id=f>"
    "<label>Wi-Fi network (SSID)<input name=wifi.ssid id=wifi.ssid></label>"
    "<label>Wi-Fi password (empty: unchanged)<input name=wifi.password type=password></label>"
    "<label>Address<select name=net.static><option value=false>DHCP<option value=true>static</select></label>"
    "<label>IP<input name=net.ip></label><label>Netmask<input name=net.mask></label>"
    "<label>Gateway<input name=net.gateway></label><label>DNS<input name=net.dns></label>"
    "<button id=save>Save</button></form><script>fetch('/api/status').then(r=>r.json()).then(j=>{const n=j.network;"
    "if(n)document.getElementById('link').textContent='Link '+n.via+', IP '+n.ip+', Ethernet '+(n.ethernet?"
    "'connected':'not connected')+(n.ssid?', Wi-Fi '+n.ssid+(n.rssi!==null?' ('+n.rssi+' dBm)':''):'')+', cloud '+"
    "(n.cloud?'online':'offline')})</script>" LMC_FORM_SCRIPT;

#undef LMC_HEAD
#undef LMC_NAV
#undef LMC_LOGIN_FORM
#undef LMC_FORM_SCRIPT

}  // namespace lmc::web
