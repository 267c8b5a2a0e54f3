"""NTU RGB+D files: raw ``.skeleton`` text (Kinect v2), the authors' txt2npy dicts, sample names.

File layout (one value per line unless said)::

    T                                  number of frames
    per frame:  B                      number of bodies in this frame
      per body: bodyID + 9 values      10 fields: tracking id, clipped edges, hand states, ...
                J                      number of joints (25)
                J lines of 12 values   x y z depthX depthY colorX colorY orientW..Z trackingState

Colour coordinates (opt-in, ``colour=True``): ``colorX colorY`` (pixels of the 1920 x 1080
Kinect v2 colour frame) and ``trackingState`` (0 not tracked, 1 inferred, 2 tracked) of every
joint are read as well, into :attr:`RawBody.colour` and :attr:`RawBody.state`; both paths then
also require the colour values to fit float32 and the state to be 0, 1 or 2. Without it they are
None and nothing of the default path changes.

Speed: the common converters call ``float()`` on every one of the 12 values of every joint line
and build a dict per joint. Here the file is split once (in C) into a stream of number tokens and
walked by its own counts: only the frame and body headers are read in Python, x, y, z of every
joint are picked with strided slices and converted in one numpy call; the 9 other joint fields
are only checked for non-numeric bytes (one ``bytes.translate`` over the file). Anything that does
not fit on this fast path goes to an exact line-by-line parser that gives the same arrays or
raises :class:`FormatError` with the line number.

Bounds: the frame count of the header is checked against the file size before anything is
allocated (every frame takes at least two bytes), and coordinates must fit float32 (a ``1e39``
is finite as float64 but ``inf`` in the stored float32 array): both are errors with a line.
"""
import os.path as osp
import re
from dataclasses import dataclass
from typing import Dict, List, NamedTuple, Optional

import numpy as np

from .errors import FormatError

JOINT_FIELDS = 12
BODY_FIELDS = 10
MAX_BODIES = 6  # Kinect v2 tracks up to six people
# Every byte a valid file can hold: digits, sign, decimal point, exponent, whitespace.
_NUMERIC_BYTES = b'0123456789.-+eE \t\r\n'
FLOAT32_MAX = float(np.finfo(np.float32).max)
MIN_FRAME_BYTES = 2  # the shortest frame: a body count of 0 and a line break
COLOUR_FIELDS = (5, 6)  # colorX, colorY among the 12 joint fields
STATE_FIELD = 11  # trackingState
TRACKING_STATES = (0, 1, 2)  # not tracked, inferred, tracked
NAME_RE = re.compile(r'S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})')
SUFFIXES = ('.skeleton.npy', '.skeleton', '.npy')


@dataclass
class RawBody:
    """One tracked body.

    Args:
        body_id (str): Kinect tracking id (kept as text: the 17-digit ids do not fit a float).
        frames (np.ndarray): ``(F,)`` 0-based indices of the file's frames it appears in.
        joints (np.ndarray): ``(F, V, 3)`` float32 camera-space x, y, z in metres.
        colour (np.ndarray, optional): ``(F, V, 2)`` float32 colorX, colorY in pixels of the
            1920 x 1080 colour frame; None unless read with ``colour=True``.
        state (np.ndarray, optional): ``(F, V)`` uint8 trackingState (0 not tracked,
            1 inferred, 2 tracked); None unless read with ``colour=True``.
    """

    body_id: str
    frames: np.ndarray
    joints: np.ndarray
    colour: Optional[np.ndarray] = None
    state: Optional[np.ndarray] = None


@dataclass
class RawSkeleton:
    """Everything a ``.skeleton`` file says about its bodies.

    Args:
        path (str): Source file.
        num_frames (int): Frames declared in the header (``T``), empty ones included.
        bodies_per_frame (np.ndarray): ``(T,)`` number of bodies in each frame.
        bodies (list[RawBody]): Bodies in order of first appearance.
    """

    path: str
    num_frames: int
    bodies_per_frame: np.ndarray
    bodies: List[RawBody]


class NTUName(NamedTuple):
    """The ids encoded in a sample name ``SsssCcccPpppRrrrAaaa`` (all 1-based, as in the name)."""

    setup: int
    camera: int
    performer: int
    replication: int
    action: int

    @property
    def name(self) -> str:
        return (f'S{self.setup:03d}C{self.camera:03d}P{self.performer:03d}'
                f'R{self.replication:03d}A{self.action:03d}')

    @property
    def label(self) -> int:
        """0-based class label (``action - 1``)."""
        return self.action - 1


