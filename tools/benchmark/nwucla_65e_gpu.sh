#!/usr/bin/env bash
# CTR-GCN vs CTR-GCN + SF-Head on NW-UCLA with the CTR-GCN authors' own schedule (65 epochs over
# the training set repeated 5 times, configs/ctrgcn/*_nwucla_65e.py), on one GPU: one pair of runs
# per seed, every pair side by side (`run_seeds.py --jobs 2` per seed), then the paired reading.
#
#   bash tools/benchmark/nwucla_65e_gpu.sh [ROOT]        (default ROOT work_dirs/nwucla65e)
#
# Environment: SEEDS (default "0 1 2"); EXTRA_CONFIGS, more configs trained beside each pair on
# every seed and read against the baseline (e.g. "configs/ctrgcn/ctrgcn_frhead_nwucla_65e.py
# configs/ctrgcn/ctrgcn_sfhead-aux_nwucla_65e.py"); COMPILE_SEEDS, the seeds whose pair trains with
# torch.compile (mmengine's `compile=True`; default none), COMPILE_OPTION what those pairs get
# instead of `compile=True` (e.g. "compile_forward.backend=cudagraphs": the forward only, as
# CUDA graphs); PROBE_COMPILE, the `train_throughput.py --compile` specs of the step-time probe
# (default "none": eager only; e.g. "none forward:cudagraphs"); TIME_LIMIT, minutes after which runs
# still going are stopped (run again to resume them); WORKERS, dataloader workers per run
# (default 2); CFG_OPTIONS, more key=value overrides for both tools (e.g. the data path:
# "train_dataloader.dataset.dataset.ann_file=... val_dataloader.dataset.ann_file=...
# test_dataloader.dataset.ann_file=..."); DEVICE of the step-time probe (default cuda);
# THREADS, CPU threads of each run (default: the cores this script may use // all its runs, at least
# 1: the seeds' run_seeds.py run at once and do not know of each other); PYTHON (default python).
# DRY_RUN=1 prints the commands instead of running them.
# First the step time of both configs alone on the GPU (eager, and PROBE_COMPILE's specs), into
# ROOT/gpu_step.json.
# Measured on one H200 (docs/results.md): 0.048 s (bare) and 0.096 s (SF-Head) a step eager, so
# about 17 and 33 minutes a run; with COMPILE_SEEDS (mmengine's compile=True) the bare run
# compiled for about 4 minutes and stepped no faster: probe compile_forward first.
set -u
ROOT=${1:-work_dirs/nwucla65e}
PYTHON=${PYTHON:-python}
C=configs/ctrgcn
HERE=$(dirname "$0")
run() { if [ "${DRY_RUN:-0}" = 1 ]; then echo "$*"; else "$@"; fi; }
mkdir -p "$ROOT"
# shellcheck disable=SC2086  # PROBE_COMPILE is a list of specs
run "$PYTHON" "$HERE/train_throughput.py" $C/ctrgcn_nwucla_65e.py $C/ctrgcn_sfhead_nwucla_65e.py \
    --device "${DEVICE:-cuda}" --iters 60 --warmup 10 --no-memory --json "$ROOT/gpu_step.json" \
    --compile ${PROBE_COMPILE:-none}
limit=()
[ -n "${TIME_LIMIT:-}" ] && limit=(--time-limit "$TIME_LIMIT")
# shellcheck disable=SC2206  # SEEDS and EXTRA_CONFIGS are lists
seeds=(${SEEDS:-0 1 2}) extras=(${EXTRA_CONFIGS:-})
runs=$(( ${#seeds[@]} * (2 + ${#extras[@]}) ))
cores=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
threads=${THREADS:-$(( cores / runs > 0 ? cores / runs : 1 ))}
pids=()
for seed in "${seeds[@]}"; do
    # shellcheck disable=SC2206  # CFG_OPTIONS is split on spaces on purpose
    options=("train_dataloader.num_workers=${WORKERS:-2}" ${CFG_OPTIONS:-})
    case " ${COMPILE_SEEDS:-} " in *" $seed "*) options+=("${COMPILE_OPTION:-compile=True}") ;; esac
    # each pair its own root (one summary.json per writer); merged for the reading below
    configs=($C/ctrgcn_nwucla_65e.py $C/ctrgcn_sfhead_nwucla_65e.py "${extras[@]}")
    run "$PYTHON" "$HERE/run_seeds.py" "${configs[@]}" --seeds "$seed" --jobs "${#configs[@]}" \
        --threads "$threads" --root "$ROOT/seed$seed" "${limit[@]}" \
        --cfg-options "${options[@]}" > "$ROOT/seed$seed.log" 2>&1 &
    pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
for log in "$ROOT"/seed*.log; do tail -n 4 "$log"; done
# one study root: ROOT/NAME/seedS holds every run, summary.json every finished one
run "$PYTHON" - "$ROOT" <<'PY'
import glob, json, os, shutil, sys
from sfhead_mm.evaluation.study import read_summary, write_summary
root = sys.argv[1]
merged = {}
for part in sorted(glob.glob(os.path.join(root, 'seed*', 'summary.json'))):
    for name, runs in read_summary(os.path.dirname(part)).items():
        merged.setdefault(name, {}).update(runs)
for run in glob.glob(os.path.join(root, 'seed*', '*', 'seed*')):
    name, seed = run.split(os.sep)[-2:]
    target = os.path.join(root, name, seed)
    if not os.path.exists(target):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copytree(run, target, ignore=shutil.ignore_patterns('*.pth'))
write_summary(root, merged)
print(json.dumps({n: sorted(r) for n, r in merged.items()}))
PY
pairs=(--pair ctrgcn_nwucla_65e ctrgcn_sfhead_nwucla_65e)
for extra in "${extras[@]}"; do
    pairs+=(--pair ctrgcn_nwucla_65e "$(basename "$extra" .py)")
done
run "$PYTHON" "$HERE/../analysis/paired_seeds.py" "$ROOT" "${pairs[@]}" || status=1
exit $status
