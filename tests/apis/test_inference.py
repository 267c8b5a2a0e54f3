"""sfhead_mm.apis: windows, input kinds, class names, the checkpoint guard."""
import numpy as np
import pytest

from sfhead_mm.apis import (InputError, SkeletonSample, inference_skeleton, init_recognizer,
                            read_skeleton_file, window_bounds)
from tests.apis.helpers import small_synthetic, trained_sfhead


@pytest.fixture(scope='module')
def model(tmp_path_factory):
    config, ckpt = trained_sfhead(tmp_path_factory, 'auxiliary')
    return init_recognizer(config, ckpt)


@pytest.fixture(scope='module')
def val_samples(tmp_path_factory):
    return read_skeleton_file(small_synthetic(tmp_path_factory), split='val')


def test_window_bounds_cover_the_sequence():
    assert window_bounds(100, 32, 16) == [(0, 32), (16, 48), (32, 64), (48, 80), (64, 96),
                                          (68, 100)]
    assert window_bounds(64, 32) == [(0, 32), (32, 64)]
    assert window_bounds(20, 32, 8) == [(0, 20)]
    with pytest.raises(ValueError):
        window_bounds(10, 0)


def test_windows_are_predicted_as_clips_of_their_own(model, val_samples):
    sample = val_samples[0]
    pred, = inference_skeleton(model, sample, window=24, stride=10)
    bounds = window_bounds(sample.num_frames, 24, 10)
    assert [(w.start, w.end) for w in pred.windows] == bounds
    alone = inference_skeleton(model, [sample.window(s, e) for s, e in bounds])
    for w, a in zip(pred.windows, alone):
        np.testing.assert_allclose(w.scores, a.scores, rtol=0, atol=1e-6)
    whole, = inference_skeleton(model, sample)
    np.testing.assert_allclose(pred.scores, whole.scores, rtol=0, atol=1e-6)


def test_every_kind_of_input_gives_the_same_prediction(model, val_samples):
    sample = val_samples[1]
    as_dict = dict(frame_dir=sample.name, keypoint=sample.keypoint, label=sample.label,
                   img_shape=(1080, 1920))
    preds = inference_skeleton(model, [sample, as_dict, sample.keypoint.copy()])
    for p in preds[1:]:
        np.testing.assert_allclose(p.scores, preds[0].scores, rtol=0, atol=1e-6)
    assert [p.name for p in preds] == [sample.name, sample.name, 'array2']
    assert preds[0].label == sample.label and preds[2].label is None


def test_class_names_and_topk(model, val_samples):
    from sfhead_mm.datasets.synthetic import CLASSES
    pred, = inference_skeleton(model, val_samples[2], topk=3, label_map='synthetic')
    top = pred.top()
    assert [t['name'] for t in top] == [CLASSES[t['label']] for t in top] and len(top) == 3
    assert top[0]['score'] >= top[1]['score'] >= top[2]['score']
    assert top[0]['label'] == pred.pred_label == int(np.argmax(pred.scores))
    text = pred.format_text()
    assert val_samples[2].name in text and CLASSES[pred.pred_label] in text
    with pytest.raises(ValueError, match='3 class names, but the model has 8 classes'):
        inference_skeleton(model, val_samples[2], label_map=['a', 'b', 'c'])


def test_pipeline_mismatch_is_named(model):
    flat = SkeletonSample(name='flat', keypoint=np.random.rand(1, 20, 25, 2).astype(np.float32),
                          source='flat.npy')
    with pytest.raises(InputError, match='flat.npy: flat: the test pipeline'):
        inference_skeleton(model, flat)


def test_checkpoint_of_another_model_is_refused(tmp_path_factory):
    config, ckpt = trained_sfhead(tmp_path_factory, 'auxiliary')
    import torch
    path = tmp_path_factory.mktemp('bad_ckpt') / 'partial.pth'
    state = torch.load(ckpt, map_location='cpu', weights_only=False)['state_dict']
    torch.save(dict(state_dict={k: v for k, v in state.items() if 'cls_head' not in k}), path)
    with pytest.raises(ValueError, match='lacks 2 weights .*cls_head'):
        init_recognizer(config, str(path))