def parse_name(name: str) -> NTUName:
    """``'S001C002P003R002A013'`` -> :class:`NTUName`; ValueError for anything else."""
    if NAME_RE.fullmatch(name) is None:
        raise ValueError(f'{name!r} is not an NTU RGB+D sample name (SsssCcccPpppRrrrAaaa, '
                         f'e.g. S001C002P003R002A013)')
    return NTUName(int(name[1:4]), int(name[5:8]), int(name[9:12]), int(name[13:16]),
                   int(name[17:20]))


def sample_name_from_path(path: str) -> str:
    """File name without folder and ``.skeleton`` / ``.skeleton.npy`` / ``.npy`` extension."""
    base = path.replace('\\', '/').rsplit('/', 1)[-1]
    for ext in SUFFIXES:
        if base.endswith(ext):
            return base[:-len(ext)]
    return base


def _bad(path: str, line_index: int, message: str) -> FormatError:
    return FormatError(path, message, line=line_index + 1)


def _check_frame_count(num_frames: int, size: int, path: str) -> None:
    """Refuse a header that claims more frames than the file can hold, before allocating."""
    if num_frames * MIN_FRAME_BYTES > size:
        raise _bad(path, 0, f'the header claims {num_frames:,} frames but the file has only '
                            f'{size:,} bytes (at most {size // MIN_FRAME_BYTES:,} frames); '
                            f'corrupt header')


def parse_skeleton_bytes(raw: bytes, path: str = '<bytes>', num_joints: int = 25,
                         colour: bool = False) -> RawSkeleton:
    """Parse the content of a ``.skeleton`` file.

    A fast path reads the file as one stream of numbers; anything unexpected on it (a count
    that does not fit, a non-number, a value out of range) hands the file to the exact,
    line-by-line :func:`parse_skeleton_lines`, which either gives the same result or raises the
    error with its line number. Both paths give identical arrays on valid files.

    Args:
        raw (bytes): File content.
        path (str): Name used in error messages.
        num_joints (int): Joints per body the file must declare (25 for Kinect v2).
        colour (bool): Also read colorX, colorY and trackingState of every joint
            (:attr:`RawBody.colour`, :attr:`RawBody.state`). Defaults to False.

    Returns:
        RawSkeleton: Bodies with their frames and joint positions.

    Raises:
        FormatError: Wrong counts, truncation, non-numeric fields, NaN/inf (also as float32),
            zero frames, more frames than the file can hold, or no body at all (with
            ``colour``: also colour values beyond float32, a trackingState other than 0, 1,
            2); the message names the line.
    """
    if raw.translate(None, _NUMERIC_BYTES):
        return parse_skeleton_lines(raw, path, num_joints, colour)
    try:
        fast = _parse_token_stream(raw, num_joints, colour)
    except (ValueError, IndexError):
        fast = None
    if fast is None:
        return parse_skeleton_lines(raw, path, num_joints, colour)
    num_frames, per_frame, record_ids, record_frames, joints, colours, states = fast
    bodies = _group_bodies(record_ids, record_frames, joints, colours, states)
    if any(len(b.frames) > 1 and not np.all(np.diff(b.frames) > 0) for b in bodies):
        # A tracking id twice in one frame: let the exact parser name the line.
        return parse_skeleton_lines(raw, path, num_joints, colour)
    return RawSkeleton(path, num_frames, per_frame, bodies)


