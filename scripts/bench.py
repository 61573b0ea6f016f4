"""Benchmark DHR Search against Datasette over the same corpus (see docs/performance.md).

    scripts/bench [--reviews 6500] [--seed 1] [--duration 20] [--clients 8] [--procs 1,2]
    scripts/bench --reports [--reviews 650] [--report-pages 40] ...

Generates a demo corpus, times a full index build (and `index --update` after changing 1%
of the files when the CLI has it), serves it with `python -m search_service serve` and the
same recommendations with Datasette (SQLite FTS5, facets addressee and csp), sends the same
mix of queries to both, interleaved one by one, then measures requests/s with concurrent
clients and the servers' memory. Everything it writes goes under --out (bench-out/).
Datasette is installed only into bench-env/ (a virtual environment this script creates).

--reports is the full-text mode (scripts/bench_fulltext.py): each review also gets a report
PDF of about --report-pages pages; it times a cold build and a warm-cache one (extraction
and indexing), puts the same pages in SQLite FTS5 for Datasette, queries both with words of
those pages (ours as users do: every hit type, facets, highlights), measures sizes on disk,
every server process's memory and one changed report made searchable, and prints the goals.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))

import bench_fulltext as fulltext  # noqa: E402

DATASETTE = "datasette==0.65.5"
CLASSES = ("rare", "common", "and2", "phrase")
# Datasette's own limits would time facets out (200 ms) on common words; lift them so both
# sides do the same work: counts, two facets, one page of rows.
DATASETTE_SETTINGS = {
    "facet_time_limit_ms": 20000,
    "sql_time_limit_ms": 20000,
    "suggest_facets": "off",
}
PAGE_SIZE = 20
WORD = re.compile(r"[A-Za-z]+")


def log(msg: str) -> None:
    """Progress on stderr; results go to stdout."""
    print(msg, file=sys.stderr, flush=True)


def py_env() -> dict:
    """Environment for our subprocesses: this checkout first on the import path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def our_cli(*args: str, **kw) -> subprocess.CompletedProcess:
    """Run `python -m search_service ARGS` with this checkout."""
    return subprocess.run(
        [sys.executable, "-m", "search_service", *args],
        env=py_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        **kw,
    )


# --- corpus, build, update ----------------------------------------------------------------


def corpus_ready(folder: Path, reviews: int, report_pages: int = 0) -> bool:
    """Whether folder holds the whole demo corpus: every page, and a report beside each when asked."""
    expected = reviews + 1  # the real Bolton review is always included
    return (
        folder.is_dir()
        and len(list(folder.glob("*.txt"))) == expected
        and len(list(folder.glob("*.pdf"))) == (expected if report_pages else 0)
    )


def make_corpus(out: Path, reviews: int, seed: int, report_pages: int = 0) -> Path:
    """The demo corpus at this scale (reused when already generated), with a report PDF of
    about report_pages pages beside each page when report_pages is set."""
    folder = out / (f"corpus-{reviews}-s{seed}" + (f"-p{report_pages}" if report_pages else ""))
    if corpus_ready(folder, reviews, report_pages):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    cmd = ["demo", str(folder), "--reviews", str(reviews), "--seed", str(seed)]
    proc = our_cli(*cmd, *(["--report-pages", str(report_pages)] if report_pages else []))
    if proc.returncode:
        raise SystemExit(f"demo generator failed: {proc.stderr}")
    return folder


def time_build(corpus: Path, index_dir: Path, cold: bool = True) -> dict:
    """Full build, from scratch unless not cold (then the PDF cache is warm): seconds,
    documents and docs/s."""
    if cold:
        shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    proc = our_cli("index", str(corpus), "--index-dir", str(index_dir))
    seconds = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"index build failed: {proc.stderr[-2000:]}")
    meta = json.loads(our_cli("status", "--index-dir", str(index_dir)).stdout)
    docs = meta["recommendations"] + meta["summaries"] + meta.get("passages", 0)
    return {
        "seconds": seconds,
        "docs": docs,
        "reviews": meta["reviews"],
        "docs_per_s": docs / seconds,
    }


def has_update() -> bool:
    """Whether this checkout's CLI has `index --update`."""
    return "--update" in our_cli("index", "--help").stdout


def change_files(corpus: Path, fraction: float, stamp: str) -> dict[Path, str]:
    """Append a sentence to the summary of every 1/fraction-th review; return the originals."""
    files = sorted(corpus.glob("*.txt"))
    step = max(1, round(1 / fraction))
    originals = {}
    for path in files[::step]:
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        if "Summary" not in lines:
            continue
        at = lines.index("Summary") + 1
        originals[path] = text
        lines[at] += f" Benchmark edit {stamp}."
        path.write_text("\n".join(lines), encoding="utf-8")
    return originals


