"""Frames per second of BlazePose estimation for 1, 2, ... people per frame (detect, mask, repeat).

The two shared clips (NTU's ``S001C001P001R001A001`` and MMAction2's demo clip) are put side by
side in one video (each cropped to a centred 2:3 portrait around its person and resized to
``--height``; whole 16:9 frames side by side make the people too small for BlazePose's person
detector), and :func:`sfhead_mm.apis.video.estimate_poses` runs on it with
``max_people`` = each of ``--people``. Printed per run: frames per second of the estimation
(decoding, BlazePose, masking and tracking), the person tracks found and how often each was found.

    python tools/benchmark/video_people_fps.py [--videos ../shared/data/videos] [--people 1 2 3]
        [--frames 72] [--height 480] [--repeats 2] [--out-json results.json]

Measured numbers: docs/camera_to_label.md ("Several people in a video").
"""
import argparse
import os.path as osp
import sys
import tempfile
import time

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

CLIPS = ('ntu_S001C001P001R001A001_rgb.avi', 'mmaction2_demo_skeleton.mp4')


def two_person_video(folder: str, path: str, frames: int = 40, height: int = 480) -> str:
    """Write the two shared clips side by side to ``path`` (MJPG): each cropped to a centred
    2:3 portrait (its person is in the middle) and resized to ``height``; as many frames as the
    shorter clip has, at most ``frames``."""
    import cv2
    import numpy as np
    width = height * 2 // 3
    caps = [cv2.VideoCapture(osp.join(folder, name)) for name in CLIPS]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'), 25, (2 * width, height))
    try:
        for _ in range(frames):
            halves = []
            for cap in caps:
                ok, img = cap.read()
                if not ok:
                    break
                h, w = img.shape[:2]
                x0 = (w - h * 2 // 3) // 2
                halves.append(cv2.resize(img[:, x0:x0 + h * 2 // 3], (width, height),
                                         interpolation=cv2.INTER_AREA))
            if len(halves) < len(caps):
                break
            writer.write(np.concatenate(halves, 1))
    finally:
        writer.release()
        for cap in caps:
            cap.release()
    return str(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--videos', default=osp.join(_REPO, '..', 'shared', 'data', 'videos'))
    parser.add_argument('--people', type=int, nargs='+', default=[1, 2, 3])
    parser.add_argument('--frames', type=int, default=72)
    parser.add_argument('--height', type=int, default=480)
    parser.add_argument('--model-complexity', type=int, default=1)
    parser.add_argument('--repeats', type=int, default=2, help='runs per setting; the fastest')
    parser.add_argument('--out-json')
    args = parser.parse_args(argv)
    from sfhead_mm.apis.video import estimate_poses
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        video = two_person_video(args.videos, osp.join(tmp, 'two_people.avi'), args.frames,
                                 args.height)
        for n in args.people:
            best = None
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                poses = estimate_poses(video, coords='image', max_people=n,
                                       model_complexity=args.model_complexity)
                seconds = time.perf_counter() - t0
                best = seconds if best is None else min(best, seconds)
            row = dict(max_people=n, frames=poses.total_frames, seconds=round(best, 3),
                       fps=round(poses.total_frames / best, 2),
                       tracks=[int(t) for t in poses.track_ids],
                       found=[round(float(r), 3) for r in poses.track_found_ratio])
            rows.append(row)
            print(f'max_people={n}: {row["frames"]} frames of {2 * (args.height * 2 // 3)}x'
                  f'{args.height} in {best:.2f} s = {row["fps"]:.1f} frames/s; tracks '
                  f'{row["tracks"]} found in {row["found"]} of the frames', flush=True)
    if args.out_json:
        from sfhead_mm.utils.atomic_write import write_json
        write_json(args.out_json, dict(command=' '.join(sys.argv), height=args.height,
                                       model_complexity=args.model_complexity, runs=rows))
    return 0


if __name__ == '__main__':
    sys.exit(main())