def _parse_token_stream(raw: bytes, num_joints: int, colour: bool = False):
    """Fast path: the file as whitespace-separated tokens, walked by its own counts.

    Only the frame/body headers are read in Python; x, y, z of every joint are taken with
    strided slices (every 12th token) and converted in one numpy call (with ``colour``, also
    colorX, colorY and trackingState). Returns None when anything does not fit, so the caller
    falls back to the exact line parser.
    """
    tokens = raw.split()
    n_tokens = len(tokens)
    num_frames = int(tokens[0])
    if num_frames <= 0 or num_frames * MIN_FRAME_BYTES > len(raw):
        return None
    per_frame = [0] * num_frames
    record_ids, record_frames = [], []
    xs, ys, zs = [], [], []
    cxs, cys, sts = [], [], []  # only filled with ``colour``
    cx, cy = COLOUR_FIELDS
    stride = JOINT_FIELDS
    o = 1
    for f in range(num_frames):
        n_bodies = int(tokens[o])
        # Kinect v2 tracks at most 6 bodies; a larger "count" means the stream is misaligned.
        if not 0 <= n_bodies <= MAX_BODIES:
            return None
        per_frame[f] = n_bodies
        o += 1
        for _ in range(n_bodies):
            body_id = tokens[o]
            if not body_id.isdigit() or int(tokens[o + BODY_FIELDS]) != num_joints:
                return None
            s = o + BODY_FIELDS + 1
            e = s + stride * num_joints
            if e > n_tokens:
                return None
            xs += tokens[s:e:stride]
            ys += tokens[s + 1:e:stride]
            zs += tokens[s + 2:e:stride]
            if colour:
                cxs += tokens[s + cx:e:stride]
                cys += tokens[s + cy:e:stride]
                sts += tokens[s + STATE_FIELD:e:stride]
            record_ids.append(body_id)
            record_frames.append(f)
            o = e
    if o != n_tokens or not record_ids:
        return None
    n = len(xs)
    xyz = np.array(xs + ys + zs, dtype=np.float64)
    with np.errstate(over='ignore'):  # beyond float32 -> inf, caught just below
        joints = xyz.reshape(3, n).T.astype(np.float32).reshape(len(record_ids), num_joints, 3)
    if not np.isfinite(joints).all():  # NaN, inf, or beyond float32 (the line parser names it)
        return None
    colours = states = None
    if colour:
        shape = (len(record_ids), num_joints)
        cxy = np.array(cxs + cys, dtype=np.float64)
        with np.errstate(over='ignore'):
            colours = cxy.reshape(2, n).T.astype(np.float32).reshape(*shape, 2)
        state = np.array(sts, dtype=np.float64)
        if not np.isfinite(colours).all() or not np.isin(state, TRACKING_STATES).all():
            return None
        states = state.astype(np.uint8).reshape(shape)
    return (num_frames, np.asarray(per_frame, dtype=np.int64), record_ids, record_frames,
            joints, colours, states)


def _count(lines: List[bytes], i: int, path: str, what: str) -> int:
    """Integer on line ``i`` (0-based), with a clear error for truncation or garbage."""
    if i >= len(lines) or not any(ln.strip() for ln in lines[i:]):
        raise _bad(path, min(i, len(lines) - 1), f'file ends early (truncated?): expected {what}')
    text = lines[i].strip()
    try:
        value = int(text)
    except ValueError:
        shown = text[:60].decode(errors='replace')
        raise _bad(path, i, f'expected {what} (one integer), got {shown!r}') from None
    if value < 0:
        raise _bad(path, i, f'{what} is negative ({value})')
    return value


def _number(token: bytes, path: str, i: int, stored: bool = False) -> float:
    """One field as float; ``stored`` fields (x, y, z) must also fit float32."""
    text = token.decode(errors='replace')
    try:
        value = float(text)
    except ValueError:
        raise _bad(path, i, f'non-numeric value {text[:40]!r}') from None
    if value != value:
        raise _bad(path, i, f'NaN value {text!r}')
    if value in (float('inf'), float('-inf')):
        raise _bad(path, i, f'value out of range {text!r}')
    if stored and abs(value) > FLOAT32_MAX:
        raise _bad(path, i, f'value out of range {text!r} (beyond float32, the stored type: it '
                            f'would become inf)')
    return value


