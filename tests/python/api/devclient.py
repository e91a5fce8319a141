"""Clients of the device's own services in simulated time, over the simulated LAN
(Site.rpc("lan", ...), models/net/lan_client.h): no host sockets, deterministic.

    mb = DeviceModbus(site)                       # :5020
    regs = mb.read_holding(19000, 44)
    http = DeviceHttp(site, 7000)                 # :7000 / :4000
    status, headers, body = http.request("GET", "/v1/live/data", auth=("clemap", "SE12345678"))
"""
import base64
import struct

import lmsim


class LanConn:
    """One TCP connection from the LAN test host to the device (or another LAN address)."""

    def __init__(self, site, port, ip=None, step="5ms"):
        self.site, self.step = site, step
        args = {"op": "connect", "port": port}
        if ip:
            args["ip"] = ip
        self.id = site.rpc("lan", **args)["id"]
        self.buf = b""
        self.state, self.error = "connecting", ""

    def _poll(self):
        r = self.site.rpc("lan", op="recv", id=self.id)
        self.buf += bytes.fromhex(r["data"])
        self.state, self.error = r["state"], r["error"]

    def wait_open(self, timeout=5.0):
        t = 0.0
        while True:
            self._poll()
            if self.state != "connecting" or t >= timeout:
                return self.state == "open"
            self.site.run(for_=self.step)
            t += 0.005

    def send(self, data):
        return self.site.rpc("lan", op="send", id=self.id, data=bytes(data).hex())["accepted"]

    def recv_until(self, done, timeout=5.0):
        """Runs the simulation in small steps until done(buffer) or timeout (simulated s)."""
        t = 0.0
        while True:
            self._poll()
            if done(self.buf) or self.state == "closed" or t >= timeout:
                return self.buf
            self.site.run(for_=self.step)
            t += 0.005

    def take(self, n):
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def close(self):
        self.site.rpc("lan", op="close", id=self.id)

    def abort(self):
        self.site.rpc("lan", op="abort", id=self.id)


class DeviceModbus:
    """Modbus TCP client for the device's :5020 map (FC03/FC16, float32 ABCD)."""

    def __init__(self, site, port=5020, unit=1):
        self.conn = LanConn(site, port)
        self.unit, self.tid = unit, 0
        if not self.conn.wait_open():
            raise lmsim.ModbusError(f"device :{port}: connection {self.conn.error or 'failed'}", refused=True)

    def transact(self, pdu, unit=None):
        self.tid = (self.tid + 1) & 0xFFFF
        unit = self.unit if unit is None else unit
        adu = struct.pack(">HHHB", self.tid, 0, len(pdu) + 1, unit) + bytes(pdu)
        self.conn.send(adu)

        def complete(b):
            return len(b) >= 6 and len(b) >= 6 + struct.unpack(">H", b[4:6])[0]

        b = self.conn.recv_until(complete)
        if not complete(b):
            raise lmsim.ModbusError("device: no reply", no_reply=True)
        n = 6 + struct.unpack(">H", b[4:6])[0]
        rep = self.conn.take(n)
        tid, proto, _, runit = struct.unpack(">HHHB", rep[:7])
        assert (tid, proto, runit) == (self.tid, 0, unit), "MBAP not echoed"
        body = rep[7:]
        if body[0] & 0x80:
            raise lmsim.ModbusError(f"device: Modbus exception {body[1]}", code=body[1])
        return body

    def read_holding(self, addr, count, unit=None, fc=3):
        body = self.transact(struct.pack(">BHH", fc, addr, count), unit)
        return list(struct.unpack(f">{count}H", body[2:2 + 2 * count]))

    def read_floats(self, addr, n):
        regs = self.read_holding(addr, 2 * n)
        return [struct.unpack(">f", struct.pack(">HH", regs[2 * i], regs[2 * i + 1]))[0] for i in range(n)]

    def write_floats(self, addr, values):
        data = b"".join(struct.pack(">f", v) for v in values)
        self.transact(struct.pack(">BHHB", 16, addr, len(data) // 2, len(data)) + data)

    def write_register(self, addr, value):
        self.transact(struct.pack(">BHH", 6, addr, value))


class DeviceHttp:
    """HTTP/1.1 client for the device's :7000 / :4000 (one keep-alive connection)."""

    def __init__(self, site, port):
        self.site, self.port, self.conn = site, port, None

    def _connect(self):
        self.conn = LanConn(self.site, self.port)
        if not self.conn.wait_open():
            raise ConnectionRefusedError(f"device :{self.port}: {self.conn.error or 'no connection'}")

    def request(self, method, path, body=None, auth=None, headers=None, timeout=5.0):
        if self.conn is not None:
            self.conn._poll()  # the server may have closed an idle connection meanwhile
        if self.conn is None or self.conn.state == "closed":
            self._connect()
        h = {"Host": "device", "Accept": "application/json"}
        if auth:
            h["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        if body is not None:
            body = body.encode() if isinstance(body, str) else body
            h["Content-Type"] = "application/json"
            h["Content-Length"] = str(len(body))
        h.update(headers or {})
        raw = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
        self.conn.send(raw.encode() + (body or b""))
        return self.read_response(timeout)

    def read_response(self, timeout=5.0):
        def parsed(b):
            end = b.find(b"\r\n\r\n")
            if end < 0:
                return None
            head = b[:end].decode("latin-1").split("\r\n")
            hdrs = {}
            for line in head[1:]:
                k, _, v = line.partition(":")
                hdrs[k.strip().lower()] = v.strip()
            n = int(hdrs.get("content-length", "0"))
            if len(b) < end + 4 + n:
                return None
            return int(head[0].split()[1]), hdrs, end + 4 + n

        b = self.conn.recv_until(lambda x: parsed(x) is not None, timeout)
        p = parsed(b)
        if p is None:
            raise TimeoutError(f"device :{self.port}: no complete response ({self.conn.state} {self.conn.error})")
        status, hdrs, n = p
        raw = self.conn.take(n)
        body = raw[raw.find(b"\r\n\r\n") + 4:]
        if hdrs.get("connection", "").lower() == "close":
            self.conn = None
        return status, hdrs, body
