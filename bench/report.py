#!/usr/bin/env python3
"""Renders bench/run.sh's raw results as Markdown: a table per dataset and a check of the targets.

Usage: report.py RESULTS_TSV FACTS_TSV
RESULTS_TSV: size, scenario, target (warta|ceiling), the `BENCH k=v ...` line of bench/lua/scenario.lua.
FACTS_TSV: size (or -), key, value.
"""

import re
import sys
from collections import OrderedDict

SCENARIOS = [
    # key, label, ceiling key
    ("list", "list page 1", "list"),
    ("category", "list by category", "category"),
    ("tag", "list by tag (the most used)", "tag"),
    ("deep", "deep page (middle) by number", "deep"),
    ("deep_cursor", "deep page (middle) by cursor", "deep_cursor"),
    ("slug", "article by slug", "slug"),
    ("comments", "an article's comments", "comments"),
    ("categories", "categories", "categories"),
    ("revalidate", "304 revalidation (If-None-Match)", "revalidate"),
    ("list_commenting", "list page 1 while readers post comments", "list"),
    ("comment_background", "comment POSTs beside it (paced, ~200/s)", None),
    ("comment_post", "comment POST", "comment_post"),
    ("article_patch", "article PATCH (editor)", "article_patch"),
    ("search", "search, cache off (20 queries)", "search"),
    ("cold_list", "list page 1, cache off", "list"),
    ("cold_category", "list by category, cache off", "category"),
    ("cold_tag", "list by tag, cache off", "tag"),
    ("cold_deep", "deep page by number, cache off", "deep"),
    ("cold_cursor", "deep page by cursor, cache off", "deep_cursor"),
    ("list_3", "list page 1, three instances behind haproxy", None),
    ("comment_post_3", "comment POST, three instances behind haproxy", None),
]
HOT_READS = ["list", "category", "tag", "deep", "deep_cursor", "slug", "comments", "categories", "revalidate"]


