"""Render a skeleton sequence of any layout: an animated GIF, an MP4, or a PNG frame strip.

Bones come from the layout's ``edges`` and colours from its ``left`` / ``right`` joints (see
:mod:`sfhead_mm.skeleton.plot`), so a custom layout renders without extra code. matplotlib draws
off-screen (Agg); Pillow writes GIFs; MP4 needs ``ffmpeg`` on the PATH. Files are written through
a temporary file and a rename.
"""
import os.path as osp
import shutil
from typing import List, Optional, Sequence, Union

import numpy as np

from ..skeleton import SkeletonLayout, get_layout
from ..utils.atomic_write import atomic_path
from ..skeleton.plot import draw_frame, plot_limits, project, side_legend

FORMATS = ('.gif', '.mp4', '.png')
DPI = 72
#: Inches above each panel for the title lines.
TITLE_SPACE = 1.0


def _figure(ncols: int, size: float):
    # A figure with its own Agg canvas: no pyplot, no global backend switch.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(size * ncols, size + TITLE_SPACE), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _setup_axes(ax, limits, invert_y: bool) -> None:
    ax.set_xlim(*limits['xlim'])
    ax.set_ylim(*(limits['ylim'][::-1] if invert_y else limits['ylim']))
    ax.set_aspect('equal')
    ax.set_xticks([])
    ax.set_yticks([])


