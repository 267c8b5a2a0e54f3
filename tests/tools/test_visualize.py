"""tools/visualize_skeleton.py and render_skeleton: GIF / PNG strips of any layout, labelled."""
import importlib.util
import os
import os.path as osp
import shutil

import numpy as np
import pytest
from PIL import Image

from sfhead_mm.apis import read_skeleton_file, render_skeleton
from sfhead_mm.apis.visualize import DPI, TITLE_SPACE
from sfhead_mm.skeleton.plot import SIDE_COLOURS
from tests.apis.helpers import trained_sfhead
from tests.conftest import REPO, require_data

UPPER = dict(joints=5, edges=[(1, 0), (2, 0), (3, 1), (4, 2)], center=0, left=[1, 3],
             right=[2, 4])


def tool():
    spec = importlib.util.spec_from_file_location(
        'tool_visualize', osp.join(REPO, 'tools', 'visualize_skeleton.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _has_colour(image: Image.Image, hex_colour: str, tol: int = 40) -> bool:
    rgb = np.asarray(image.convert('RGB')).reshape(-1, 3).astype(int)
    target = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    return bool((np.abs(rgb - target).sum(-1) < tol).any())


def test_gif_of_a_real_ntu_sequence(shared_data, tmp_path):
    path = require_data(shared_data, 'ntu-rgbd-samples', 'S001C003P008R002A058.skeleton')
    sample, = read_skeleton_file(path)
    out = str(tmp_path / 'handshake.gif')
    frames = list(range(0, sample.num_frames, 12))
    render_skeleton(sample.keypoint, 'nturgb+d', out, title='handshake', frames=frames, fps=5)
    gif = Image.open(out)
    assert gif.n_frames == len(frames) and gif.info['duration'] == 200
    gif.seek(len(frames) // 2)
    assert _has_colour(gif, SIDE_COLOURS['left']) and _has_colour(gif, SIDE_COLOURS['right'])
    assert os.listdir(tmp_path) == ['handshake.gif']  # no temporary file left


def test_png_strip_of_a_custom_layout(tmp_path):
    kp = np.random.default_rng(0).random((1, 20, 5, 3)).astype(np.float32) + 0.5
    out = str(tmp_path / 'strip.png')
    render_skeleton(kp, UPPER, out, num_frames=4, size=2.0)
    strip = Image.open(out)
    assert strip.size == (4 * 2 * DPI, int((2 + TITLE_SPACE) * DPI))
    assert _has_colour(strip, SIDE_COLOURS['left']) and _has_colour(strip, SIDE_COLOURS['right'])
    with pytest.raises(ValueError, match='does not fit layout'):
        render_skeleton(kp, 'coco', out)
    with pytest.raises(ValueError, match='unknown format'):
        render_skeleton(kp, UPPER, str(tmp_path / 'x.avi'))
    if shutil.which('ffmpeg') is None:
        with pytest.raises(RuntimeError, match='needs ffmpeg'):
            render_skeleton(kp, UPPER, str(tmp_path / 'x.mp4'))
    else:
        render_skeleton(kp, UPPER, str(tmp_path / 'x.mp4'), frames=range(4))
        assert osp.getsize(tmp_path / 'x.mp4') > 0


def test_tool_with_prediction_and_model_input(shared_data, tmp_path, tmp_path_factory, capsys):
    path = require_data(shared_data, 'ntu-rgbd-samples', 'S001C001P001R001A001.skeleton')
    config, ckpt = trained_sfhead(tmp_path_factory, 'auxiliary')
    out = tmp_path / 'pred.png'
    assert tool().main([path, '--out', str(out), '--config', config, '--checkpoint', ckpt,
                        '--label-map', 'synthetic', '--num-frames', '3']) == 0
    assert "wrote" in capsys.readouterr().out and Image.open(out).size[0] == 3 * 4 * DPI
    # What the model saw: the 32 frames of the test pipeline's clip.
    assert tool().main([path, '--out', str(tmp_path / 'seen.png'), '--config', config,
                        '--model-input', '--num-frames', '2']) == 0
    assert tool().main([path, '--out', str(tmp_path / 'x.png'), '--layout', 'coco']) == 1
    assert '25 joints per person' in capsys.readouterr().err


def test_render_prediction_for_show_dir(tmp_path):
    """One test sample drawn with its predicted and true class (tools/test.py --show-dir)."""
    import torch
    from sfhead_mm.apis.visualize import render_prediction
    inputs = torch.rand(1, 2, 12, 5, 3)
    inputs[:, 1] = 0  # an absent second person is not drawn
    sample = dict(pred_score=torch.tensor([0.1, 0.7, 0.2]), gt_label=torch.tensor([2]),
                  frame_dir='clip_7')
    out = render_prediction(inputs, sample, UPPER, str(tmp_path), ['a', 'b', 'c'],
                            num_frames=3)
    assert out == str(tmp_path / 'clip_7.png') and Image.open(out).size[0] == 3 * 4 * DPI