def load(results_path, facts_path):
    results = {}
    sizes = OrderedDict()
    with open(results_path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4:
                continue
            size, scenario, target, bench = parts
            values = dict(kv.split("=", 1) for kv in bench.split()[1:])
            values = {k: int(v) for k, v in values.items()}
            # Only answers with a status below 400 count; wrk's `requests` includes the others.
            ok = max(values["requests"] - values["status"], 0)
            values["ok"] = ok
            values["rps"] = ok / (values["duration_us"] / 1e6) if values["duration_us"] else 0.0
            # wrk records no latency for requests slower than its timeout: no samples, no percentiles.
            values["sampled"] = values["requests"] > values["timeout"]
            results[(size, scenario, target)] = values
            sizes[size] = True
    facts = {}
    with open(facts_path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3:
                facts[(parts[0], parts[1])] = parts[2]
                if parts[0] != "-":
                    sizes[parts[0]] = True
    return results, facts, list(sizes)


def ms(us):
    return f"{us / 1000:.2f} ms"


def lat(v, key):
    return ms(v[key]) if v["sampled"] else "n/a"


def seconds_to_ms(text):
    return re.sub(r"(\d+\.\d+) s\b", lambda m: f"{float(m.group(1)) * 1000:.0f} ms", text)


def rps(v):
    return f"{v:,.0f}"


def errors(v):
    names = ["connect", "read", "write", "timeout", "status"]
    found = [f"{v[n]} {'status >= 400' if n == 'status' else n}" for n in names if v.get(n)]
    return ", ".join(found)


def main():
    results, facts, sizes = load(sys.argv[1], sys.argv[2])
    out = []
    w = out.append
    w("# Warta benchmark results")
    w("")
    w(f"Machine: {facts.get(('-', 'machine'), '?')}  ")
    w(f"Database: {facts.get(('-', 'backend'), 'SQLite')}  ")
    w(f"Load: {facts.get(('-', 'load'), '?')}  ")
    if ("-", "total") in facts:
        w(f"Total run time: {facts[('-', 'total')]}")
    w("")
    notes = []
    for size in sizes:
        f = lambda k, d="?": facts.get((size, k), d)
        w(f"## {size}: {f('dataset')}")
        w("")
        w(f"- generation: {f('generation')} (database {f('db_size')})")
        if (size, "copy") in facts:
            w(f"- into PostgreSQL: {f('copy')}")
        w(f"- ready (`/ready` answers 200, from process start): {f('ready_on')} ms with the response cache, "
          f"{f('ready_off')} ms without")
        rss = [int(facts[(size, k)]) for k in ("rss_on", "rss_off") if (size, k) in facts]
        if rss:
            w(f"- peak RSS (VmHWM): {int(f('rss_on', 0)) / 1024:.1f} MB (cache on, reads and writes), "
              f"{int(f('rss_off', 0)) / 1024:.1f} MB (cache off); max {max(rss) / 1024:.1f} MB")
        w(f"- requests: {f('public')}; category `{f('category')}`; tag `{f('tag')}`; deep page = {f('deep')}; "
          f"article `{f('slug')}`; comments of `{f('comments_slug')}`; comments posted to `{f('post_slug')}`; "
          f"PATCHed article ids {f('patch_ids')}")
        alone = seconds_to_ms(f("search_alone"))
        replay = "the ceiling skips search" if "no answer" in alone else "the ceiling replays that one answer"
        w(f"- search, one query timed alone on the cache-off server: {alone}; {replay}")
        queries = [q.split(":") for q in f("search_queries", "").split(";") if q]
        if queries:
            shown = []
            for word, matches, took in queries:
                took = f"{float(took) * 1000:.1f} ms" if took != "-" else "no answer"
                extra = " (worst case, not in the load mix)" if word == "yang" else ""
                shown.append(f"`{word.replace('%20', ' ')}` {matches} matches, {took}{extra}")
            w("- search queries alone (matches, time by curl): " + "; ".join(shown))
        w("")
        w("| scenario | req/s | p50 | p99 | ceiling req/s | ratio |")
        w("|---|---:|---:|---:|---:|---:|")
        for key, label, ceiling_key in SCENARIOS:
            v = results.get((size, key, "warta"))
            c = results.get((size, ceiling_key, "ceiling"))
            if v is None and c is None:
                continue
            cells = [label]
            cells += [rps(v["rps"]), lat(v, "p50_us"), lat(v, "p99_us")] if v else ["-", "-", "-"]
            cells.append(rps(c["rps"]) if c else "-")
            cells.append(f"{v['rps'] / c['rps'] * 100:.0f}%" if v and c and c["rps"] else "-")
            w("| " + " | ".join(cells) + " |")
            for target, r in (("warta", v), ("ceiling", c if key == ceiling_key else None)):
                if r and errors(r):
                    notes.append(f"{size} {label} on {target}: {errors(r)} (of {r['requests']} requests)")
        p99s = [results[(size, k, "ceiling")]["p99_us"] for k, _, _ in SCENARIOS if (size, k, "ceiling") in results]
        if p99s:
            w("")
            w(f"Ceiling p99 across its scenarios: {ms(min(p99s))} to {ms(max(p99s))} "
              "(the floor of p99 on this machine: client and server share its cores).")
        w("")
    w("req/s counts answers with a status below 400; p50/p99 are n/a when no request finished within "
      "wrk's 10 s timeout.")
    w("")
    w("Errors counted by wrk: " + ("; ".join(notes) if notes else "none (no socket errors, timeouts or statuses >= 400)."))
    w("")
    w(targets(results, facts, sizes))
    print("\n".join(out))


def targets(results, facts, sizes):
    rows = []
    # PostgreSQL's own targets (issue 12) where they differ from SQLite's.
    pg = "PostgreSQL" in facts.get(("-", "backend"), "")
    cold_list, comments, patches, searches = (3000, 1500, 500, 200) if pg else (5000, 1000, 300, 1000)

    def get(size, scenario, target="warta"):
        return results.get((size, scenario, target))

    def row(what, size, ok, measured):
        rows.append(f"| {what} | {size} | {'met' if ok else '**missed**'} | {measured} |")

    for size in sizes:
        for key in HOT_READS:
            v, c = get(size, key), get(size, key, "ceiling")
            if v and c and c["rps"]:
                share = v["rps"] / c["rps"]
                ok = share >= 0.5 and v["p99_us"] < 10_000
                row(f"hot read `{key}`: >= 50% of ceiling, p99 < 10 ms", size, ok,
                    f"{share * 100:.0f}% of ceiling, p99 {lat(v, 'p99_us')}")
        v = get(size, "cold_list")
        if v:
            if pg:
                row(f"cache-cold list page 1 >= {cold_list} req/s", size, v["rps"] >= cold_list,
                    f"{rps(v['rps'])} req/s, p99 {lat(v, 'p99_us')}")
            else:
                row(f"cache-cold list page 1 >= {cold_list} req/s, p99 < 25 ms", size,
                    v["rps"] >= cold_list and v["sampled"] and v["p99_us"] < 25_000, f"{rps(v['rps'])} req/s, p99 {lat(v, 'p99_us')}")
        v = get(size, "search")
        if v and pg:
            row(f"search (cache off) >= {searches} req/s", size, v["rps"] >= searches,
                f"{rps(v['rps'])} req/s, p99 {lat(v, 'p99_us')}")
        elif v:
            row(f"search (cache off) >= {searches} req/s, p99 < 25 ms", size,
                v["rps"] >= searches and v["sampled"] and v["p99_us"] < 25_000, f"{rps(v['rps'])} req/s, p99 {lat(v, 'p99_us')}")
        for deep, page1 in (("deep", "list"), ("deep_cursor", "list"), ("cold_deep", "cold_list"), ("cold_cursor", "cold_list")):
            d, p = get(size, deep), get(size, page1)
            if d and p and d["rps"]:
                factor = p["rps"] / d["rps"]
                row(f"`{deep}` within 2x of `{page1}` (req/s)", size, factor <= 2, f"page 1 is {factor:.2f}x deep page")
        v, idle, posted = get(size, "list_commenting"), get(size, "list"), get(size, "comment_background")
        if v and idle and idle["rps"]:
            share = v["rps"] / idle["rps"]
            beside = f" while {rps(posted['rps'])} comments/s were posted" if posted else ""
            row("list page 1 while readers comment >= 80% of its idle rate", size, share >= 0.8,
                f"{rps(v['rps'])} req/s (p99 {lat(v, 'p99_us')}) = {share * 100:.0f}% of {rps(idle['rps'])}{beside}")
        v = get(size, "comment_post")
        if v:
            row(f">= {comments} comment POSTs/s", size, v["rps"] >= comments, f"{rps(v['rps'])} req/s")
        v = get(size, "article_patch")
        if v:
            row(f">= {patches} article PATCHes/s", size, v["rps"] >= patches, f"{rps(v['rps'])} req/s")
        rss = [int(facts[(size, k)]) for k in ("rss_on", "rss_off") if (size, k) in facts]
        if rss:
            row("peak RSS < 150 MB", size, max(rss) < 150 * 1024, f"{max(rss) / 1024:.1f} MB")
    small, large = ("1k", "100k") if "1k" in sizes and "100k" in sizes else (sizes[0], sizes[-1]) if len(sizes) > 1 else (None, None)
    if small and small != large:
        for key in ("list", "cold_list", "search"):
            a, b = get(small, key), get(large, key)
            if a and b:
                label = f"`{key}` at {large} within 1.5x of {small} (req/s)"
                if b["rps"]:
                    factor = a["rps"] / b["rps"]
                    row(label, f"{small} vs {large}", factor <= 1.5, f"{small} is {factor:.2f}x {large}")
                else:
                    row(label, f"{small} vs {large}", False, f"{rps(a['rps'])} req/s vs none at {large}")
    for size in sizes:
        if size in ("100k",) and (size, "ready_on") in facts:
            ready = max(int(facts[(size, k)]) for k in ("ready_on", "ready_off") if (size, k) in facts)
            row("ready within 1 s of start", size, ready < 1000, f"{ready} ms (slower of the two starts)")
    head = ["## Targets", "", "| target | dataset | result | measured |", "|---|---|---|---|"]
    return "\n".join(head + rows)


if __name__ == "__main__":
    main()
