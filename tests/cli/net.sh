#!/bin/bash
# net.sh - live feeds against loopback servers written here (python3):
# `decode tcp://` matches `decode FILE`; garbage is counted, not fatal; a
# 50 MB flood keeps RSS bounded; a stall then close does not hang; UDP
# datagrams (IPv4, IPv6, dual stack) arrive; `listen` reconnects after two
# drops and after --idle, and exits 0 on SIGTERM.  Only 127.0.0.1/::1 and
# ephemeral ports; every wait is bounded.
# Env: DF (the binary), DF_DATA (shared data).  Exit 77: skipped.
set -u
DF=${DF:-build/darkfleet}
DF_DATA=${DF_DATA:-../shared/data}
SAMPLE=$DF_DATA/nmea/gpsd/sample.aivdm
if ! command -v python3 >/dev/null; then
    echo "skip: python3 not found"; exit 77
fi
if [ ! -r "$SAMPLE" ]; then
    echo "skip: $SAMPLE not found"; exit 77
fi
export DF SAMPLE
exec timeout 100 python3 - <<'PYEOF'
import os, signal, socket, subprocess, sys, threading, time

DF = os.environ["DF"]
SAMPLE = os.environ["SAMPLE"]
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   %s" % name)
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail))
    sys.stdout.flush()


