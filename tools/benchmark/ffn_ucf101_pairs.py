"""A two-class COCO-17 PoseDataset pickle from the one real 2D sample (the FFN sanity run).

``example_UCF101_skeleton.pkl`` (MMAction2's HRNet keypoints of one UCF-101 clip, 163 frames,
2 persons) is cut into 48-frame windows; class 0 keeps a window's time order, class 1 plays it
backwards. Train windows start at frames 0, 4, 8, ..., validation windows at 1, 15, 29, ...,
so no validation clip equals a training clip (they overlap in time: this is a check that the
model learns, not an accuracy benchmark). A network can only tell the classes apart from the
direction of the motion, a temporal task on real keypoints.

    python tools/benchmark/ffn_ucf101_pairs.py SAMPLE.pkl OUT.pkl
"""
import pickle
import sys

import numpy as np


def windows(sample, starts, length=48):
    for s in starts:
        kp = sample['keypoint'][:, s:s + length].astype(np.float32)
        score = sample['keypoint_score'][:, s:s + length].astype(np.float32)
        for label, order in ((0, slice(None)), (1, slice(None, None, -1))):
            yield dict(frame_dir=f'{sample["frame_dir"]}_{s:03d}_{label}', label=label,
                       img_shape=tuple(sample['img_shape']),
                       original_shape=tuple(sample['original_shape']), total_frames=length,
                       keypoint=np.ascontiguousarray(kp[:, order]),
                       keypoint_score=np.ascontiguousarray(score[:, order]))


def main(src, out, length=48):
    with open(src, 'rb') as f:
        sample = pickle.load(f)  # a trusted, known file (MMAction2's demo sample)
    last = sample['keypoint'].shape[1] - length
    train = list(windows(sample, range(0, last + 1, 4), length))
    val = list(windows(sample, range(1, last + 1, 14), length))
    data = dict(split=dict(train=[a['frame_dir'] for a in train],
                           val=[a['frame_dir'] for a in val]),
                annotations=train + val)
    with open(out, 'wb') as f:
        pickle.dump(data, f)
    print(f'{out}: {len(train)} train, {len(val)} val clips')


if __name__ == '__main__':
    main(*sys.argv[1:3])
