# Bring your own dataset: the ONE place that describes it (docs/custom_dataset.md).
# Copy the folder configs/custom/ to configs/<your dataset>/, edit this file only, then
#   python tools/check_data.py configs/<your dataset>/ctrgcn_sfhead_my_dataset.py
#   python tools/train.py configs/<your dataset>/ctrgcn_sfhead_my_dataset.py
# Everything else (pipelines, dataloaders, the model's graph, classes and persons, the metrics,
# the class names tools/infer.py, tools/visualize_skeleton.py and the analysis tools print, the
# checkpoint's dataset_meta) is derived from these lines by ../ctrgcn_my_dataset.py. (It sits in
# _base_/ because it is a base config: alone it is no runnable config.)
layout = dict(  # joints in YOUR file's order; edges are (child, parent); docs/layouts.md
    name='my-skeleton-5',
    joints=['hip', 'neck', 'head', 'left_hand', 'right_hand'],
    edges=[(1, 0), (2, 1), (3, 1), (4, 1)],
    center=1, left=[3], right=[4])
ann_file = 'data/skeleton/my_dataset.pkl'  # a PoseDataset pickle (docs/data_prep.md)
class_names = ['wave', 'clap', 'point']     # index = label
num_person = 1                              # persons per sample (M)
clip_len = 52                               # frames the model sees
# Optional (the defaults are shown):
# splits = dict(train='train', val='val', test='val')   # split names in the pickle
# preprocess = 'ctrgcn'    # CTR-GCN family (NW-UCLA feeder style, 3D) or 'pyskl' (MMAction2/PySKL)
# feats = ['j']            # GenSkeFeat streams: 'j', 'b', 'jm', 'bm'
# lookalike_groups = {'hands': ['wave', 'clap']}   # AmbiguousGroupMetric, classes by name