def _render_rgb(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()


def default_view(keypoint: np.ndarray) -> str:
    """``'image'`` for 2D keypoints (pixels, y down), ``'xy'`` for 3D (y up)."""
    return 'image' if keypoint.shape[-1] == 2 else 'xy'


def render_skeleton(keypoint: np.ndarray, layout: Union[str, dict, SkeletonLayout], out: str,
                    *, keypoint_score: Optional[np.ndarray] = None, title: str = '',
                    frame_labels: Optional[Sequence[str]] = None, fps: float = 15.0,
                    num_frames: int = 8, frames: Optional[Sequence[int]] = None,
                    view: Optional[str] = None, size: float = 4.0,
                    score_thr: float = 0.0) -> str:
    """Draw a sequence and write it to ``out`` (``.gif``, ``.mp4`` or ``.png`` strip).

    Args:
        keypoint (np.ndarray): ``(M, T, V, C)``, C = 2 (pixels) or 3 (metres).
        layout (str | dict | SkeletonLayout): Its layout (``V`` joints).
        out (str): Output file; the suffix picks the format.
        keypoint_score (np.ndarray, optional): ``(M, T, V)``; joints at or below
            ``score_thr`` are hidden.
        title (str): Line above every frame (e.g. the predicted class and score).
        frame_labels (Sequence[str], optional): One extra line per frame (e.g. per-window
            predictions), shown under the title.
        fps (float): Frames per second of GIF / MP4. Defaults to 15.
        num_frames (int): Frames of a PNG strip, evenly spaced. Defaults to 8.
        frames (Sequence[int], optional): Frame indices to draw (all, by default, for GIF and
            MP4).
        view (str, optional): ``'image'`` (2D, y down), ``'xy'``, ``'xz'`` or ``'zy'`` (3D).
            Defaults to :func:`default_view`.
        size (float): Inches per panel (72 dpi). Defaults to 4.
        score_thr (float): See ``keypoint_score``.

    Returns:
        str: ``out``.

    Raises:
        ValueError: Unknown format, or keypoints that do not fit the layout.
        RuntimeError: MP4 requested without ``ffmpeg``.
    """
    layout = get_layout(layout)
    keypoint = np.asarray(keypoint, dtype=np.float32)
    if keypoint.ndim != 4 or keypoint.shape[2] != layout.num_joints:
        raise ValueError(f'keypoint shape {keypoint.shape} does not fit layout '
                         f'{layout.name!r} ((M, T, {layout.num_joints}, C))')
    ext = osp.splitext(out)[1].lower()
    if ext not in FORMATS:
        raise ValueError(f'{out}: unknown format {ext!r}; choose one of {FORMATS}')
    if ext == '.mp4' and shutil.which('ffmpeg') is None:
        raise RuntimeError('MP4 output needs ffmpeg on the PATH; write a .gif or a .png strip '
                           'instead')
    T = keypoint.shape[1]
    view = view or default_view(keypoint)
    points = project(keypoint, view)  # (M, T, V, 2)
    limits = plot_limits(points)
    invert_y = view == 'image'
    if frames is None:
        frames = (np.linspace(0, T - 1, min(num_frames, T)).round().astype(int).tolist()
                  if ext == '.png' else list(range(T)))
    frames = [int(t) for t in frames if 0 <= int(t) < T]
    if not frames:
        raise ValueError(f'no frame to draw (the sequence has {T})')

    def draw(ax, t):
        draw_frame(ax, points[:, t],
                   layout, None if keypoint_score is None else keypoint_score[:, t], score_thr)
        _setup_axes(ax, limits, invert_y)
        sub = f'\n{frame_labels[t]}' if frame_labels is not None else ''
        ax.set_title(f'{title}\nframe {t + 1}/{T}{sub}' if title else f'frame {t + 1}/{T}{sub}',
                     fontsize=8)

    with atomic_path(out) as tmp:
        if ext == '.png':
            fig = _figure(len(frames), size)
            axes = fig.subplots(1, len(frames), squeeze=False)[0]
            for ax, t in zip(axes, frames):
                draw(ax, t)
            side_legend(axes[-1])
            fig.tight_layout()
            fig.savefig(tmp, format='png')
        else:
            images = []
            fig = _figure(1, size)
            ax = fig.add_subplot(1, 1, 1)
            for t in frames:
                ax.clear()
                draw(ax, t)
                side_legend(ax)
                fig.tight_layout()
                images.append(_render_rgb(fig))
            _write_animation(images, tmp, ext, fps)
    return out


def _write_animation(images: List[np.ndarray], path: str, ext: str, fps: float) -> None:
    if ext == '.gif':
        from PIL import Image
        frames = [Image.fromarray(im) for im in images]
        frames[0].save(path, format='GIF', save_all=True, append_images=frames[1:],
                       duration=max(int(round(1000 / fps)), 20), loop=0)
        return
    import subprocess
    h, w = images[0].shape[:2]
    h, w = h - h % 2, w - w % 2  # yuv420p needs even sizes
    cmd = ['ffmpeg', '-y', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s',
           f'{w}x{h}', '-r', str(fps), '-i', '-', '-pix_fmt', 'yuv420p', '-f', 'mp4', path]
    data = b''.join(np.ascontiguousarray(im[:h, :w]).tobytes() for im in images)
    proc = subprocess.run(cmd, input=data, capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError(f'ffmpeg failed: {proc.stderr.decode(errors="replace")[-500:]}')


# ------------------------------------------------------------------- tools/test.py --show-dir
def render_prediction(inputs, data_sample, layout, out_dir: str, class_names=None,
                      index: int = 0, num_frames: int = 6, fmt: str = '.png') -> str:
    """Draw one test sample as the model saw it, titled with its prediction and true class.

    Args:
        inputs: The sample's model input, ``(num_clips, M, T, V, C)`` or ``(M, T, V, C)``
            (a tensor or array); the first clip's first 3 channels (the joint stream when the
            pipeline's ``GenSkeFeat`` lists ``'j'`` first) are drawn.
        data_sample: Its ``ActionDataSample`` (``pred_score``, ``gt_label``, ``frame_dir`` when
            the test pipeline packs it, as ``tools/test.py`` arranges).
        layout: The config's layout.
        out_dir (str): Folder; the file is ``<frame_dir or index><fmt>``.
        class_names (Sequence[str], optional): For the title (indices otherwise).

    Returns:
        str: The written file.
    """
    import os
    x = inputs.detach().cpu().numpy() if hasattr(inputs, 'detach') else np.asarray(inputs)
    if x.ndim == 5:
        x = x[0]
    x = x[..., :3] if x.shape[-1] >= 3 else x
    x = x[np.any(x != 0, axis=(1, 2, 3))] if np.any(x != 0) else x  # drop empty persons
    get = data_sample.get if hasattr(data_sample, 'get') else (
        lambda k, d=None: getattr(data_sample, k, d))

    def name(i):
        return class_names[i] if class_names and 0 <= i < len(class_names) else f'class {i}'
    score = get('pred_score', None)
    label = get('gt_label', None)
    title = []
    if score is not None:
        score = score.detach().cpu().numpy() if hasattr(score, 'detach') else np.asarray(score)
        pred = int(np.argmax(score))
        title.append(f'pred: {name(pred)} ({float(score[pred]):.2f})')
    if label is not None:
        gt = int(np.asarray(label.cpu() if hasattr(label, 'cpu') else label).reshape(-1)[0])
        title.append(f'true: {name(gt)}')
    sample_id = get('frame_dir', None) or f'{index:06d}'
    os.makedirs(out_dir, exist_ok=True)
    out = osp.join(out_dir, f'{osp.basename(str(sample_id))}{fmt}')
    view = 'xy' if x.shape[-1] == 3 else 'image'
    return render_skeleton(x, layout, out, title=f'{sample_id}: ' + ', '.join(title),
                           num_frames=num_frames, view=view)


def show_predictions_hook(cfg, show_dir: str, max_samples: Optional[int] = 100):
    """A hook for ``runner.register_hook`` that draws test predictions into ``show_dir``.

    What MMAction2's ``tools/test.py --show-dir`` does for videos, for skeletons, with this
    package's renderer: one PNG strip per sample (what the model saw after the test pipeline,
    titled with the predicted and the true class), the first ``max_samples`` samples (None: all;
    about 0.3 s each). The layout and class names come from the config (class names also from
    the test dataset's ``metainfo``).
    """
    from mmengine.hooks import Hook

    from ..skeleton import layout_of_config
    layout, _ = layout_of_config(cfg)
    if layout is None:
        raise ValueError('--show-dir: the config names no skeleton layout to draw with')

    class ShowPredictionsHook(Hook):
        priority = 'LOWEST'

        def __init__(self):
            self.count = 0
            self.class_names = None

        def before_test(self, runner):
            from ..datasets.layout_checks import config_class_names
            self.class_names = config_class_names(cfg)
            if self.class_names is None:
                meta = getattr(runner.test_dataloader.dataset, 'metainfo', None) or {}
                self.class_names = list(meta.get('classes', []) or []) or None

        def after_test_iter(self, runner, batch_idx, data_batch=None, outputs=None):
            if runner.rank != 0 or not outputs or data_batch is None:
                return
            for inputs, sample in zip(data_batch['inputs'], outputs):
                if max_samples is not None and self.count >= max_samples:
                    return
                render_prediction(inputs, sample, layout, show_dir, self.class_names,
                                  index=self.count)
                self.count += 1

        def after_test(self, runner):
            runner.logger.info(f'--show-dir: drew {self.count} test sample(s) into {show_dir}')

    return ShowPredictionsHook()