def parse_skeleton_lines(raw: bytes, path: str = '<bytes>', num_joints: int = 25,
                         colour: bool = False) -> RawSkeleton:
    """Exact line-by-line parser: slow, used for files the fast path cannot take.

    It accepts any whitespace between fields and checks every line: counts, field numbers,
    numbers (x, y, z parsed, with ``colour`` also colorX, colorY and trackingState; the other
    fields must look numeric), NaN and inf. The first
    problem is raised as :class:`FormatError` with its 1-based line number.

    Args and returns as :func:`parse_skeleton_bytes`.
    """
    lines = raw.split(b'\n')
    num_frames = _count(lines, 0, path, 'the number of frames')
    if num_frames == 0:
        raise _bad(path, 0, 'zero frames')
    _check_frame_count(num_frames, len(raw), path)
    per_frame = np.zeros(num_frames, dtype=np.int64)
    record_ids: List[bytes] = []
    record_frames: List[int] = []
    values: List[List[float]] = []
    colours: List[List[float]] = []
    states: List[float] = []
    stored = (0, 1, 2) + (COLOUR_FIELDS if colour else ())  # fields kept as float32
    i = 1
    for f in range(num_frames):
        where = f'frame {f + 1}/{num_frames}'
        n_bodies = _count(lines, i, path, f'the number of bodies of {where}')
        per_frame[f] = n_bodies
        i += 1
        seen = set()
        for b in range(n_bodies):
            if i >= len(lines) or not lines[i].strip():
                raise _bad(path, min(i, len(lines) - 1),
                           f'file ends early (truncated?): expected body {b + 1} of {where}')
            header = lines[i].split()
            if len(header) != BODY_FIELDS:
                raise _bad(path, i, f'body header of {where} has {len(header)} values, '
                                    f'expected {BODY_FIELDS} (bodyID clippedEdges ... '
                                    f'trackingState)')
            for token in header[1:]:
                _number(token, path, i)
            if not header[0].isdigit():
                raise _bad(path, i, f'body id {header[0][:40].decode(errors="replace")!r} '
                                    f'is not an integer')
            if header[0] in seen:
                raise _bad(path, i, f'body {header[0].decode()} appears twice in {where}')
            seen.add(header[0])
            n_joints = _count(lines, i + 1, path, f'the number of joints of body {b + 1} '
                                                  f'in {where}')
            if n_joints != num_joints:
                raise _bad(path, i + 1, f'body has {n_joints} joints, expected {num_joints}')
            i += 2
            for j in range(n_joints):
                if i >= len(lines) or not any(ln.strip() for ln in lines[i:]):
                    raise _bad(path, min(i, len(lines) - 1),
                               f'file ends early (truncated?) at joint {j + 1} of body {b + 1} '
                               f'in {where}')
                fields = lines[i].split()
                if len(fields) != JOINT_FIELDS:
                    raise _bad(path, i, f'joint line has {len(fields)} values, expected '
                                        f'{JOINT_FIELDS} (x y z depthX depthY colorX colorY '
                                        f'orientationW/X/Y/Z trackingState)')
                parsed = [_number(token, path, i, stored=c in stored)
                          for c, token in enumerate(fields)]
                values.append(parsed[:3])
                if colour:
                    if parsed[STATE_FIELD] not in TRACKING_STATES:
                        raise _bad(path, i, f'trackingState {fields[STATE_FIELD].decode()!r} is '
                                            f'not 0, 1 or 2 (not tracked, inferred, tracked)')
                    colours.append([parsed[c] for c in COLOUR_FIELDS])
                    states.append(parsed[STATE_FIELD])
                i += 1
            record_ids.append(header[0])
            record_frames.append(f)
    for j in range(i, len(lines)):
        if lines[j].strip():
            raise _bad(path, j, f'unexpected data after the {num_frames} declared frames '
                                f'(wrong frame or body count?)')
    if not record_ids:
        raise _bad(path, 0, f'no body in any of the {num_frames} frames')
    joints = np.asarray(values, dtype=np.float64).astype(np.float32)
    joints = joints.reshape(len(record_ids), num_joints, 3)
    colour_arr = state_arr = None
    if colour:
        colour_arr = np.asarray(colours, dtype=np.float64).astype(np.float32)
        colour_arr = colour_arr.reshape(len(record_ids), num_joints, 2)
        state_arr = np.asarray(states, dtype=np.uint8).reshape(len(record_ids), num_joints)
    return RawSkeleton(path, num_frames, per_frame,
                       _group_bodies(record_ids, record_frames, joints, colour_arr, state_arr))


def _group_bodies(record_ids, record_frames, joints, colours=None, states=None
                  ) -> List[RawBody]:
    """Records (one per body per frame) -> one :class:`RawBody` per tracking id."""
    index: Dict[bytes, List[int]] = {}
    for r, body_id in enumerate(record_ids):
        index.setdefault(body_id, []).append(r)
    frames = np.asarray(record_frames, dtype=np.int64)
    return [RawBody(body_id.decode(), frames[rows], joints[rows],
                    None if colours is None else colours[rows],
                    None if states is None else states[rows])
            for body_id, rows in index.items()]


def read_skeleton(path: str, num_joints: int = 25, colour: bool = False) -> RawSkeleton:
    """Read and parse a ``.skeleton`` file (see :func:`parse_skeleton_bytes`)."""
    try:
        with open(path, 'rb') as f:
            raw = f.read()
    except OSError as err:
        raise FormatError(path, f'cannot read: {err.strerror or err}') from None
    return parse_skeleton_bytes(raw, path, num_joints, colour)


