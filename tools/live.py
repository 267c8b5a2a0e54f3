# Live, multi-person action recognition on a pose stream: a skeleton file, a video, or synthetic.
"""Recognise the actions of every person in a stream of poses, with a sliding window each.

    python tools/live.py CONFIG CHECKPOINT SOURCE [--onnx MODEL.onnx] [--window 64]
        [--stride 16] [--min-frames N] [--max-missed 30] [--num-clips 1] [--keep-ids]
        [--label-map ntu120] [--mirrored] [--max-people N] [--realtime] [--out-json labels.json]

SOURCE is played frame by frame:

* a skeleton file of any format ``tools/infer.py`` reads (NTU ``.skeleton``, ``.npy``, MMPose
  ``.json`` with several people per frame, ...): its persons arrive as untracked detections
  (the tracker gives them identities) unless ``--keep-ids``;
* a video file (``.mp4``, ``.avi``, ...; or ``camera:0``): BlazePose (mediapipe 0.10.21,
  ``pip install --no-deps -r requirements/video.txt``) estimates one person per frame, mapped
  to the model's layout; ``--max-people N`` finds up to N (detect, mask, repeat), with the
  identities of ``sfhead_mm.apis.video.iter_video_poses``'s tracker;
* ``synthetic:N``: N people entering and leaving (a smoke test of the loop and the speed).

Every ``--stride`` new frames of a person, a line ``frame F  person P  label (score)  L ms``
is printed (L: time from the window's last frame to its label). With ``--onnx`` the model runs
in onnxruntime (a file of tools/export_onnx.py; the config still gives the preprocessing).
"""
import argparse
import os.path as osp
import sys
import time

_REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from sfhead_mm.utils.console import print_error  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file (training or deploy config)')
    parser.add_argument('checkpoint',
                        help='checkpoint file ("none": initial weights; unused with --onnx)')
    parser.add_argument('source', help='skeleton file, video file, camera:INDEX or synthetic:N')
    parser.add_argument('--onnx', help='run this exported model in onnxruntime')
    parser.add_argument('--window', type=int, default=64, help='frames per person window')
    parser.add_argument('--stride', type=int, default=16,
                        help='new frames of a person between two labels')
    parser.add_argument('--min-frames', type=int,
                        help='frames a new person needs before a first label (default: window)')
    parser.add_argument('--max-missed', type=int, default=30,
                        help='frames a person may be unseen before being forgotten')
    parser.add_argument('--max-tracks', type=int, default=16)
    parser.add_argument('--num-clips', type=int, default=1,
                        help='clips sampled per window (0: as the config\'s test pipeline)')
    parser.add_argument('--keep-ids', action='store_true',
                        help='skeleton files: use the file\'s person order as identities')
    parser.add_argument('--mirrored', action='store_true',
                        help='videos: the frames are mirror images (NTU RGB+D / Kinect v2 '
                             'colour videos, webcam previews); flip them back before BlazePose')
    parser.add_argument('--max-people', type=int, default=1,
                        help='videos: people looked for per frame (default 1; each more '
                             'person costs at least one more BlazePose pass per frame)')
    parser.add_argument('--label-map', help='class names (file or ntu60/ntu120/nwucla)')
    parser.add_argument('--threads', type=int, help='torch / onnxruntime threads')
    parser.add_argument('--realtime', action='store_true',
                        help='play a file at its frame rate (default: as fast as possible)')
    parser.add_argument('--fps', type=float, default=30.0, help='frame rate of --realtime')
    parser.add_argument('--max-frames', type=int, help='stop after this many frames')
    parser.add_argument('--out-json', help='write every label to this JSON file')
    parser.add_argument('--quiet', action='store_true', help='print only the summary')
    return parser.parse_args(argv)


def _file_frames(path, spec, keep_ids: bool):
    """Frames of a skeleton file: (poses (P, V, C), ids or None, scores or None)."""
    import numpy as np

    from sfhead_mm.apis.readers import read_skeleton_file
    samples = read_skeleton_file(path, num_joints=spec.num_joints,
                                 layout_name=spec.layout.name if spec.layout else None,
                                 channels=spec.channels)
    for sample in samples:
        kp, score = sample.keypoint, sample.keypoint_score
        for t in range(kp.shape[1]):
            present = [m for m in range(kp.shape[0]) if np.any(kp[m, t] != 0)]
            poses = kp[present, t]
            yield (poses, present if keep_ids else None,
                   None if score is None else list(score[present, t]))