def run(args, timeout=20):
    """Runs darkfleet; returns (rc, stdout, stderr, maxrss_kb, seconds)."""
    t0 = time.monotonic()
    p = subprocess.Popen([DF] + args, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return (-999, out, err, 0, time.monotonic() - t0)
    return (p.returncode, out, err, 0, time.monotonic() - t0)


def tcp_server(handlers):
    """Listens on 127.0.0.1:0; serves one connection per handler, in
    order, each on the server thread.  Returns the port."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(4)
    s.settimeout(30)

    def loop():
        try:
            for h in handlers:
                c, _ = s.accept()
                try:
                    h(c)
                except OSError:
                    pass
                finally:
                    c.close()
        except OSError:
            pass
        finally:
            s.close()
    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


def free_udp_port(family=socket.AF_INET, host="127.0.0.1"):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_bound(family, host, port, limit=5.0):
    """Waits until darkfleet holds the UDP port (our bind then fails)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        s = socket.socket(family, socket.SOCK_DGRAM)
        try:
            s.bind((host, port))
        except OSError:
            return True
        finally:
            s.close()
        time.sleep(0.05)
    return False


def has_ipv6():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


data = open(SAMPLE, "rb").read()
nmea = [l for l in data.split(b"\n") if l.startswith(b"!")]
want = subprocess.run([DF, "decode", SAMPLE], stdout=subprocess.PIPE,
                      check=True).stdout
nwant = want.count(b"\n")

# 1. A server that sends the sample file and closes.
port = tcp_server([lambda c: c.sendall(data)])
rc, out, err, _, _ = run(["decode", "tcp://127.0.0.1:%d" % port])
check("tcp decode = file decode", rc == 0 and out == want,
      "rc=%d lines=%d/%d %r" % (rc, out.count(b"\n"), nwant, err[-200:]))

# 1b. The same over IPv6, in pieces of 7 bytes.
if has_ipv6():
    s6 = socket.socket(socket.AF_INET6)
    s6.bind(("::1", 0))
    s6.listen(1)
    s6.settimeout(20)

    def serve6():
        c, _ = s6.accept()
        for i in range(0, len(data), 7000):
            c.sendall(data[i:i + 7000])
        c.close()
        s6.close()
    threading.Thread(target=serve6, daemon=True).start()
    rc, out, err, _, _ = run(["decode", "tcp://[::1]:%d" %
                              s6.getsockname()[1]])
    check("tcp [::1] decode = file decode", rc == 0 and out == want,
          "rc=%d %r" % (rc, err[-200:]))

# 2. Garbage mixed with good lines: the good ones decode, the rest is
# counted, the run ends with 0.
def garbage(c):
    junk = [b"\x00\xff\xfe binary \x01\x02", b"!AIVDM,1,1,,A,garbage*00",
            b"$GPGGA,not,ais", b"{\"class\":\"VERSION\"}", b"x" * 100000,
            bytes(range(256)).replace(b"\n", b"")]
    for i, line in enumerate(nmea):
        c.sendall(junk[i % len(junk)] + b"\n" + line + b"\r\n")
port = tcp_server([garbage])
rc, out, err, _, _ = run(["decode", "--stats", "tcp://127.0.0.1:%d" % port])
check("garbage: good lines all decode", rc == 0 and out == want,
      "rc=%d lines=%d/%d" % (rc, out.count(b"\n"), nwant))
check("garbage: drops counted",
      b"drop_line_too_long" in err and b"drop_checksum" in err, err)

# 3. A flood: 50 MB as fast as the socket takes it.  RSS stays bounded.
block = b"\n".join(nmea) + b"\n"
reps = 50 * 1024 * 1024 // len(block) + 1


def flood(c):
    for _ in range(reps):
        c.sendall(block)
port = tcp_server([flood])
t0 = time.monotonic()
p = subprocess.Popen([DF, "decode", "--stats", "tcp://127.0.0.1:%d" % port],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.PIPE)
timer = threading.Timer(40, p.kill)
timer.start()
err = p.stderr.read()
_, status, ru = os.wait4(p.pid, 0)
timer.cancel()
secs = time.monotonic() - t0
msgs = 0
for l in err.split(b"\n"):
    f = l.split()
    if len(f) >= 2 and f[1] == b"messages":
        msgs = int(f[0])
print("     flood: %.1f MB in %.1f s, %d messages, max RSS %d KiB" %
      (reps * len(block) / 1e6, secs, msgs, ru.ru_maxrss))
check("flood: all messages, exit 0",
      os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and
      msgs == reps * nwant,
      "status=%d msgs=%d" % (status, msgs))
check("flood: max RSS under 32 MiB", 0 < ru.ru_maxrss < 32 * 1024,
      "%d KiB" % ru.ru_maxrss)

# 4. A server that stalls for 3 s mid-line, then closes: no hang, the
# lines before the stall are kept, the cut line is counted.
def stall(c):
    c.sendall(b"\n".join(nmea[:10]) + b"\n" + nmea[10][:20])
    time.sleep(3)
port = tcp_server([stall])
rc, out, err, _, secs = run(["decode", "--stats",
                             "tcp://127.0.0.1:%d" % port], timeout=15)
check("stall then close: ends", rc == 0 and 2.5 < secs < 10,
      "rc=%d %.1f s" % (rc, secs))
check("stall then close: lines before the stall",
      out.count(b"\n") >= 8 and b"drop_" in err,
      "%d lines %r" % (out.count(b"\n"), err))

# 5. A port nobody listens on: one error line, exit 1, at once.
port = free_udp_port()
rc, out, err, _, secs = run(["decode", "tcp://127.0.0.1:%d" % port])
check("connection refused: exit 1", rc == 1 and b"refused" in err.lower()
      and secs < 5, "rc=%d %r" % (rc, err))
rc, out, err, _, _ = run(["decode", "tcp://nohostport"])
check("bad URL: exit 1", rc == 1 and b"tcp://HOST:PORT" in err,
      "rc=%d %r" % (rc, err))


# 6. UDP: a sender to decode udp://; SIGTERM ends it with exit 0 and the
# stats.  Datagrams hold several lines, some without a final newline.
def udp_case(name, url, dests):
    p = subprocess.Popen([DF, "decode", "--stats", url],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    bhost = url[6:].rsplit(":", 1)[0].strip("[]")
    wait_bound(socket.AF_INET6 if ":" in bhost or not bhost
               else socket.AF_INET, bhost or "::",
               int(url.rsplit(":", 1)[1]))
    lines = nmea[:40]
    for fam, host in dests:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        for i in range(0, len(lines), 4):
            dgram = b"\r\n".join(lines[i:i + 4])
            if (i // 4) % 2 == 0:
                dgram += b"\r\n"
            s.sendto(dgram, (host, int(url.rsplit(":", 1)[1])))
            time.sleep(0.002)
        s.close()
    time.sleep(0.7)
    p.send_signal(signal.SIGTERM)
    try:
        out, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    exp = subprocess.run([DF, "decode", "-"], input=b"\n".join(lines),
                         stdout=subprocess.PIPE).stdout
    check("udp %s: messages arrive, exit 0 on SIGTERM" % name,
          p.returncode == 0 and out == exp * len(dests) and
          b"messages" in err,
          "rc=%s lines=%d/%d %r" % (p.returncode, out.count(b"\n"),
                                    exp.count(b"\n") * len(dests), err))

udp_case("127.0.0.1", "udp://127.0.0.1:%d" % free_udp_port(),
         [(socket.AF_INET, "127.0.0.1")])
if has_ipv6():
    port = free_udp_port(socket.AF_INET6, "::")
    udp_case("dual stack", "udp://:%d" % port,
             [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")])
    udp_case("[::1]", "udp://[::1]:%d" % free_udp_port(socket.AF_INET6,
                                                       "::1"),
             [(socket.AF_INET6, "::1")])


# 7. listen: the server drops the connection twice; messages from all
# three connections are printed, each drop and reconnect is reported, and
# SIGTERM ends it with exit 0.
def listen_run(args, wait_s):
    p = subprocess.Popen([DF, "listen", "--stats"] + args,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    time.sleep(wait_s)
    p.send_signal(signal.SIGTERM)
    try:
        out, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    return p.returncode, out, err


thirds = [nmea[0:20], nmea[20:40], nmea[40:60]]
port = tcp_server([lambda c, k=k: c.sendall(b"\n".join(thirds[k]) + b"\n")
                   for k in range(3)])
rc, out, err = listen_run(["tcp://127.0.0.1:%d" % port], 5.0)
exp = b"".join(subprocess.run([DF, "decode", "-"], input=b"\n".join(t),
                              stdout=subprocess.PIPE).stdout for t in thirds)
mmsis = [l.split(b'"mmsi":')[1].split(b",")[0] for l in out.splitlines()]
emmsis = [l.split(b'"mmsi":')[1].split(b",")[0] for l in exp.splitlines()]
check("listen: messages from all 3 connections",
      rc == 0 and mmsis == emmsis and b'"time":' in out,
      "rc=%s got %d want %d" % (rc, len(mmsis), len(emmsis)))
check("listen: 2 reconnects reported",
      err.count(b"reconnected") == 2 and
      err.count(b"connection closed; reconnecting in") >= 3 and
      b"messages" in err, err)

# 8. listen --idle 1: a connection that stalls is dropped and replaced.
def stall_open(c):
    c.sendall(b"\n".join(nmea[:5]) + b"\n")
    time.sleep(1.5)     # the server takes the next connection after this
port = tcp_server([stall_open, lambda c: c.sendall(
    b"\n".join(nmea[5:10]) + b"\n")])
rc, out, err = listen_run(["--idle", "1", "tcp://127.0.0.1:%d" % port], 4.0)
check("listen --idle: stall detected, reconnected",
      rc == 0 and b"no data for 1 s" in err and b"reconnected" in err and
      out.count(b"\n") >= 9, "rc=%s lines=%d %r" % (rc, out.count(b"\n"),
                                                    err))

# 9. listen with a TCP feed that refuses and a UDP feed that works: UDP
# messages arrive while the TCP one backs off; SIGTERM exits 0.
tport = free_udp_port()
uport = free_udp_port()
p = subprocess.Popen([DF, "listen", "tcp://127.0.0.1:%d" % tport,
                      "udp://127.0.0.1:%d" % uport],
                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
wait_bound(socket.AF_INET, "127.0.0.1", uport)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for l in nmea[:10]:
    s.sendto(l + b"\n", ("127.0.0.1", uport))
s.close()
time.sleep(2.5)
p.send_signal(signal.SIGTERM)
try:
    out, err = p.communicate(timeout=10)
except subprocess.TimeoutExpired:
    p.kill()
    out, err = p.communicate()
check("listen: refused TCP backs off, UDP still served",
      p.returncode == 0 and out.count(b"\n") >= 9 and
      err.count(b"retrying in") >= 2,
      "rc=%s lines=%d %r" % (p.returncode, out.count(b"\n"), err))

# 10. gpsd: on port 2947 (if free) we ask for raw sentences.
try:
    g = socket.socket()
    g.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    g.bind(("127.0.0.1", 2947))
    g.listen(1)
    g.settimeout(10)
    got = {}

    def gpsd():
        c, _ = g.accept()
        c.sendall(b'{"class":"VERSION","release":"3.22"}\r\n')
        c.settimeout(5)
        got["watch"] = c.recv(200)
        c.sendall(b"\n".join(nmea[:10]) + b"\n")
        c.close()
        g.close()
    threading.Thread(target=gpsd, daemon=True).start()
    rc, out, err, _, _ = run(["decode", "tcp://127.0.0.1:2947"])
    check("gpsd: ?WATCH raw sent, sentences decoded",
          rc == 0 and got.get("watch", b"").startswith(b"?WATCH=") and
          b'"raw":1' in got["watch"] and out.count(b"\n") >= 9,
          "rc=%d %r %r" % (rc, got, err))
except OSError:
    print("     skip gpsd case: port 2947 in use")

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PYEOF