def restore_files(originals: dict[Path, str]) -> None:
    """Undo change_files (and remove files that did not exist)."""
    for path, text in originals.items():
        if text is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(text, encoding="utf-8")


def time_update(corpus: Path, index_dir: Path) -> dict:
    """`index --update` after changing 1% of the files."""
    originals = change_files(corpus, 0.01, "u1")
    try:
        started = time.perf_counter()
        proc = our_cli("index", str(corpus), "--index-dir", str(index_dir), "--update")
        seconds = time.perf_counter() - started
    finally:
        restore_files(originals)
        # Back in step with the corpus (untimed), so a later update is only its own change.
        our_cli("index", str(corpus), "--index-dir", str(index_dir), "--update")
    if proc.returncode:
        return {"error": proc.stderr.strip()[-300:]}
    return {"seconds": seconds, "changed": len(originals)}


def time_freshness(corpus: Path, index_dir: Path, base: str, timeout: float = 60) -> dict:
    """Add one review with a unique word, run --update, poll the running server until it is found."""
    token = "zqxbench" + "".join(random.choice("abcdefghijklmnop") for _ in range(6))
    template = sorted(corpus.glob("*.txt"))[1].read_text(encoding="utf-8")
    path = corpus / f"bench-fresh-{token}.txt"
    lines = template.split("\n")
    lines[lines.index("Summary") + 1] += f" Freshness marker {token}."
    path.write_text("\n".join(lines), encoding="utf-8")
    try:
        started = time.perf_counter()
        proc = our_cli("index", str(corpus), "--index-dir", str(index_dir), "--update")
        indexed = time.perf_counter() - started
        if proc.returncode:
            return {"error": proc.stderr.strip()[-300:]}
        while time.perf_counter() - started < timeout:
            status, body = http_get(base + "/api/search?q=" + token)
            if status == 200 and json.loads(body)["total"] > 0:
                return {"update_s": indexed, "searchable_s": time.perf_counter() - started}
            time.sleep(0.05)
        return {"error": f"not searchable after {timeout}s"}
    finally:
        path.unlink(missing_ok=True)


# --- the same data in SQLite for Datasette -------------------------------------------------