def _video_frames(source, spec, mirrored: bool, max_people: int = 1):
    """Frames of a video: (poses (P, V, C), ids or None, scores or None); with one person the
    live tracker gives the identity (as before --max-people), with several the video's own."""
    import numpy as np

    from sfhead_mm.apis.video import convert_layout, coords_for, iter_video_poses
    coords = coords_for(spec.layout)
    for fp in iter_video_poses(source, mirrored=mirrored, max_people=max_people):
        people = [p for p in fp.people
                  if (p.world if coords == 'world' else p.image) is not None]
        if not people:
            yield None, None, None
            continue
        kp = np.stack([p.world if coords == 'world' else p.image for p in people])
        poses, score = convert_layout(kp, spec.layout, 'blazepose',
                                      np.stack([p.score for p in people]))
        keep = [i for i in range(len(people)) if np.any(poses[i] != 0)]  # as push() drops
        ids = [people[i].track_id for i in keep] if max_people > 1 else None
        yield poses[keep], ids, (list(score[keep]) if coords == 'image' else None)


def _synthetic_frames(n: int, spec, frames: int):
    from sfhead_mm.apis.stream import synthetic_stream
    schedule = [(20 * i, frames - 10 * i) for i in range(n)]
    for poses in synthetic_stream(n, frames, spec.num_joints, spec.channels or 3,
                                  schedule=schedule):
        yield poses, None, None


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    from sfhead_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    from sfhead_mm.apis.inference import init_recognizer
    from sfhead_mm.apis.onnx_export import config_spec
    from sfhead_mm.apis.stream import LiveRecognizer, OnnxClassifier, TorchClassifier
    from sfhead_mm.apis.video import is_video
    from sfhead_mm.utils.atomic_write import write_json
    num_clips = args.num_clips or None
    try:
        ckpt = None if args.onnx or args.checkpoint.lower() == 'none' else args.checkpoint
        if ckpt is None and not args.onnx:
            print('warning: no checkpoint: the model has its initial weights', file=sys.stderr)
        model = init_recognizer(args.config, ckpt)
        spec = config_spec(model.cfg)
        if spec is None or spec.layout is None:
            raise ValueError(f'{args.config}: the config names no skeleton layout')
        if args.onnx:
            clf = OnnxClassifier(args.onnx, model.cfg, num_clips=num_clips,
                                 threads=args.threads, label_map=None)
            if args.label_map:
                from sfhead_mm.apis.inference import class_names_of
                clf.class_names = class_names_of(model, args.label_map)
        else:
            clf = TorchClassifier(model, num_clips=num_clips, label_map=args.label_map)
    except (OSError, ValueError, KeyError, ImportError) as err:
        print_error(err)
        return 2
    live = LiveRecognizer(clf, window=args.window, stride=args.stride,
                          min_frames=args.min_frames, max_missed=args.max_missed,
                          max_tracks=args.max_tracks)
    src = args.source
    try:
        if src.startswith('synthetic:'):
            frames = _synthetic_frames(int(src.split(':', 1)[1]), spec, args.max_frames or 300)
        elif src.startswith('camera:'):
            frames = _video_frames(src.split(':', 1)[1], spec, args.mirrored,
                                   args.max_people)
        elif is_video(src):
            frames = _video_frames(src, spec, args.mirrored, args.max_people)
        else:
            frames = _file_frames(src, spec, args.keep_ids)
        results, n, t0 = [], 0, time.perf_counter()
        for poses, ids, scores in frames:
            if args.max_frames is not None and n >= args.max_frames:
                break
            if args.realtime:
                delay = t0 + n / args.fps - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            out = live.push([]) if poses is None else live.push(poses, ids, scores)
            n += 1
            for r in out:
                results.append(r)
                if not args.quiet:
                    print(f'frame {r.frame:5d}  person {r.track_id:3d}  {r.name} '
                          f'({r.score:.3f})  {1e3 * r.latency_s:.1f} ms', flush=True)
        elapsed = time.perf_counter() - t0
    except (OSError, ValueError, ImportError) as err:
        print_error(err)
        return 1
    people = len({r.track_id for r in results})
    lat = sorted(r.latency_s for r in results)
    print(f'{n} frames in {elapsed:.2f} s ({n / max(elapsed, 1e-9):.1f} frames/s), '
          f'{len(results)} labels of {people} person(s)'
          + (f', median latency {1e3 * lat[len(lat) // 2]:.1f} ms' if lat else ''))
    if args.out_json:
        write_json(args.out_json, dict(config=args.config, source=src, frames=n,
                                       seconds=elapsed, labels=[r.to_dict() for r in results]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
