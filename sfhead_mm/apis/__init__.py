"""High-level APIs: inference on skeleton files of any format, deploy export, rendering.

    from sfhead_mm.apis import init_recognizer, predict_skeletons
    model = init_recognizer('configs/ctrgcn_sfhead_ntu120.py', 'epoch_90.pth')
    for pred in predict_skeletons(model, ['S001C001P001R001A001.skeleton', 'clip.npy']):
        print(pred.format_text())

``init_recognizer`` takes ``mmaction.apis.init_recognizer``'s arguments and builds on it;
``predict_skeletons`` is named apart from ``mmaction.apis.inference_skeleton`` (which runs on
pose estimates of video frames).
"""
from ..datasets.input_spec import InputSpec, input_spec_of
from .deploy import DeployResult, export_deploy
from .inference import (Prediction, build_test_pipeline, class_names_of, init_recognizer,
                        predict_skeletons, window_bounds)
from .readers import InputError, SkeletonSample, read_skeleton_file
from .visualize import render_skeleton

__all__ = [
    'init_recognizer', 'predict_skeletons', 'Prediction', 'build_test_pipeline',
    'class_names_of', 'window_bounds', 'read_skeleton_file', 'SkeletonSample', 'InputError',
    'export_deploy', 'DeployResult', 'render_skeleton', 'InputSpec', 'input_spec_of'
]