def read_skeleton_npy(path: str, num_joints: int = 25, colour: bool = False) -> RawSkeleton:
    """Read the dict that the dataset authors' ``txt2npy.py`` writes (``*.skeleton.npy``).

    It holds ``skel_body{k}`` arrays ``(T, 25, 3)`` with zeros where body ``k`` is absent, and
    ``nbodys``. It has no tracking ids: body ``k`` is the ``k``-th body listed in each frame,
    so the clean-up sees body slots, not tracked people. With ``colour``, ``rgb_body{k}``
    ``(T, 25, 2)`` (colour-frame pixels) is read as well; txt2npy does not keep the tracking
    state, so every joint counts as tracked (state 2) in the frames where the body is present.

    Args:
        path (str): The ``.npy`` file.
        num_joints (int): Expected joints per body.
        colour (bool): Also read ``rgb_body{k}`` into :attr:`RawBody.colour` (and set
            :attr:`RawBody.state` to 2). Defaults to False.

    Returns:
        RawSkeleton: One body per non-empty ``skel_body{k}`` slot.
    """
    try:
        data = np.load(path, allow_pickle=True)
        data = data.item() if data.dtype == object and data.shape == () else data
    except Exception as err:
        raise FormatError(path, f'cannot load as a txt2npy dict ({type(err).__name__}: '
                                f'{str(err).splitlines()[0] if str(err) else ""})') from None
    if not isinstance(data, dict):
        raise FormatError(path, f'expected the txt2npy dict (skel_body0, nbodys, ...), got '
                                f'{type(data).__name__}')
    keys = sorted((k for k in data if k.startswith('skel_body')), key=lambda k: int(k[9:]))
    if not keys:
        raise FormatError(path, 'no skel_body0.. arrays in the txt2npy dict')
    bodies = []
    num_frames = None
    for k in keys:
        arr = np.asarray(data[k])
        if arr.ndim != 3 or arr.shape[1:] != (num_joints, 3):
            raise FormatError(path, f'{k} has shape {arr.shape}, expected (T, {num_joints}, 3)')
        if num_frames is None:
            num_frames = arr.shape[0]
        elif arr.shape[0] != num_frames:
            raise FormatError(path, f'{k} has {arr.shape[0]} frames, {keys[0]} has '
                                    f'{num_frames}')
        values = _npy_numbers(arr, k, path)
        present = np.flatnonzero(np.any(arr != 0, axis=(1, 2)))
        if not len(present):
            continue
        body = RawBody(k, present, values[present])
        if colour:
            body.colour = _npy_colour(data, 'rgb_body' + k[9:], path, num_frames,
                                      num_joints)[present]
            body.state = np.full(body.colour.shape[:2], 2, dtype=np.uint8)
        bodies.append(body)
    if not num_frames:
        raise FormatError(path, 'zero frames')
    if not bodies:
        raise FormatError(path, f'no body in any of the {num_frames} frames')
    per_frame = np.zeros(num_frames, dtype=np.int64)
    for body in bodies:
        per_frame[body.frames] += 1
    return RawSkeleton(path, int(num_frames), per_frame, bodies)


def _npy_colour(data: dict, key: str, path: str, num_frames: int,
                num_joints: int) -> np.ndarray:
    """The txt2npy ``rgb_body{k}`` array ``(T, V, 2)`` as float32, checked."""
    if key not in data:
        raise FormatError(path, f'no {key} in the txt2npy dict (needed for the colour '
                                f'coordinates)')
    arr = np.asarray(data[key])
    if arr.shape != (num_frames, num_joints, 2):
        raise FormatError(path, f'{key} has shape {arr.shape}, expected ({num_frames}, '
                                f'{num_joints}, 2)')
    return _npy_numbers(arr, key, path)


def _npy_numbers(arr: np.ndarray, key: str, path: str) -> np.ndarray:
    """A txt2npy array as float32: numbers, finite, and finite as float32 too."""
    if arr.dtype.kind not in 'fiu':
        raise FormatError(path, f'{key} has dtype {arr.dtype}; expected numbers')
    if not np.isfinite(arr).all() or not np.isfinite(arr.astype(np.float32)).all():
        raise FormatError(path, f'{key} holds NaN or inf values (or values beyond float32)')
    return arr.astype(np.float32)


def read_any(path: str, num_joints: int = 25, colour: bool = False) -> RawSkeleton:
    """``.npy`` files through :func:`read_skeleton_npy`, everything else as text."""
    if osp.splitext(path)[1] == '.npy':
        return read_skeleton_npy(path, num_joints, colour)
    return read_skeleton(path, num_joints, colour)
