"""Speed of the NTU ``.skeleton`` parser against the common public way of parsing it.

The reference parser is written here the way the widely copied converters do it (ST-GCN's
``ntu_read_skeleton.py``, kept in 2s-AGCN, MS-G3D and MMAction2's ``gen_ntu_rgbd_raw.py``): read
line by line, ``float()`` on every value into a dict per joint, then fill the (M, T, V, 3) array.
Ours is :func:`sfhead_mm.formats.ntu.read_skeleton`. Both read the real files in
``$SFHEAD_DATA/ntu-rgbd-samples`` (default ``../shared/data``), repeated to get stable timings,
and must give the same joint arrays (checked first). Timings are interleaved rounds in one run;
the ratio is of the medians (and of the best rounds).

Printed: per file and per frame, single process and with ``--workers`` processes, for the two
parsers and for the whole converter (parse + clean-up + transfer back to the parent, through
the same runner as ``python -m data_prep.ntu``); then the projected time of the full NTU-120
(114,480 files) at an assumed frames-per-file, on 2 and on 16 cores.

    python tools/benchmark/ntu_parse.py [--copies 20] [--rounds 5] [--workers 1 2]
"""
import argparse
import functools
import multiprocessing
import os
import os.path as osp
import statistics
import sys
import time

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

import numpy as np  # noqa: E402

from sfhead_mm.formats.ntu import read_skeleton  # noqa: E402

try:  # a checkout: the repository's data_prep/; a regular install: sfhead_mm.data_prep
    from data_prep.ntu import convert_ntu_file  # noqa: E402
    from data_prep.progress import format_seconds  # noqa: E402
    from data_prep.runner import process_files  # noqa: E402
except ImportError:  # pragma: no cover
    from sfhead_mm.data_prep.ntu import convert_ntu_file  # noqa: E402
    from sfhead_mm.data_prep.progress import format_seconds  # noqa: E402
    from sfhead_mm.data_prep.runner import process_files  # noqa: E402

NTU120_FILES = 114480


# ----------------------------------------------------------------------------- reference
def reference_read(path):
    """The common public parser: a dict per frame, per body and per joint, float() per value."""
    with open(path, 'r') as f:
        seq = {'num_frame': int(f.readline()), 'frameInfo': []}
        for _ in range(seq['num_frame']):
            frame = {'numBody': int(f.readline()), 'bodyInfo': []}
            for _ in range(frame['numBody']):
                body_keys = ['bodyID', 'clipedEdges', 'handLeftConfidence', 'handLeftState',
                             'handRightConfidence', 'handRightState', 'isResticted', 'leanX',
                             'leanY', 'trackingState']
                body = {k: float(v) for k, v in zip(body_keys, f.readline().split())}
                body['numJoint'] = int(f.readline())
                body['jointInfo'] = []
                for _ in range(body['numJoint']):
                    joint_keys = ['x', 'y', 'z', 'depthX', 'depthY', 'colorX', 'colorY',
                                  'orientationW', 'orientationX', 'orientationY',
                                  'orientationZ', 'trackingState']
                    body['jointInfo'].append(
                        {k: float(v) for k, v in zip(joint_keys, f.readline().split())})
                frame['bodyInfo'].append(body)
            seq['frameInfo'].append(frame)
    max_body = max([fr['numBody'] for fr in seq['frameInfo']] + [1])
    data = np.zeros((max_body, seq['num_frame'], 25, 3), dtype=np.float32)
    for t, frame in enumerate(seq['frameInfo']):
        for m, body in enumerate(frame['bodyInfo']):
            for j, v in enumerate(body['jointInfo']):
                data[m, t, j] = [v['x'], v['y'], v['z']]
    return data


def ours_read(path):
    return read_skeleton(path)


def _frames(path):
    """Declared frames of a file (the per-frame unit of both parsers)."""
    with open(path, 'rb') as f:
        return int(f.readline())


def _parse_only(fn, path):
    fn(path)
    return 0


# ------------------------------------------------------------------------------ checks
def check_same(paths):
    """Our bodies must hold exactly the reference's joint values (per frame, per slot)."""
    for path in paths:
        ref = reference_read(path)
        raw = ours_read(path)
        mine = np.zeros_like(ref)
        count = np.zeros(ref.shape[1], dtype=int)
        # The reference stores bodies by their position in each frame, ours by tracking id:
        # compare each frame's set of bodies.
        for body in raw.bodies:
            for f, joints in zip(body.frames, body.joints):
                mine[count[f], f] = joints
                count[f] += 1
        order = lambda a: a[np.lexsort(a.reshape(a.shape[0], -1).T[::-1])]  # noqa: E731
        ref = np.stack([order(ref[:, f]) for f in range(ref.shape[1])], 1)
        mine = np.stack([order(mine[:, f]) for f in range(mine.shape[1])], 1)
        if not np.array_equal(ref, mine):
            raise SystemExit(f'parsers disagree on {path}: benchmark aborted')


