#!/usr/bin/env bash
# The knowledge-tracing accuracy table of issue 4: test AUC on the published train/test splits
# of ../shared/data, printed with the exact command behind each number. Release build needed
# (make build). Usage: scripts/bench-kt-accuracy.sh [BUILD_DIR] [DATA_DIR]
set -uo pipefail
build=${1:-build/release}
data=${2:-$(cd "$(dirname "$0")/../.." && pwd)/shared/data}
bin=$build/pathwise
[ -x "$bin" ] || { echo "bench-kt-accuracy: build first (make build)"; exit 2; }
printf '| data | model | at least | test AUC | RMSE | log-loss | fit s | command |\n|---|---|---|---|---|---|---|---|\n'
row() {  # data-label model threshold format train test [extra args...]
  local label=$1 model=$2 min=$3 fmt=$4 tr=$5 te=$6; shift 6
  if [ ! -f "$tr" ]; then echo "| $label | $model | $min | skipped ($tr absent) | | | | |"; return; fi
  local cmd="pathwise kt eval --train $tr --test $te --format $fmt --model $model $* --json"
  local j; j=$("$bin" kt eval --train "$tr" --test "$te" --format "$fmt" --model "$model" "$@" --json) || {
    echo "| $label | $model | $min | FAILED | | | | \`$cmd\` |"; return; }
  /usr/bin/python3 - "$label" "$model" "$min" "$cmd" "$j" <<'PY'
import json, sys
label, model, lo, cmd, j = sys.argv[1:6]
r = json.loads(j)
ok = "" if lo == "-" else (" ✓" if r["auc"] >= float(lo) else " ✗")
print(f"| {label} | {model} | {lo} | {r['auc']:.4f}{ok} | {r['rmse']:.4f} | {r['logloss']:.4f} | {r['fit_seconds']:.2f} | `{cmd}` |")
PY
}
a09=$data/assistments09-gervet; st=$data/statics2011-gervet; a15=$data/dkvmn-benchmarks/assist2015
A=("$a09/preprocessed_data_train.csv" "$a09/preprocessed_data_test.csv")
S=("$st/preprocessed_data_train.csv" "$st/preprocessed_data_test.csv")
F=("$a15/assist2015_train.csv" "$a15/assist2015_test.csv")
row assistments09-gervet bkt 0.715 gervet "${A[@]}"
row assistments09-gervet bkt 0.715 gervet "${A[@]}" --max-guess 0.5 --max-slip 0.5
row assistments09-gervet bkt-forget 0.720 gervet "${A[@]}"
for m in irt afm pfa das3h elo; do row assistments09-gervet $m - gervet "${A[@]}"; done
row assistments09-gervet best-lr 0.765 gervet "${A[@]}"
row assistments09-gervet best-lr+ 0.775 gervet "${A[@]}"
row statics2011-gervet bkt - gervet "${S[@]}"
row statics2011-gervet best-lr 0.815 gervet "${S[@]}"
row statics2011-gervet best-lr+ - gervet "${S[@]}"
row dkvmn-benchmarks/assist2015 bkt - lines3 "${F[@]}"
row dkvmn-benchmarks/assist2015 bkt-forget - lines3 "${F[@]}"
row dkvmn-benchmarks/assist2015 best-lr - lines3 "${F[@]}"
row dkvmn-benchmarks/assist2015 best-lr+ 0.705 lines3 "${F[@]}"
