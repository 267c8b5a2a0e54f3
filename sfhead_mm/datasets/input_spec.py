"""What a config's model reads, asked of the config once: :class:`InputSpec`.

Inference (shaping and checking inputs), the data checks (what every sample must satisfy),
``tools/analysis/model_complexity.py`` (the default input shape) and the deploy export (the probe
input) all ask :func:`input_spec_of` instead of reading the config on their own:

* the layout (``V``) and the config key it came from;
* the model's input channels (``model.backbone.in_channels``, or the backbone's default) and the
  test pipeline's ``GenSkeFeat`` streams (each stream repeats ``C (+ score)``);
* persons (``FormatGCNInput.num_person``) and clip length / clips (the frame sampler);
* the test pipeline, and the class names the config gives.

The dataset wrappers are walked by the package's one walker,
:func:`sfhead_mm.skeleton.config.leaf_datasets`.
"""
import inspect
import os.path as osp
from collections.abc import Mapping
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from ..formats.annotation import SampleRules
from ..skeleton import SkeletonLayout
from ..skeleton.config import STREAM_STEPS, config_test_pipeline, layout_of_config

#: Class-name lists known by name (``--label-map ntu60``).
BUILTIN_LABEL_MAPS = ('ntu60', 'ntu120', 'nwucla', 'synthetic')


def _model_default(type_name: Optional[str], arg: str):
    """Default of ``arg`` in the constructor of the registered model ``type_name``."""
    if not type_name:
        return None
    from mmaction.registry import MODELS
    try:
        cls = MODELS.get(type_name)
        value = inspect.signature(cls.__init__).parameters[arg].default
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return None if value is inspect.Parameter.empty else value


def pipeline_streams(pipeline: Optional[Sequence]) -> Tuple[str, ...]:
    """``GenSkeFeat``'s feats of a pipeline config (``('j',)`` without one)."""
    for step in pipeline or ():
        if isinstance(step, Mapping) and step.get('type') in STREAM_STEPS:
            return tuple(step.get('feats', ('j', )))
    return ('j', )


def _step_arg(pipeline: Optional[Sequence], arg: str, types: Optional[Sequence[str]] = None):
    for step in pipeline or ():
        if isinstance(step, Mapping) and arg in step and (types is None
                                                          or step.get('type') in types):
            return step[arg]
    return None


@dataclass(frozen=True)
class InputSpec:
    """What a config's model reads, from the config alone.

    Args:
        layout (SkeletonLayout, optional): The layout; None when the config names none.
        layout_key (str, optional): The config key it was read from.
        in_channels (int, optional): The backbone's input channels.
        in_channels_key (str): Where ``in_channels`` came from.
        streams (tuple[str]): The test pipeline's ``GenSkeFeat`` feats.
        num_person (int, optional): Persons per sample (``FormatGCNInput.num_person``, else
            ``backbone.num_person``).
        clip_len (int, optional): Frames per clip of the test pipeline's frame sampler.
        num_clips (int): Clips per sample at test time.
        test_pipeline (tuple[dict]): The test pipeline config (empty when there is none).
        num_classes (int, optional): ``model.cls_head.num_classes``.
        class_names_spec (optional): The config's ``class_names`` / ``label_map`` / test
            dataset ``metainfo.classes`` as written (a list, a label-map file or a built-in
            name); :meth:`class_names` reads it.
        class_names_key (str, optional): Where it came from.
    """

    layout: Optional[SkeletonLayout] = None
    layout_key: Optional[str] = None
    in_channels: Optional[int] = None
    in_channels_key: str = 'model.backbone.in_channels'
    streams: Tuple[str, ...] = ('j', )
    num_person: Optional[int] = None
    clip_len: Optional[int] = None
    num_clips: int = 1
    test_pipeline: Tuple = ()
    num_classes: Optional[int] = None
    class_names_spec: object = None
    class_names_key: Optional[str] = None

    @property
    def num_joints(self) -> Optional[int]:
        return None if self.layout is None else self.layout.num_joints

    @property
    def channels(self) -> Optional[int]:
        """Channels of one stream (e.g. 3 for 3D, or 2D + score); None if not a whole number."""
        if self.in_channels is None or self.in_channels % len(self.streams):
            return None
        return self.in_channels // len(self.streams)

    def class_names(self) -> Optional[List[str]]:
        """The config's class names (a label-map file is read now); None when it gives none."""
        return None if not self.class_names_spec else read_label_map(self.class_names_spec)

    def sample_rules(self, pipeline: Optional[Sequence] = None) -> SampleRules:
        """What every annotation sample must satisfy for this model (and ``pipeline``'s streams;
        default: the test pipeline's)."""
        streams = self.streams if pipeline is None else pipeline_streams(pipeline)
        source = (f'the layout {self.layout.name!r} ({self.layout_key})'
                  if self.layout is not None else 'the layout')
        return SampleRules(num_joints=self.num_joints, joints_source=source,
                           in_channels=self.in_channels, in_channels_key=self.in_channels_key,
                           streams=tuple(streams), num_classes=self.num_classes)

    def input_shape(self, batch: int = 1, num_person: int = 2, clip_len: int = 100
                    ) -> Optional[Tuple[int, int, int, int, int]]:
        """``(N, M, T, V, C)`` of one clip (defaults where the config is silent), or None
        without a layout or channels."""
        if self.layout is None or self.in_channels is None:
            return None
        return (batch, self.num_person or num_person, self.clip_len or clip_len,
                self.layout.num_joints, self.in_channels)

    def build_test_pipeline(self):
        """The test pipeline as MMEngine's ``Compose``."""
        if not self.test_pipeline:
            raise KeyError('the config has neither test_dataloader.dataset.pipeline nor '
                           'test_pipeline')
        from mmengine.dataset import Compose
        return Compose([dict(step) for step in self.test_pipeline])

    def describe(self, streams: Optional[Sequence[str]] = None) -> str:
        """One line: layout, channels and classes (what the data checks compare with)."""
        streams = tuple(streams) if streams is not None else self.streams
        parts = []
        if self.layout is not None:
            parts.append(f'layout {self.layout.name!r} ({self.layout.num_joints} joints, '
                         f'from {self.layout_key})')
        if self.in_channels is not None:
            parts.append(f'in_channels {self.in_channels} ({self.in_channels_key}) = '
                         f'{len(streams)} stream(s) {list(streams)} x C')
        if self.num_classes is not None:
            parts.append(f'{self.num_classes} classes')
        return ', '.join(parts) or 'nothing to compare with'


