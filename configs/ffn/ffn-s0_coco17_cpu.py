# The S0 ablation (ST-GCN, built as MMAction2's STGCN) on the data of ffn_coco17_cpu.py: the
# baseline of docs/benchmarks/ffn_step.md.
_base_ = './ffn_coco17_cpu.py'
model = dict(backbone=dict(variant='S0'))
