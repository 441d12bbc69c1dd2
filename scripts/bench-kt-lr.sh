#!/usr/bin/env bash
# Best-LR fit: Pathwise (liblinear trust-region Newton, in bench_kt_lr) vs scikit-learn's
# LogisticRegression on the same exported feature matrix, side by side, with the ratio.
# Needs a release build (make build) and python3-sklearn (scripts/deps-bench-kt.txt).
# Usage: scripts/bench-kt-lr.sh [BUILD_DIR] [DATA_DIR] [MODEL]
set -euo pipefail
build=${1:-build/release}
data=${2:-$(dirname "$0")/../../shared/data/assistments09-gervet}
model=${3:-best-lr}
py=/usr/bin/python3
[ -x "$build/bench/bench_kt_lr" ] || { echo "bench-kt-lr: build first (make build)"; exit 2; }
[ -f "$data/preprocessed_data_train.csv" ] || { echo "bench-kt-lr: skipped ($data absent)"; exit 0; }
"$py" -c 'import sklearn' 2>/dev/null || { echo "bench-kt-lr: skipped (python3-sklearn absent)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ours=$("$build/bench/bench_kt_lr" --data "$data" --model "$model" --export "$tmp")
echo "$ours" | grep -v '^RESULT'
ours_s=$(echo "$ours" | sed -n 's/.*pathwise_fit_seconds=\([0-9.]*\).*/\1/p')
ours_auc=$(echo "$ours" | sed -n 's/.*pathwise_auc=\([0-9.]*\).*/\1/p')
"$py" - "$tmp" "$ours_s" "$ours_auc" <<'PY'
import sys, time
from sklearn.datasets import load_svmlight_file
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
d, ours_s, ours_auc = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
Xtr, ytr = load_svmlight_file(d + "/train.svm")
Xte, yte = load_svmlight_file(d + "/test.svm", n_features=Xtr.shape[1])
# The same objective as liblinear L2R_LR with C=1: the bias is the last column, regularized.
for solver in ["lbfgs", "liblinear"]:
    m = LogisticRegression(C=1.0, solver=solver, fit_intercept=False, max_iter=1000)
    t = time.perf_counter()
    m.fit(Xtr, ytr)
    s = time.perf_counter() - t
    auc = roc_auc_score(yte, m.predict_proba(Xte)[:, 1])
    print(f"scikit-learn LogisticRegression(solver={solver}, C=1) fit: {s:.3f} s; test AUC {auc:.4f}")
    print(f"  Pathwise vs scikit-learn {solver}: {s / ours_s:.1f}x faster (target >= 5x); "
          f"AUC difference {ours_auc - auc:+.4f} (target within 0.002)")
PY