def input_spec_of(cfg) -> InputSpec:
    """The :class:`InputSpec` of a config (nothing is built but the registry lookup of a
    backbone's default ``in_channels``).

    Args:
        cfg (mmengine.Config | dict): A loaded config.

    Raises:
        KeyError: The config names a layout that is not registered (naming the key).
    """
    layout, layout_key = layout_of_config(cfg)
    model = cfg.get('model', None) or {}
    backbone = model.get('backbone', None) or {}
    in_channels, key = backbone.get('in_channels', None), 'model.backbone.in_channels'
    if in_channels is None:
        in_channels = _model_default(backbone.get('type'), 'in_channels')
        key = f'the default in_channels of {backbone.get("type")}'
    pipeline = config_test_pipeline(cfg) or []
    num_person = _step_arg(pipeline, 'num_person', ('FormatGCNInput', ))
    if num_person is None:
        num_person = backbone.get('num_person', None)
    names, names_key = config_class_names_spec(cfg)
    return InputSpec(
        layout=layout, layout_key=layout_key, in_channels=in_channels, in_channels_key=key,
        streams=pipeline_streams(pipeline), num_person=num_person,
        clip_len=_step_arg(pipeline, 'clip_len'),
        num_clips=_step_arg(pipeline, 'num_clips') or 1,
        test_pipeline=tuple(pipeline),
        num_classes=(model.get('cls_head', None) or {}).get('num_classes', None),
        class_names_spec=names, class_names_key=names_key)


# ------------------------------------------------------------------------------ class names
def read_label_map(spec) -> List[str]:
    """Class names from a list, a file with one name per line, or a built-in map name
    (``ntu60``, ``ntu120``, ``nwucla``, ``synthetic``).

    Raises:
        FileNotFoundError: Neither a file nor a built-in name.
    """
    if isinstance(spec, (list, tuple)):
        return [str(s) for s in spec]
    spec = str(spec)
    if spec in BUILTIN_LABEL_MAPS and not osp.exists(spec):
        if spec == 'synthetic':
            from .synthetic import CLASSES
            return list(CLASSES)
        from ..formats.resources import class_names  # package data, in every install
        return class_names(spec)
    if not osp.isfile(spec):
        raise FileNotFoundError(f'label map {spec!r}: no such file (or one of '
                                f'{BUILTIN_LABEL_MAPS})')
    with open(spec, encoding='utf-8') as f:
        return [line.strip() for line in f if line.strip()]


def config_class_names_spec(cfg) -> Tuple[object, Optional[str]]:
    """``(spec, config key)`` of ``class_names``, ``label_map`` or the test dataset's
    ``metainfo.classes`` (first found, as written); ``(None, None)`` when the config gives none."""
    metainfo = None
    for _, leaf in _test_leaves(cfg):
        metainfo = (leaf.get('metainfo', None) or {}).get('classes', None)
        if metainfo:
            break
    for key, spec in (('class_names', cfg.get('class_names', None)),
                      ('label_map', cfg.get('label_map', None)),
                      ('test_dataloader.dataset.metainfo.classes', metainfo)):
        if spec:
            return (list(spec) if isinstance(spec, (list, tuple)) else spec), key
    return None, None


def _test_leaves(cfg):
    from ..skeleton.config import loader_datasets
    return loader_datasets(cfg, ('test', ))