def build_sqlite(reviews, db_path: Path) -> int:
    """recommendations(review_id, number, text, addressee, csp, region, year) + FTS5 (porter)."""
    db_path.unlink(missing_ok=True)
    conn = sqlite3.connect(db_path)
    conn.executescript(
        """
        CREATE TABLE recommendations (
            id INTEGER PRIMARY KEY, review_id TEXT, number TEXT, text TEXT,
            addressee TEXT, csp TEXT, region TEXT, published_year INTEGER);
        CREATE INDEX recommendations_addressee ON recommendations(addressee);
        CREATE INDEX recommendations_csp ON recommendations(csp);
        CREATE VIRTUAL TABLE recommendations_fts USING fts5(
            text, content="recommendations", content_rowid="id", tokenize="porter unicode61");
        """
    )
    rows = [
        (
            r.id,
            rec.number,
            rec.text,
            rec.addressed_to or "; ".join(rec.addressees),
            r.csp,
            r.region,
            r.published_year,
        )
        for r in reviews
        for rec in r.recommendations
    ]
    conn.executemany(
        "INSERT INTO recommendations (review_id, number, text, addressee, csp, region, published_year)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute("INSERT INTO recommendations_fts(recommendations_fts) VALUES ('rebuild')")
    conn.commit()
    conn.execute("VACUUM")
    conn.close()
    return len(rows)


# --- queries ------------------------------------------------------------------------------


@dataclass
class Query:
    """One benchmark query: its class, what a user types, and Datasette's equivalent."""

    kind: str
    q: str
    words: list[str] = field(default_factory=list)

    def ours(self) -> str:
        return "/api/search?" + urllib.parse.urlencode({"q": self.q})

    def datasette(self) -> str:
        params = [("_search", self.q)]
        if self.kind == "phrase":
            params.append(("_search_mode", "raw"))
        params += [("_facet", "addressee"), ("_facet", "csp"), ("_size", str(PAGE_SIZE))]
        return "/bench/recommendations.json?" + urllib.parse.urlencode(params)


def make_queries(
    texts: list[str], stop: frozenset[str], per_class: int, seed: int, make=Query
) -> list:
    """A deterministic mix of rare and common words, two-word AND queries and phrases, each
    a `make(kind, q, words)` (Query; bench_fulltext.PageQuery for report pages)."""
    rng = random.Random(seed)
    # Word positions only of the texts drawn from: all of 25,000 report pages would be
    # ~10M tuples. Document frequencies from one findall per text (lowered first when ASCII,
    # where that gives the same words) take seconds at that size.
    positions: dict[int, list[tuple[str, int, int]]] = {}

    def words_of(i: int) -> list[tuple[str, int, int]]:
        if i not in positions:
            positions[i] = [
                (m.group().lower(), m.start(), m.end()) for m in WORD.finditer(texts[i])
            ]
        return positions[i]

    df: Counter[str] = Counter()
    for t in texts:
        df.update(
            set(WORD.findall(t.lower())) if t.isascii() else {w.lower() for w in WORD.findall(t)}
        )
    n = max(1, len(texts))

    def good(w: str) -> bool:
        return len(w) >= 3 and w not in stop

    rare = sorted(w for w, c in df.items() if good(w) and c <= max(3, n * 0.002))
    # Ties in alphabetical order, so the same texts give the same queries in every process.
    common = sorted(
        (w for w, c in df.items() if good(w) and c >= n * 0.04), key=lambda w: (-df[w], w)
    )
    queries = [make("rare", w, [w]) for w in rng.sample(rare, min(per_class, len(rare)))]
    queries += [make("common", w, [w]) for w in common[:per_class]]
    seen: set[str] = set()
    tries = 0
    pairs, phrases = [], []
    while (len(pairs) < per_class or len(phrases) < per_class) and tries < 200 * per_class:
        tries += 1
        i = rng.randrange(len(texts))
        words = words_of(i)
        if len(words) < 4:
            continue
        j = rng.randrange(len(words) - 2)
        a, b, c = words[j], words[j + 1], words[j + 2]
        # A phrase: adjacent words separated by one space, none a stop word.
        three = len(phrases) % 5 == 4
        span = [a, b, c] if three else [a, b]
        adjacent = all(texts[i][x[2] : y[1]] == " " for x, y in zip(span, span[1:], strict=False))
        if len(phrases) < per_class and adjacent and all(good(w) for w, _, _ in span):
            text = " ".join(w for w, _, _ in span)
            if text not in seen:
                seen.add(text)
                phrases.append(make("phrase", f'"{text}"', [w for w, _, _ in span]))
        # Two words of one recommendation, not next to each other, both reasonably common.
        k = rng.randrange(len(words))
        x, y = words[j][0], words[k][0]
        if (
            len(pairs) < per_class
            and abs(j - k) > 2
            and x != y
            and good(x)
            and good(y)
            and min(df[x], df[y]) >= n * 0.01
        ):
            text = f"{x} {y}"
            if text not in seen and f"{y} {x}" not in seen:
                seen.add(text)
                pairs.append(make("and2", text, [x, y]))
    return queries + pairs + phrases


def warmup_queries(queries: list) -> list:
    """Warm-up requests that differ from every timed query (so no result is pre-computed)."""
    make = type(queries[0]) if queries else Query  # Query or PageQuery, as timed
    words = sorted({w for q in queries for w in q.words})
    rng = random.Random(99)
    timed = {q.q for q in queries}
    out = []
    for kind in CLASSES:
        for _ in range(5):
            a, b = rng.sample(words, 2)
            q = make(kind, {"phrase": f'"{a} {b}"', "and2": f"{a} {b}"}.get(kind, a), [a, b])
            if q.q not in timed:
                out.append(q)
    return out


# --- HTTP ---------------------------------------------------------------------------------


class Client:
    """A keep-alive HTTP/1.1 client for one server."""

    def __init__(self, base: str, timeout: float = 60):
        u = urllib.parse.urlsplit(base)
        self.host, self.port, self.timeout = u.hostname, u.port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request("GET", path)
                resp = self.conn.getresponse()
                body = resp.read()
                if resp.getheader("connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return resp.status, body
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def http_get(url: str) -> tuple[int, bytes]:
    """One GET on a fresh connection."""
    u = urllib.parse.urlsplit(url)
    return Client(f"{u.scheme}://{u.netloc}").get(url[len(f"{u.scheme}://{u.netloc}") :])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    """Wait until url answers 200, or fail with the server's output."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server for {url} exited with {proc.returncode}")
        try:
            status, body = http_get(url)
            if status == 200:
                return
            last = f"{status} {body[:300]!r}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer 200 in {timeout}s: {last}")


def wait_warm(log_path: Path, proc: subprocess.Popen, workers: int, timeout: float = 120) -> float:
    """Wait until each of our `workers` processes has logged that its version is warm (an
    `"event": "warm"` line in the serve log); seconds waited. An older checkout that logs no
    such line is waited for 10 s."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"our server exited with {proc.returncode}")
        text = log_path.read_text(errors="replace") if log_path.exists() else ""
        warm = {line for line in text.splitlines() if '"event": "warm"' in line}
        if len(warm) >= workers:
            return time.monotonic() - started
        if "warm" not in text and time.monotonic() - started > 10:
            return time.monotonic() - started
        time.sleep(0.2)
    raise SystemExit(f"our server did not say warm in {timeout}s (see {log_path})")


def start(
    cmd: list[str], env: dict | None = None, log_path: Path | None = None
) -> subprocess.Popen:
    out = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB, from /proc/<pid>/status."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def process_tree(pid: int) -> list[int]:
    """A process and its children (serve --workers forks), the process first."""
    pids = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def rss_tree_mb(pid: int) -> tuple[float, float]:
    """VmRSS and VmHWM (MB) of a process plus its children (serve --workers forks)."""
    sizes = [rss_mb(p) for p in process_tree(pid)]
    return sum(r for r, _ in sizes), sum(h for _, h in sizes)


def rss_each_mb(pid: int) -> list[tuple[int, float, float]]:
    """(pid, VmRSS, VmHWM) in MB of a process and of each of its children."""
    return [(p, *rss_mb(p)) for p in process_tree(pid)]


def serve_ours(
    index_dir: Path, port: int, threads: int | None, out: Path, workers: int = 1
) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "search_service", "serve", "--index-dir", str(index_dir)]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    if threads:
        cmd += ["--threads", str(threads)]
    return start(cmd, py_env(), out / f"ours-{port}.log")


def ensure_datasette(env_dir: Path) -> Path:
    """bench-env/bin/datasette, creating the environment on first use."""
    exe = env_dir / "bin" / "datasette"
    if not exe.exists():
        log(f"installing {DATASETTE} into {env_dir} ...")
        subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
        subprocess.run([str(env_dir / "bin" / "pip"), "install", "--quiet", DATASETTE], check=True)
    return exe


def serve_datasette(
    exe: Path, db: Path, port: int, out: Path, tables: dict | None = None
) -> subprocess.Popen:
    """`datasette serve -i db`: its database is named by the file (bench.db: "bench")."""
    tables = tables or {"recommendations": {"fts_table": "recommendations_fts", "fts_pk": "id"}}
    meta = out / "datasette-metadata.json"
    meta.write_text(json.dumps({"databases": {"bench": {"tables": tables}}}))
    cmd = [str(exe), "serve", "-i", str(db), "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--metadata", str(meta)]
    for k, v in DATASETTE_SETTINGS.items():
        cmd += ["--setting", k, str(v)]
    return start(cmd, None, out / "datasette.log")


# --- measuring ----------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))
    return s[k]


def latency(queries: list[Query], ours: str, theirs: str, rounds: int) -> dict:
    """Each query to both servers, one by one, alternating which goes first."""
    a, b = Client(ours), Client(theirs)
    times = {"ours": {k: [] for k in CLASSES}, "datasette": {k: [] for k in CLASSES}}
    totals = {"ours": Counter(), "datasette": Counter()}
    errors = Counter()
    timed_out = 0
    order = list(queries)
    for r in range(rounds):
        random.Random(r).shuffle(order)
        for i, q in enumerate(order):
            sides = [("ours", a, q.ours()), ("datasette", b, q.datasette())]
            if (i + r) % 2:
                sides.reverse()
            for side, client, path in sides:
                t0 = time.perf_counter()
                status, body = client.get(path)
                elapsed = (time.perf_counter() - t0) * 1000
                if status != 200:
                    errors[side] += 1
                    continue
                times[side][q.kind].append(elapsed)
                if r == 0:
                    data = json.loads(body)
                    if side == "ours":
                        totals[side][q.kind] += data["total"]
                    else:
                        totals[side][q.kind] += data.get("filtered_table_rows_count") or 0
                        timed_out += len(data.get("facets_timed_out") or [])
    return {"times": times, "totals": totals, "errors": errors, "facets_timed_out": timed_out}


def throughput(base: str, paths: list[str], clients: int, duration: float) -> dict:
    """Requests/s with `clients` threads, each cycling through paths, for `duration` seconds."""
    done = [0] * clients
    errors = [0] * clients
    stop_at = time.perf_counter() + duration

    def worker(n: int) -> None:
        c = Client(base)
        i = n * 7
        while time.perf_counter() < stop_at:
            try:
                status, _ = c.get(paths[i % len(paths)])
                if status == 200:
                    done[n] += 1
                else:
                    errors[n] += 1
            except OSError:
                errors[n] += 1
            i += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"rps": sum(done) / elapsed, "requests": sum(done), "errors": sum(errors)}


