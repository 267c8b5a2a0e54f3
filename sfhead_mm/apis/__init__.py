"""High-level APIs: inference on skeleton files of any format, deploy export, rendering.

    from sfhead_mm.apis import init_recognizer, inference_skeleton
    model = init_recognizer('configs/ctrgcn_sfhead_ntu120.py', 'epoch_90.pth')
    for pred in inference_skeleton(model, ['S001C001P001R001A001.skeleton', 'clip.npy']):
        print(pred.format_text())
"""
from .deploy import DeployResult, export_deploy
from .inference import (Prediction, build_test_pipeline, class_names_of, inference_skeleton,
                        init_recognizer, window_bounds)
from .readers import InputError, SkeletonSample, read_skeleton_file
from .visualize import render_skeleton

__all__ = [
    'init_recognizer', 'inference_skeleton', 'Prediction', 'build_test_pipeline',
    'class_names_of', 'window_bounds', 'read_skeleton_file', 'SkeletonSample', 'InputError',
    'export_deploy', 'DeployResult', 'render_skeleton'
]
