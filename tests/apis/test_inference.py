"""sfhead_mm.apis: windows, input kinds, class names, the checkpoint guards, no name clash."""
import numpy as np
import pytest

from sfhead_mm.apis import (InputError, SkeletonSample, init_recognizer, predict_skeletons,
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
    pred, = predict_skeletons(model, sample, window=24, stride=10)
    bounds = window_bounds(sample.num_frames, 24, 10)
    assert [(w.start, w.end) for w in pred.windows] == bounds
    alone = predict_skeletons(model, [sample.window(s, e) for s, e in bounds])
    for w, a in zip(pred.windows, alone):
        np.testing.assert_allclose(w.scores, a.scores, rtol=0, atol=1e-6)
    whole, = predict_skeletons(model, sample)
    np.testing.assert_allclose(pred.scores, whole.scores, rtol=0, atol=1e-6)


def test_every_kind_of_input_gives_the_same_prediction(model, val_samples):
    sample = val_samples[1]
    as_dict = dict(frame_dir=sample.name, keypoint=sample.keypoint, label=sample.label,
                   img_shape=(1080, 1920))
    preds = predict_skeletons(model, [sample, as_dict, sample.keypoint.copy()])
    for p in preds[1:]:
        np.testing.assert_allclose(p.scores, preds[0].scores, rtol=0, atol=1e-6)
    assert [p.name for p in preds] == [sample.name, sample.name, 'array2']
    assert preds[0].label == sample.label and preds[2].label is None


def test_class_names_and_topk(model, val_samples):
    from sfhead_mm.datasets.synthetic import CLASSES
    pred, = predict_skeletons(model, val_samples[2], topk=3, label_map='synthetic')
    top = pred.top()
    assert [t['name'] for t in top] == [CLASSES[t['label']] for t in top] and len(top) == 3
    assert top[0]['score'] >= top[1]['score'] >= top[2]['score']
    assert top[0]['label'] == pred.pred_label == int(np.argmax(pred.scores))
    text = pred.format_text()
    assert val_samples[2].name in text and CLASSES[pred.pred_label] in text
    with pytest.raises(ValueError, match='3 class names, but the model has 8 classes'):
        predict_skeletons(model, val_samples[2], label_map=['a', 'b', 'c'])


def test_pipeline_mismatch_is_named(model):
    flat = SkeletonSample(name='flat', keypoint=np.random.rand(1, 20, 25, 2).astype(np.float32),
                          source='flat.npy')
    with pytest.raises(InputError, match='flat.npy: flat: the test pipeline'):
        predict_skeletons(model, flat)


def test_checkpoint_of_another_model_is_refused(tmp_path_factory):
    config, ckpt = trained_sfhead(tmp_path_factory, 'auxiliary')
    import torch
    path = tmp_path_factory.mktemp('bad_ckpt') / 'partial.pth'
    state = torch.load(ckpt, map_location='cpu', weights_only=False)['state_dict']
    torch.save(dict(state_dict={k: v for k, v in state.items() if 'cls_head' not in k}), path)
    with pytest.raises(ValueError, match='lacks 2 weights .*cls_head'):
        init_recognizer(config, str(path))


def test_no_name_clash_with_mmaction_apis():
    import inspect

    import mmaction.apis
    import sfhead_mm.apis
    clash = set(sfhead_mm.apis.__all__) & set(mmaction.apis.__all__)
    assert clash == {'init_recognizer'}
    ours = list(inspect.signature(sfhead_mm.apis.init_recognizer).parameters)
    theirs = list(inspect.signature(mmaction.apis.init_recognizer).parameters)
    assert ours[:len(theirs)] == theirs  # MMAction2's arguments, in its order
    assert not hasattr(sfhead_mm.apis, 'inference_skeleton')


def test_model_carries_config_meta_and_input_spec(model):
    from sfhead_mm.datasets.input_spec import InputSpec
    assert isinstance(model.input_spec, InputSpec) and model.input_spec.num_joints == 25
    assert model.cfg.model.cls_head.num_classes == 8
    assert isinstance(model.checkpoint_meta, dict) and not model.training


def test_unsafe_and_truncated_checkpoints_are_refused_in_one_line(tmp_path_factory):
    import os
    import pickle

    import torch

    from sfhead_mm.utils.checkpoint import CheckpointError
    config, ckpt = trained_sfhead(tmp_path_factory, 'auxiliary')
    folder = tmp_path_factory.mktemp('unsafe_ckpt')
    marker = folder / 'ran'

    class Payload:
        def __reduce__(self):
            return (os.mkdir, (str(marker), ))

    state = torch.load(ckpt, map_location='cpu', weights_only=False)
    evil = folder / 'evil.pth'
    torch.save(dict(state_dict=state['state_dict'], meta=dict(x=Payload())), evil)
    with pytest.raises(CheckpointError) as err:
        init_recognizer(config, str(evil))
    assert str(err.value).startswith(f'{evil}: ') and '\n' not in str(err.value)
    assert not marker.exists()
    plain = folder / 'plain.pth'  # a plain pickle renamed .pth
    plain.write_bytes(pickle.dumps(dict(state_dict={}, meta=Payload())))
    with pytest.raises(CheckpointError, match='plain.pth'):
        init_recognizer(config, str(plain))
    assert not marker.exists()
    cut = folder / 'cut.pth'
    cut.write_bytes(open(ckpt, 'rb').read()[:1000])
    with pytest.raises(CheckpointError, match='cut.pth'):
        init_recognizer(config, str(cut))