NGINX_CONF = """
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  upstream dhr {{
    least_conn;
{servers}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://dhr;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }}
  }}
}}
"""


def nginx_config(tmp: Path, port: int, backends: list[int]) -> Path:
    """An nginx config in tmp that balances loopback port over the backends."""
    servers = "\n".join(f"    server 127.0.0.1:{p};" for p in backends)
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, servers=servers))
    return conf


def multiproc(
    index_dir: Path, procs: int, paths: list[str], clients: int, duration: float, out: Path
) -> dict:
    """Requests/s through nginx in front of `procs` serve processes over one index."""
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if not nginx:
        return {"error": "nginx not installed (apt-get install nginx-light)"}
    ports = [free_port() for _ in range(procs)]
    servers = [serve_ours(index_dir, p, None, out) for p in ports]
    tmp = Path(tempfile.mkdtemp(prefix="dhr-nginx-"))
    front = free_port()
    proxy = None
    try:
        for p, s in zip(ports, servers, strict=True):
            wait_http(f"http://127.0.0.1:{p}/healthz", s)
            wait_warm(out / f"ours-{p}.log", s, 1)
        proxy = start([nginx, "-p", str(tmp), "-c", str(nginx_config(tmp, front, ports))])
        base = f"http://127.0.0.1:{front}"
        wait_http(base + "/healthz", proxy)
        throughput(base, paths, clients, min(3.0, duration))  # warm every process
        result = throughput(base, paths, clients, duration)
        result["rss_mb"] = sum(rss_mb(s.pid)[0] for s in servers)
        return result
    finally:
        if proxy:
            stop(proxy)
        for s in servers:
            stop(s)
        shutil.rmtree(tmp, ignore_errors=True)


