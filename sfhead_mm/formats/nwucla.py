"""NW-UCLA json clips: one parser and one label rule, for inference and for conversion.

The widely used json release (CTR-GCN's ``all_sqe/``) has one ``aAA_sSS_eEE_vVV.json`` per clip::

    {"file_name": "a01_s01_e00_v01", "skeletons": T x 20 x [x, y, z], "label": 1}

Label rule (the only one): ``label`` is optional; when present it must be an integer (a json
``true`` is refused, although Python counts it as 1) in ``1..10``, the release's 1-based
numbering, and when the clip name is an NW-UCLA name its action id must give the same label
(``a01..a06, a08, a09, a11, a12`` -> ``1..10``). The parsed label is 0-based.
"""
import os.path as osp
import re
from dataclasses import dataclass
from typing import Any, Dict, Optional

import numpy as np

from .errors import FormatError
from .json_io import float32_array, load_json

NAME_RE = re.compile(r'a(\d{2})_s(\d{2})_e(\d{2})_v(\d{2})')
# The 10 actions of the release in label order; a07 and a10 are not part of it.
ACTION_IDS = (1, 2, 3, 4, 5, 6, 8, 9, 11, 12)
NUM_CLASSES = len(ACTION_IDS)
KINECT_V1_SHAPE = (480, 640)


@dataclass
class NWUCLAClip:
    """One parsed clip.

    Args:
        name (str): ``file_name`` (else the file's stem).
        keypoint (np.ndarray): ``(1, T, V, 3)`` float32.
        label (int, optional): 0-based label, when the file has one.
    """

    name: str
    keypoint: np.ndarray
    label: Optional[int] = None


def parse_name(name: str) -> Dict[str, int]:
    """``'a05_s04_e02_v03'`` -> ``{action, subject, repetition, view}``; ValueError otherwise."""
    match = NAME_RE.fullmatch(name)
    if match is None:
        raise ValueError(f'{name!r} is not an NW-UCLA clip name (aAA_sSS_eEE_vVV)')
    action, subject, repetition, view = (int(g) for g in match.groups())
    return dict(action=action, subject=subject, repetition=repetition, view=view)


def label_of_action(action: int) -> int:
    """0-based label of an NW-UCLA action id (a01 -> 0, ..., a12 -> 9)."""
    if action not in ACTION_IDS:
        raise ValueError(f'action a{action:02d} is not one of the release\'s 10 actions '
                         f'{["a%02d" % a for a in ACTION_IDS]}')
    return ACTION_IDS.index(action)


def parse_label(path: str, value: Any, name: str) -> int:
    """The label rule (see the module docstring): json ``label`` -> 0-based label.

    Raises:
        FormatError: Not an integer (``true`` included), outside ``1..10``, or another action
            than the clip name's.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise FormatError(path, f'"label" is {_json_text(value)}; expected an integer 1..'
                                f'{NUM_CLASSES} (the release\'s 1-based action label)')
    if not 1 <= value <= NUM_CLASSES:
        raise FormatError(path, f'"label" {value} outside 1..{NUM_CLASSES} (1-based)')
    label = value - 1
    try:
        ids = parse_name(name)
    except ValueError:
        return label  # not a release clip name: nothing to cross-check
    try:
        expected = label_of_action(ids['action'])
    except ValueError as err:
        raise FormatError(path, str(err)) from None
    if expected != label:
        raise FormatError(path, f'label {value} disagrees with action a{ids["action"]:02d} '
                                f'(expected {expected + 1}, 1-based)')
    return label


def _json_text(value: Any) -> str:
    if value is True or value is False:
        return 'true' if value else 'false'
    if value is None:
        return 'null'
    return repr(value)[:40]


def _locate_bad_frame(frames: list, num_joints: Optional[int]) -> str:
    """Message naming the first frame that is not ``V`` x 3 numbers."""
    width = num_joints if num_joints is not None else (
        len(frames[0]) if isinstance(frames[0], list) else None)
    for t, frame in enumerate(frames):
        if not isinstance(frame, list) or (width is not None and len(frame) != width):
            size = len(frame) if isinstance(frame, list) else type(frame).__name__
            return f'skeletons[{t}]: {size} joints, expected {width}'
        for j, joint in enumerate(frame):
            if not isinstance(joint, list) or len(joint) != 3:
                return f'skeletons[{t}][{j}]: expected [x, y, z], got {str(joint)[:40]}'
            for c, value in enumerate(joint):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    return f'skeletons[{t}][{j}][{c}]: non-numeric value {str(value)[:40]!r}'
    return f'skeletons: not a T x {width or "V"} x 3 array of numbers'


def parse_nwucla(path: str, data: Optional[dict] = None,
                 num_joints: Optional[int] = None) -> NWUCLAClip:
    """Parse one NW-UCLA clip.

    Args:
        path (str): The json file (named in errors).
        data (dict, optional): Its parsed content, when the caller has read it already.
        num_joints (int, optional): Joints per frame required (the ``nw-ucla`` layout's 20).

    Returns:
        NWUCLAClip: ``keypoint`` ``(1, T, V, 3)`` float32 and the 0-based label (or None).

    Raises:
        FormatError: Invalid json (with its line), no ``skeletons``, zero frames, wrong shapes,
            non-numbers, NaN / inf / values beyond float32 (index and line), or a label that
            breaks the label rule.
    """
    if data is None:
        data = load_json(path)
    if not isinstance(data, dict):
        raise FormatError(path, f'expected a json object, got {type(data).__name__}')
    if 'skeletons' not in data:
        raise FormatError(path, 'missing key "skeletons" (expected file_name, skeletons, label)')
    name = data.get('file_name')
    name = str(name) if name else osp.splitext(osp.basename(path))[0]
    frames = data['skeletons']
    if not isinstance(frames, list) or not frames:
        raise FormatError(path, 'skeletons: zero frames; expected T frames of V [x, y, z] '
                                'joints')
    try:
        shape = np.asarray(frames, dtype=np.float64).shape
    except (TypeError, ValueError, OverflowError):
        shape = None
    if shape is None or len(shape) != 3 or shape[2] != 3 or \
            (num_joints is not None and shape[1] != num_joints):
        raise FormatError(path, _locate_bad_frame(frames, num_joints))
    keypoint = float32_array(path, frames, 'skeletons')
    label = parse_label(path, data['label'], name) if 'label' in data else None
    return NWUCLAClip(name=name, keypoint=keypoint[None], label=label)


def read_nwucla(path: str, num_joints: Optional[int] = None) -> NWUCLAClip:
    """:func:`parse_nwucla` of a file."""
    return parse_nwucla(path, None, num_joints)