# ------------------------------------------------------------------------------ timing
def time_serial(fn, paths):
    start = time.perf_counter()
    for p in paths:
        fn(p)
    return time.perf_counter() - start


def time_pool(fn, paths, workers):
    ctx = multiprocessing.get_context('fork')
    with ctx.Pool(workers) as pool:
        pool.map(functools.partial(_parse_only, fn), paths[:workers * 2])  # warm the workers
        start = time.perf_counter()
        pool.map(functools.partial(_parse_only, fn), paths, chunksize=8)
        return time.perf_counter() - start


def time_converter(paths, workers):
    tasks = [(f'{i}', p) for i, p in enumerate(paths)]
    start = time.perf_counter()
    process_files(tasks, convert_ntu_file, workers=workers, progress=False)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    default = osp.join(os.environ.get('SFHEAD_DATA', osp.join(_REPO, '..', 'shared', 'data')),
                       'ntu-rgbd-samples')
    parser.add_argument('--data', default=default, help='folder of real .skeleton files')
    parser.add_argument('--copies', type=int, default=20,
                        help='how many times the file list is repeated per round')
    parser.add_argument('--rounds', type=int, default=5, help='interleaved timing rounds')
    parser.add_argument('--workers', type=int, nargs='+', default=[1, 2])
    parser.add_argument('--frames-per-file', type=float, default=100.0,
                        help='assumed mean frames per NTU-120 file for the projection')
    args = parser.parse_args()

    files = sorted(osp.join(args.data, f) for f in os.listdir(args.data)
                   if f.endswith('.skeleton'))
    if not files:
        raise SystemExit(f'no .skeleton files in {args.data} (set SFHEAD_DATA)')
    check_same(files)
    paths = files * args.copies
    frames = sum(_frames(p) for p in paths)
    print(f'{len(files)} real files x {args.copies} copies = {len(paths)} parses per round, '
          f'{frames} frames ({frames / len(paths):.1f} per file), {args.rounds} rounds; '
          f'{os.cpu_count()} CPU cores here; parsers agree on every file')

    timers = {'reference parser': lambda w: (time_serial(reference_read, paths) if w == 1
                                             else time_pool(reference_read, paths, w)),
              'our parser': lambda w: (time_serial(ours_read, paths) if w == 1
                                       else time_pool(ours_read, paths, w)),
              'our converter': lambda w: time_converter(paths, w)}
    results = {}
    for _ in range(args.rounds):
        for w in args.workers:
            for name, timer in timers.items():
                results.setdefault((name, w), []).append(timer(w))

    print(f'\n{"":<18}{"workers":>8}{"ms/file":>10}{"us/frame":>10}{"files/s":>10}'
          f'{"x ref (median)":>16}{"x ref (best)":>14}')
    for w in args.workers:
        ref = results[('reference parser', w)]
        for name in timers:
            t = results[(name, w)]
            med, best = statistics.median(t), min(t)
            print(f'{name:<18}{w:>8}{1e3 * med / len(paths):>10.2f}'
                  f'{1e6 * med / frames:>10.1f}{len(paths) / med:>10.0f}'
                  f'{statistics.median(ref) / med:>15.1f}x{min(ref) / best:>13.1f}x')

    one = statistics.median(results[('our converter', 1)]) / frames  # s per frame, 1 process
    ref_one = statistics.median(results[('reference parser', 1)]) / frames
    total_frames = NTU120_FILES * args.frames_per_file
    print(f'\nProjection, full NTU-120 ({NTU120_FILES} files x {args.frames_per_file:g} frames '
          f'assumed = {total_frames / 1e6:.2f}M frames), from the single-process cost per '
          f'frame measured above, assuming the work scales linearly with cores and the disk '
          f'keeps up:')
    for cores in (1, 2, 16):
        print(f'  {cores:>2} core(s): our converter {format_seconds(total_frames * one / cores)}'
              f', reference parser alone {format_seconds(total_frames * ref_one / cores)}')
    if 2 in args.workers:
        two = statistics.median(results[('our converter', 2)]) / frames
        print(f'  measured here with 2 workers: {format_seconds(total_frames * two)} '
              f'(scaling 1 -> 2 workers: {one / two:.2f}x on this machine)')


if __name__ == '__main__':
    main()