# --- report -------------------------------------------------------------------------------


def report(args, build, update, fresh, lat, tput, mem, multi, nq, db_rows) -> str:
    """The recommendation benchmark's report."""
    lines = [
        f"DHR Search vs Datasette {DATASETTE.split('==')[1]}: {build['reviews']} reviews, "
        f"{build['docs']} documents (ours: recommendations + summaries), {db_rows} rows in SQLite",
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {nq} distinct queries, "
        f"{args.rounds} round(s), interleaved; ours: serve --workers {args.workers}",
        "",
        f"build: {build['seconds']:.1f} s full, {build['docs_per_s']:.0f} docs/s",
    ]
    if args.latency_only:
        lines.append("latency only (--latency-only): the index of an earlier run")
    elif update is None:
        lines.append("update: skipped: this checkout's CLI has no `index --update`")
    elif "error" in update:
        lines.append(f"update: failed: {update['error']}")
    else:
        lines.append(
            f"update: {update['seconds']:.1f} s for {update['changed']} changed files (1%)"
        )
    if fresh is not None:
        if "error" in fresh:
            lines.append(f"new review searchable: failed: {fresh['error']}")
        else:
            lines.append(
                f"new review searchable by the running server: {fresh['searchable_s']:.2f} s "
                f"(update command {fresh['update_s']:.2f} s)"
            )
    lines += ["", *latency_lines(lat)]
    if tput is not None:
        lines += ["", *throughput_lines(args, tput)]
    if mem is not None:
        lines += [
            "",
            f"memory after the run: ours VmRSS {mem['ours'][0]:.0f} MB "
            f"(peak {mem['ours'][1]:.0f}), datasette VmRSS {mem['datasette'][0]:.0f} MB "
            f"(peak {mem['datasette'][1]:.0f})",
        ]
    if multi:
        lines += ["", *multi_lines(args, multi)]
    return "\n".join(lines)


