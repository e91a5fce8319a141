"""The web UI :4000 of lmc.elf in headless Chromium through `lmsim run --realtime --expose`
(Debian chromium + chromium-driver + python3-selenium): log in as clemap / the serial (UI-02),
see the status page (UI-03), lower the L1 limit on the load-management page (UI-05) and see the
effect on Modbus :5020 (the grid current L1 at 19012 drops under the new limit), and open the
device configuration (UI-06) and the network page (UI-04, without the scan). A screenshot of each page is saved as a test artefact under
<build>/artifacts/web-ui/."""
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "net"))
from test_bridge_realtime import StderrLines  # noqa: E402

SCENARIO = "scenarios/api/realtime.yaml"


def _selenium():
    try:
        from selenium import webdriver  # noqa: F401
    except ImportError:
        pytest.skip("selenium missing: install the Debian package python3-selenium")
    for tool, pkg in (("chromium", "chromium"), ("chromedriver", "chromium-driver")):
        if not shutil.which(tool):
            pytest.skip(f"{tool} missing: install the Debian package {pkg}")


def read_float(port, addr):
    """One FC03 read of a float32 (ABCD) over a real socket (what any Modbus tool does)."""
    with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
        s.sendall(struct.pack(">HHHBBHH", 1, 0, 6, 1, 3, addr, 2))
        rep = b""
        while len(rep) < 13:
            chunk = s.recv(64)
            if not chunk:
                break
            rep += chunk
    assert rep[7] == 3, rep
    return struct.unpack(">f", rep[9:13])[0]


def test_login_change_limit_see_it_on_modbus(lmsim_bin, root, build_dir, tmp_path):
    _selenium()
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    art = build_dir / "artifacts" / "web-ui"
    art.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, LMSIM_FIRMWARE_DIR=str(build_dir / "firmware"))
    with open(tmp_path / "stdout.txt", "w") as out:
        p = subprocess.Popen([str(lmsim_bin), "run", SCENARIO, "--realtime", "--expose", "--until", "240s"],
                             cwd=root, env=env, stdout=out, stderr=subprocess.PIPE, text=True)
    err = StderrLines(p)
    opts = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1000,900",
              f"--user-data-dir={tmp_path / 'chrome'}"):
        opts.add_argument(a)
    driver = None
    try:
        fwd = err.bridge_forwards([4000, 5020], timeout=60)  # slow start on a loaded CI machine
        assert {4000, 5020} <= set(fwd), err.all
        web, mb = f"http://127.0.0.1:{fwd[4000][1]}", fwd[5020][1]
        from selenium.webdriver.chrome.service import Service
        driver = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver")),
                                  options=opts)
        driver.set_page_load_timeout(30)
        wait = WebDriverWait(driver, 40)
        deadline = time.monotonic() + 60
        while True:  # the firmware may still be booting
            try:
                driver.get(web + "/")
                if driver.find_elements(By.ID, "password"):
                    break
            except Exception:  # noqa: BLE001 - connection refused while booting
                pass
            assert time.monotonic() < deadline, "no login page"
            time.sleep(0.5)
        driver.save_screenshot(str(art / "login.png"))
        driver.find_element(By.ID, "password").send_keys("wrong")
        driver.find_element(By.ID, "login").click()
        wait.until(lambda d: d.find_elements(By.ID, "err"))  # UI-02: refused
        driver.find_element(By.ID, "password").send_keys("SE12345678")
        driver.find_element(By.ID, "login").click()
        wait.until(lambda d: d.current_url.endswith("/status") and d.find_element(By.TAG_NAME, "body")
                   .get_attribute("data-ready"))
        text = driver.find_element(By.TAG_NAME, "body").text
        assert "SE12345678" in text and "abb1" in text and "L1" in text

        deadline = time.monotonic() + 60
        while read_float(mb, 19012) <= 14:  # I L1 once the EV charges (building ~7 A + EV 16 A)
            assert time.monotonic() < deadline, f"the EV does not charge: I L1 {read_float(mb, 19012)} A"
            time.sleep(1)
        driver.refresh()
        wait.until(lambda d: "charging" in d.find_element(By.ID, "st").text)  # UI-03: the station table
        driver.save_screenshot(str(art / "status.png"))
        driver.get(web + "/lm")
        wait.until(lambda d: d.find_element(By.ID, "f").get_attribute("data-ready"))
        box = driver.find_element(By.ID, "lm.limit_l1")
        box.clear()
        box.send_keys("12")
        driver.find_element(By.ID, "save").click()
        wait.until(lambda d: d.find_element(By.ID, "f").get_attribute("data-saved") == "1")
        assert driver.find_element(By.ID, "msg").text == "Saved"
        driver.save_screenshot(str(art / "load-management.png"))
        # Seen on :5020: the stations are cut so that the grid current L1 stays under 12 A.
        deadline = time.monotonic() + 60
        while read_float(mb, 19012) > 12.5:
            assert time.monotonic() < deadline, f"I L1 still {read_float(mb, 19012)} A"
            time.sleep(1)

        driver.get(web + "/device")
        wait.until(lambda d: d.find_element(By.ID, "f").get_attribute("data-ready"))
        assert "External Input Mapping" in driver.find_element(By.TAG_NAME, "body").text
        driver.save_screenshot(str(art / "device-config.png"))
        driver.get(web + "/net")
        wait.until(lambda d: d.find_element(By.ID, "f").get_attribute("data-ready")
                   and "ethernet" in d.find_element(By.ID, "link").text)
        assert re.search(r"IP 192\.168\.1\.\d+,", driver.find_element(By.ID, "link").text)  # its DHCP lease
        driver.save_screenshot(str(art / "network.png"))
        driver.find_element(By.ID, "logout").click()
        wait.until(lambda d: d.find_elements(By.ID, "password"))
    finally:
        if driver:
            driver.quit()
        p.terminate()
        p.wait(timeout=30)
