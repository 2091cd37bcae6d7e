#!/usr/bin/env bash
# bench/median.sh RESULTS.tsv... — median over several bench/run.sh runs of the sws/anchor ratios.
#
# Each argument is a results.tsv written by bench/run.sh (bench/out/STAMP/results.tsv). The ratio is taken
# within each run (sws and the anchor measured minutes apart on the same machine), and the median is taken
# over the runs, as issue 4 asks; with two runs the median is their mean. Prints a Markdown table of
# sws/anchor for req/s, and anchor/sws for CPU µs/req and p99 latency, so that in every column > 1 means
# sws is ahead.
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

awk -F'\t' '
  # Columns of results.tsv: workload, server, requests, req/s, p50 ms, p99 ms, socket errors, non-2xx,
  # CPU µs/req, RSS MiB, MiB/s.
  FNR == 1 { run++ }
  { rate[run, $1, $2] = $4; p99[run, $1, $2] = $6; cpu[run, $1, $2] = $9
    if (!(($1, $2) in seen)) { seen[$1, $2] = 1; order[++n] = $1 SUBSEP $2 } }
  function median(a, k,   i, j, t) {
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
  }
  END {
    print "| workload | anchor | sws/anchor req/s | anchor/sws CPU µs/req | anchor/sws p99 | runs |"
    print "|---|---|--:|--:|--:|--:|"
    for (i = 1; i <= n; i++) {
      split(order[i], key, SUBSEP); w = key[1]; s = key[2]
      if (s == "sws") continue
      k = 0; delete r; delete c; delete p
      for (j = 1; j <= run; j++) {
        if (!((j, w, s) in rate) || !((j, w, "sws") in rate) || rate[j, w, s] + 0 == 0) continue
        k++
        r[k] = rate[j, w, "sws"] / rate[j, w, s]
        c[k] = (cpu[j, w, "sws"] + 0 > 0) ? cpu[j, w, s] / cpu[j, w, "sws"] : 0
        p[k] = (p99[j, w, "sws"] + 0 > 0) ? p99[j, w, s] / p99[j, w, "sws"] : 0
      }
      if (k == 0) continue
      printf "| %s | %s | %.2f | %.2f | %.2f | %d |\n", w, s, median(r, k), median(c, k), median(p, k), k
    }
  }' "$@"