def latency_lines(lat: dict) -> list[str]:
    """The interleaved latency table: p50 and p95 per class, ratios and match counts."""
    lines = [
        "latency (ms)      ours p50   p95 | datasette p50   p95 | ratio p50  p95 | matches ours/ds",
    ]
    t = lat["times"]
    for kind in (*CLASSES, "all"):
        o = [x for k in CLASSES for x in t["ours"][k]] if kind == "all" else t["ours"][kind]
        d = (
            [x for k in CLASSES for x in t["datasette"][k]]
            if kind == "all"
            else t["datasette"][kind]
        )
        o50, o95, d50, d95 = pct(o, 50), pct(o, 95), pct(d, 50), pct(d, 95)
        if kind == "all":
            matches = ""
        else:
            matches = f"{lat['totals']['ours'][kind]}/{lat['totals']['datasette'][kind]}"
        lines.append(
            f"  {kind:<8} {len(o):>4}  {o50:7.1f} {o95:6.1f} |   {d50:9.1f} {d95:6.1f} |"
            f"   {o50 / d50:5.2f} {o95 / d95:5.2f} | {matches}"
        )
    lines.append(
        f"  errors: ours {lat['errors']['ours']}, datasette {lat['errors']['datasette']}; "
        f"datasette facets timed out: {lat['facets_timed_out']}"
    )
    return lines


def throughput_lines(args, tput: dict) -> list[str]:
    """Requests/s of each side with args.clients clients, and their ratio."""
    o, d = tput["ours"], tput["datasette"]
    return [
        f"throughput, {args.clients} clients x {args.duration:.0f} s per side:",
        f"  ours      {o['rps']:7.1f} req/s ({o['requests']} requests, {o['errors']} errors)",
        f"  datasette {d['rps']:7.1f} req/s ({d['requests']} requests, {d['errors']} errors)",
        f"  ratio     {o['rps'] / max(d['rps'], 1e-9):7.2f}",
    ]


def multi_lines(args, multi: dict) -> list[str]:
    """Requests/s of N serve processes behind nginx."""
    lines = [f"serve processes behind nginx, {args.clients} clients x {args.duration:.0f} s:"]
    for n, r in multi.items():
        if "error" in r:
            lines.append(f"  {n} process(es): {r['error']}")
        else:
            lines.append(
                f"  {n} process(es): {r['rps']:7.1f} req/s ({r['errors']} errors, "
                f"VmRSS total {r['rss_mb']:.0f} MB)"
            )
    return lines


@contextlib.contextmanager
def both_servers(args, index_dir: Path, out: Path, datasette: Path, db: Path, tables=None):
    """Our server and Datasette's over the same data, stopped however the block ends:
    (ours, datasette, our base URL, Datasette's, our server's log)."""
    ours_port, ds_port = free_port(), free_port()
    ours = serve_ours(index_dir, ours_port, args.threads, out, args.workers)
    ds = serve_datasette(datasette, db, ds_port, out, tables)
    try:
        yield (
            ours,
            ds,
            f"http://127.0.0.1:{ours_port}",
            f"http://127.0.0.1:{ds_port}",
            out / f"ours-{ours_port}.log",
        )
    finally:
        stop(ours)
        stop(ds)


def measure(
    args, queries: list, ours, ours_base: str, ours_log: Path, ds, ds_base: str, ds_ready: str
):
    """Wait until both servers answer and ours is warm, warm both up, then time the
    interleaved latency and (unless --latency-only) the throughput; (latency, throughput)."""
    wait_http(ours_base + "/healthz", ours)
    wait_http(ds_base + ds_ready, ds)
    # Steady state on both sides: ours fills its caches in the background after a start.
    waited = wait_warm(ours_log, ours, args.workers)
    log(f"our server was warm after {waited:.1f} s more")
    log("warming up ...")
    warm = warmup_queries(queries)
    for _ in range(2):
        for q in warm:
            Client(ours_base).get(q.ours())
            Client(ds_base).get(q.datasette())
    log("latency ...")
    lat = latency(queries, ours_base, ds_base, args.rounds)
    tput = None
    if not args.latency_only:
        log("throughput ...")
        paths = {"ours": [q.ours() for q in queries], "ds": [q.datasette() for q in queries]}
        tput = {
            "ours": throughput(ours_base, paths["ours"], args.clients, args.duration),
            "datasette": throughput(ds_base, paths["ds"], args.clients, args.duration),
        }
    return lat, tput


def nginx_runs(args, index_dir: Path, queries: list, out: Path) -> dict:
    """--procs: requests/s of N serve processes behind nginx, for each N asked."""
    multi = {}
    for n in [int(p) for p in args.procs.split(",") if p.strip() and not args.latency_only]:
        log(f"{n} serve process(es) behind nginx ...")
        multi[n] = multiproc(
            index_dir, n, [q.ours() for q in queries], args.clients, args.duration, out
        )
    return multi


