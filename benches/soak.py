#!/usr/bin/env python3
"""Soak load for `saraban serve`: a mixed day of office work, minute by minute.

Workers loop over what an office does: read the inbox, search, preview a
letter being typed, draft, number and send a letter, and receive what was
sent. Every minute one line: requests, errors (any status >= 500, or a
refused connection), p50 and p99 latency, and the server's RSS from
/proc/PID/status. Python's standard library only.

    soak.py BASE_URL SERVER_PID MINUTES SENDER_TOKEN RECEIVER_TOKEN [WORKERS]
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

base, pid, minutes, sender, receiver = sys.argv[1:6]
workers = int(sys.argv[6]) if len(sys.argv) > 6 else 6
host = urllib.parse.urlparse(base)
stop_at = time.time() + float(minutes) * 60
lock = threading.Lock()
samples = []  # (latency ms, ok, status)
words = ["ประชุม", "มท 0810.7/ว", "การประเมิน", "ท้องถิ่น", "งบประมาณ", "ขอเชิญ"]
letter = json.load(open("examples/letter.json"))


def request(conn, method, path, token, body=None):
    headers = {"Authorization": f"Bearer {token}"}
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    t = time.perf_counter()
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        payload = resp.read()
        ok = resp.status < 500
        status = resp.status
    except (OSError, http.client.HTTPException):
        conn.close()
        payload, ok, resp, status = b"", False, None, 0
    ms = (time.perf_counter() - t) * 1000
    with lock:
        samples.append((ms, ok, status))
    if resp is None or resp.status >= 300 or not payload.startswith(b"{"):
        return None
    return json.loads(payload)


def worker(n):
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    i = 0
    while time.time() < stop_at:
        i += 1
        request(conn, "GET", "/api/v1/inbox", receiver)
        q = urllib.parse.quote(words[(n + i) % len(words)])
        request(conn, "GET", f"/api/v1/documents?q={q}&limit=20", receiver)
        doc = dict(letter)
        doc["subject"] = f"{letter.get('subject', '')} ทดสอบ {n}-{i}"
        doc["number"] = None
        if i % 5 == 0:
            request(conn, "POST", "/api/v1/preview", sender, doc)
        made = request(conn, "POST", "/api/v1/documents", sender, {"document": doc})
        if made and i % 2 == 0:
            did = made["id"]
            if request(conn, "POST", f"/api/v1/documents/{did}/number", sender, {"series": "circular"}):
                request(conn, "POST", f"/api/v1/documents/{did}/dispatch", sender, {"to": "พล 0023"})
        inbox = request(conn, "GET", "/api/v1/inbox?limit=5", receiver)
        for item in (inbox or {}).get("inbox", [])[:1]:
            d = item["delivery"]
            if d["state"] == "sent":
                request(conn, "POST", f"/api/v1/deliveries/{d['id']}/receive", receiver)


def rss_mib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(workers)]
for t in threads:
    t.start()
print("minute,requests,created,refused_4xx,errors,p50_ms,p99_ms,rss_mib", flush=True)
minute = 0
while time.time() < stop_at:
    time.sleep(max(0.0, min(60.0, stop_at - time.time())))
    minute += 1
    with lock:
        batch, samples[:] = list(samples), []
    lat = sorted(ms for ms, _, _ in batch) or [0.0]
    errors = sum(1 for _, ok, _ in batch if not ok)
    created = sum(1 for _, _, st in batch if st == 201)
    refused = sum(1 for _, _, st in batch if 400 <= st < 500)
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    print(f"{minute},{len(batch)},{created},{refused},{errors},{p(0.50):.1f},{p(0.99):.1f},{rss_mib():.1f}", flush=True)
for t in threads:
    t.join(timeout=70)