def log_queries(queries: list, path: Path) -> None:
    """Say how many queries of each class there are and keep them beside the results."""
    log(
        f"{len(queries)} queries: "
        + ", ".join(f"{k} {sum(q.kind == k for q in queries)}" for k in CLASSES)
    )
    path.write_text(json.dumps([q.__dict__ for q in queries], indent=1))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line, with the defaults of the mode asked for filled in."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--reviews", type=int, default=None, help="synthetic reviews (default 6500; --reports 650)"
    )
    ap.add_argument("--seed", type=int, default=1, help="demo generator seed")
    ap.add_argument(
        "--reports",
        action="store_true",
        help="full-text mode: a report PDF per review, its pages in SQLite FTS5 for Datasette",
    )
    ap.add_argument(
        "--report-pages",
        type=int,
        default=None,
        help="pages per report with --reports (default 40)",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out", help="working folder")
    ap.add_argument("--per-class", type=int, default=30, help="queries per class (4 classes)")
    ap.add_argument("--rounds", type=int, default=3, help="latency rounds over all queries")
    ap.add_argument("--clients", type=int, default=8, help="concurrent clients for req/s")
    ap.add_argument("--duration", type=float, default=20, help="seconds per throughput run")
    ap.add_argument("--threads", type=int, default=None, help="waitress threads for ours")
    ap.add_argument(
        "--workers",
        type=int,
        default=1,
        help="`serve --workers N` for ours (processes on one port)",
    )
    ap.add_argument(
        "--procs", default="", help="also measure N serve processes behind nginx, e.g. 1,2"
    )
    ap.add_argument("--skip-build", action="store_true", help="reuse the index from a previous run")
    ap.add_argument(
        "--latency-only",
        action="store_true",
        help="reuse the index and time only the interleaved latency (for A/B runs)",
    )
    ap.add_argument("--bench-env", type=Path, default=ROOT / "bench-env")
    args = ap.parse_args(argv)
    args.skip_build = args.skip_build or args.latency_only
    if args.report_pages is not None and not args.reports:
        ap.error("--report-pages is for the full-text mode: add --reports")
    if args.reviews is None:
        args.reviews = 650 if args.reports else 6500
    if args.reports and args.report_pages is None:
        args.report_pages = 40
    if args.reports and args.report_pages < 1:
        ap.error("--report-pages must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    datasette = ensure_datasette(args.bench_env.resolve())
    text = (
        run_reports(args, datasette, out)
        if args.reports
        else run_recommendations(args, datasette, out)
    )
    print(text)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (out / f"bench{'-reports' if args.reports else ''}-{stamp}.txt").write_text(text + "\n")
    return 0


def run_recommendations(args, datasette: Path, out: Path) -> str:
    """The recommendation benchmark: recommendations in SQLite FTS5, words of theirs queried."""
    from search_service.analysis.filters import stop_words
    from search_service.corpus.folder import read_corpus

    log(f"corpus: {args.reviews} reviews, seed {args.seed} ...")
    corpus = make_corpus(out, args.reviews, args.seed)
    index_dir = out / f"index-{args.reviews}-s{args.seed}"
    if args.skip_build and (index_dir / "CURRENT").exists():
        meta = json.loads(our_cli("status", "--index-dir", str(index_dir)).stdout)
        docs = meta["recommendations"] + meta["summaries"] + meta.get("passages", 0)
        build = {
            "seconds": float("nan"),
            "docs": docs,
            "reviews": meta["reviews"],
            "docs_per_s": float("nan"),
        }
    else:
        log("full build ...")
        build = time_build(corpus, index_dir)
    log(f"build: {build}")
    update = None
    if args.latency_only:
        log("latency only: no update, throughput, memory, freshness or nginx steps")
    elif has_update():
        log("update after changing 1% of the files ...")
        update = time_update(corpus, index_dir)
    else:
        log("this checkout's CLI has no `index --update`: skipping the update timing")

    reviews = read_corpus(corpus).reviews
    db = out / "bench.db"
    db_rows = build_sqlite(reviews, db)
    texts = [rec.text for r in reviews for rec in r.recommendations]
    queries = make_queries(texts, stop_words(), args.per_class, args.seed)
    log_queries(queries, out / "queries.json")

    fresh = mem = None
    with both_servers(args, index_dir, out, datasette, db) as (
        ours,
        ds,
        ours_base,
        ds_base,
        ours_log,
    ):
        ready = "/bench/recommendations.json?_size=1"
        lat, tput = measure(args, queries, ours, ours_base, ours_log, ds, ds_base, ready)
        if tput is not None:
            mem = {"ours": rss_tree_mb(ours.pid), "datasette": rss_tree_mb(ds.pid)}
        if update is not None and "error" not in update:
            log("freshness: one new review, --update, poll the running server ...")
            fresh = time_freshness(corpus, index_dir, ours_base)
    multi = nginx_runs(args, index_dir, queries, out)
    return report(args, build, update, fresh, lat, tput, mem, multi, len(queries), db_rows)


def class_ratios(lat: dict) -> dict[str, tuple[float, float]]:
    """Per class, ours / Datasette's p50 and p95 latency."""
    t = lat["times"]
    return {
        k: (
            pct(t["ours"][k], 50) / pct(t["datasette"][k], 50),
            pct(t["ours"][k], 95) / pct(t["datasette"][k], 95),
        )
        for k in CLASSES
    }


def run_reports(args, datasette: Path, out: Path) -> str:
    """The full-text benchmark (--reports): report pages in both, queried as users query."""
    from search_service.analysis.filters import stop_words
    from search_service.cli.options import PDF_CACHE
    from search_service.corpus.folder import read_corpus

    nan = float("nan")
    tag = f"{args.reviews}-s{args.seed}-p{args.report_pages}"
    log(f"corpus: {args.reviews} reviews, reports of ~{args.report_pages} pages ...")
    corpus = make_corpus(out, args.reviews, args.seed, args.report_pages)
    index_dir = out / f"index-{tag}"
    build = {"cold_s": nan, "warm_s": nan}
    if not (args.skip_build and (index_dir / "CURRENT").exists()):
        log("full build from scratch (extraction + indexing) ...")
        build["cold_s"] = time_build(corpus, index_dir)["seconds"]
        # The PDF cache lives in the index folder: a second build only indexes.
        log("full build again, PDF cache warm (indexing) ...")
        build["warm_s"] = time_build(corpus, index_dir, cold=False)["seconds"]
    log(f"build: {build}")
    meta = json.loads(our_cli("status", "--index-dir", str(index_dir)).stdout)
    sizes = fulltext.index_size(index_dir, PDF_CACHE)

    started = time.perf_counter()
    reviews = read_corpus(corpus, pdf_cache=index_dir / PDF_CACHE).reviews
    db = out / "pages-db" / "bench.db"  # Datasette names the database "bench" by its file
    db_rows = fulltext.build_pages_db(reviews, db)
    sqlite_s = time.perf_counter() - started
    sizes["sqlite"] = fulltext.sqlite_size(db)
    texts = fulltext.page_texts(reviews)
    del reviews
    queries = make_queries(texts, stop_words(), args.per_class, args.seed, fulltext.PageQuery)
    del texts
    log_queries(queries, out / "queries-pages.json")

    mem = update = None
    tables = fulltext.DATASETTE_TABLES
    with both_servers(args, index_dir, out, datasette, db, tables) as started:
        ours, ds, ours_base, ds_base, ours_log = started
        ready = "/bench/pages.json?_size=1"
        lat, tput = measure(args, queries, ours, ours_base, ours_log, ds, ds_base, ready)
        if tput is not None:
            mem = {"ours": rss_each_mb(ours.pid), "datasette": rss_each_mb(ds.pid)}
        if not args.latency_only:
            log("one report changed, --update, poll the running server ...")
            update = fulltext.time_report_update(
                corpus, index_dir, ours_base, args.seed, args.report_pages, our_cli
            )
    multi = nginx_runs(args, index_dir, queries, out)

    lat_ratios = class_ratios(lat)
    figures = fulltext.goal_figures(
        lat_ratios, lat["errors"]["ours"], tput, sizes, build, mem, update
    )
    head = fulltext.head_lines(args, meta, db_rows, len(queries), DATASETTE.split("==")[1])
    sections = [
        head,
        fulltext.build_lines(build, sqlite_s, db_rows) + fulltext.size_lines(sizes),
        fulltext.update_lines(update),
        latency_lines(lat),
    ]
    if tput is not None:
        sections.append(throughput_lines(args, tput))
    if mem is not None:
        sections.append(fulltext.memory_lines(mem))
    if multi:
        sections.append(multi_lines(args, multi))
    sections.append(fulltext.goal_lines(fulltext.judge_goals(figures)))
    return "\n\n".join("\n".join(lines) for lines in sections)


if __name__ == "__main__":
    sys.exit(main())
